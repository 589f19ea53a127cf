"""The message every consumer reads, whether it came through Kafka or straight
from the event store: topic ``lorekeeper.<aggregate>``, the aggregate id as
key, the event as JSON, and CloudEvents binary-mode headers plus ``position``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import orjson

PREFIX = "lorekeeper."
TELEMETRY_TOPIC = "lorekeeper.telemetry"
SPEC_VERSION = "1.0"


@dataclass(frozen=True)
class Message:
    topic: str
    key: bytes | None
    value: bytes
    headers: dict[str, str] = field(default_factory=dict)
    partition: int = 0
    offset: int = -1

    @property
    def position(self) -> int | None:
        raw = self.headers.get("position")
        return int(raw) if raw is not None else None

    @property
    def event_type(self) -> str:
        return self.headers.get("ce_type", "")

    def json(self) -> dict[str, Any]:
        return orjson.loads(self.value)

    def kafka_headers(self) -> list[tuple[str, bytes]]:
        return [(k, v.encode()) for k, v in self.headers.items()]

    @classmethod
    def from_kafka(cls, record: Any) -> Message:
        headers = {k: v.decode() if isinstance(v, bytes) else str(v) for k, v in (record.headers or [])}
        return cls(record.topic, record.key, record.value, headers, record.partition, record.offset)


def aggregate_of(event_topic: str) -> str:
    """``lorekeeper.save_slot.ProgressSaved`` -> ``save_slot``."""
    return event_topic.removeprefix(PREFIX).split(".", 1)[0]


def kafka_topic(event_topic: str) -> str:
    return PREFIX + aggregate_of(event_topic)


def event_id(originator_id: UUID, version: int) -> UUID:
    """A stable id for one stored event (CloudEvents ``id``, telemetry event_id)."""
    return uuid5(NAMESPACE_URL, f"lorekeeper:/events/{originator_id}/{version}")


def from_notification(notification: Any, decode: Callable[[bytes], dict[str, Any]]) -> Message:
    data = decode(notification.state)
    subject = str(notification.originator_id)
    return Message(
        topic=kafka_topic(notification.topic),
        key=subject.encode(),
        value=orjson.dumps(data),
        headers={
            "ce_specversion": SPEC_VERSION,
            "ce_id": str(event_id(notification.originator_id, notification.originator_version)),
            "ce_source": f"/lorekeeper/{aggregate_of(notification.topic)}",
            "ce_type": notification.topic,
            "ce_time": str(data.get("timestamp", "")),
            "ce_subject": subject,
            "content-type": "application/json",
            "position": str(notification.id),
        },
    )
