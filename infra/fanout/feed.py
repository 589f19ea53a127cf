"""Consumers without a broker: fed straight from the event store, in order.

With no ``KAFKA_BOOTSTRAP_SERVERS``, ``lorekeeper serve`` runs each consumer's
``handle`` through this feed, so the embedded default still fills
``telemetry_events``. The feed is a ``TrackedReader``: it hands a window of
events to the consumer and moves its position in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from infra.fanout.consumers import Consumer, feed_name
from infra.fanout.messages import Message, from_notification
from projections import dead_letters
from projections.db import Conn, Pool
from projections.tracking import EventLog, TrackedReader


class EventStoreFeed(TrackedReader):
    def __init__(
        self,
        consumer: Consumer,
        pool: Pool,
        log: EventLog,
        decode: Callable[[bytes], dict[str, Any]],
        *,
        batch_size: int = 1000,
    ) -> None:
        super().__init__(pool, log, tracking_name=feed_name(consumer.name), batch_size=batch_size)
        self.consumer = consumer
        self.decode = decode

    def setup(self) -> None:
        self.consumer.setup(self.pool)
        super().setup()

    def apply(self, conn: Conn, notifications: Sequence[Any]) -> list[dict[str, Any]]:
        messages = [from_notification(n, self.decode) for n in notifications if self.consumer.accepts(n.topic)]
        return self.consumer.handle(conn, messages, "feed")[1] if messages else []


class TelemetrySink(Protocol):
    """Where client telemetry goes: Kafka's ``lorekeeper.telemetry``, or the consumer in-process."""

    def publish(self, messages: list[Message]) -> None: ...

    def close(self) -> None: ...


class LocalTelemetrySink:
    """Client telemetry without a broker: handled at once, in one transaction."""

    def __init__(self, consumer: Consumer, pool: Pool) -> None:
        self.consumer = consumer
        self.pool = pool

    def publish(self, messages: list[Message]) -> None:
        with self.pool.connection() as conn, conn.transaction():
            for failure in self.consumer.handle(conn, messages)[1]:
                dead_letters.record(conn, f"consumer:{self.consumer.name}", **failure)

    def close(self) -> None:
        """Nothing of its own to release: the pool is the container's."""
