"""The ``lorekeeper-ai`` consumer group: where the AIs take their turns.

An AI's turn is a durable timer (infra/timers.py) of a kind its context names
in ``DomainContext.ai_turns`` — a tycoon hero's action ending, say. Without a
broker the timer worker calls the turn's handler itself (in-process). With
one, the worker hands the turn to Kafka instead (``TurnOutbox``: one message
on ``lorekeeper.ai_turns``, keyed by the subject, acknowledged before the
timer is forgotten), and the members of the ``lorekeeper-ai`` group take the
turns (``AiConsumer``), each through the same use case the timer would call.
More members, more turns at once: Kafka splits the partitions between them.

**Exactly once.** A turn's handler is a use case that lives its subject up
to the turn's due instant, deterministically (the hero's history is a
function of its events and that instant). A turn taken twice — Kafka
redelivers after a member is killed between its writes and its offset
commit, or the timer worker fires again after a crash before its commit —
finds the subject already lived up to that instant and writes nothing; two
members racing on one subject conflict on its stream's version, and the
loser's retry writes nothing. So each decision is written once, whatever is
redelivered (tests/integration/test_ai_turns.py kills members with SIGKILL).

The group also keeps the adventure worlds' events it receives in ``ai_inbox``
(the AI agents' input). Not the heroes' own events: nothing reads them there,
and at a thousand decisions a second they were a second copy of each.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import partial
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import orjson
from kafka import KafkaProducer
from psycopg.types.json import Jsonb

from infra.fanout.consumers import Consumer
from infra.fanout.messages import PREFIX, SPEC_VERSION, Message
from infra.fanout.relay import SEND_TIMEOUT_SECONDS, TopicManager
from infra.timers import Concurrently
from projections.db import Conn

TURNS_TOPIC = PREFIX + "ai_turns"
TurnHandler = Callable[[UUID, datetime], object]  # (subject, due): a timer's handler, bound to its use cases

AI_DDL = (
    """CREATE TABLE IF NOT EXISTS ai_inbox (
        position bigint PRIMARY KEY,
        topic text NOT NULL,
        subject uuid NOT NULL,
        event_type text NOT NULL,
        payload jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
    )""",
)


def turn_message(kind: str, subject: UUID, due: datetime) -> Message:
    """One turn, as the group receives it (CloudEvents headers; no store position)."""
    return Message(
        topic=TURNS_TOPIC,
        key=str(subject).encode(),
        value=orjson.dumps({"kind": kind, "subject": str(subject), "due": due.isoformat()}),
        headers={
            "ce_specversion": SPEC_VERSION,
            "ce_id": str(uuid5(NAMESPACE_URL, f"lorekeeper:/turns/{kind}/{subject}/{due.isoformat()}")),
            "ce_source": "/lorekeeper/timers",
            "ce_type": kind,
            "ce_time": due.isoformat(),
            "ce_subject": str(subject),
            "content-type": "application/json",
        },
    )


class TurnsNotHandedOver(ConnectionError):
    """The broker did not take a claim's turns; they stay due."""


class TurnOutbox:
    """The timer worker's way to Kafka: turns are sent as they are claimed and
    all acknowledged (``flush``) before the claiming transaction commits. A
    turn that cannot be handed over is no turn's fault: ``send`` never raises
    (a timer would count it as its handler failing, and be dead-lettered if
    the broker stayed down); ``flush`` raises, the claim rolls back untouched,
    and the timer worker tries the whole claim again after a pause."""

    def __init__(self, producer: Callable[[], KafkaProducer], bootstrap_servers: str, partitions: int) -> None:
        self._producer = producer
        self._kafka: KafkaProducer | None = None
        self.topics = TopicManager(bootstrap_servers, partitions)
        self._pending: list[Any] = []
        self._failed: Exception | None = None  # the first hand-over that failed in this claim
        self._lock = threading.Lock()

    def sender(self, kind: str) -> TurnHandler:
        return lambda subject, due: self.send(kind, subject, due)

    def send(self, kind: str, subject: UUID, due: datetime) -> None:
        if self._failed is not None:
            return  # the claim rolls back anyway: no waiting on a broker that is not there
        m = turn_message(kind, subject, due)
        try:
            with self._lock:  # the timer worker fires on several threads
                if self._failed is not None:
                    return
                if self._kafka is None:
                    self.topics.ensure({TURNS_TOPIC})
                    self._kafka = self._producer()
            future = self._kafka.send(m.topic, key=m.key, value=m.value, headers=m.kafka_headers())
        except Exception as error:
            self._failed = self._failed or error
            return
        self._pending.append(future)

    def flush(self) -> None:
        pending, self._pending = self._pending, []
        failed, self._failed = self._failed, None
        if failed is not None:
            raise TurnsNotHandedOver(f"turns could not be handed to Kafka: {failed}") from failed
        if not pending:
            return
        assert self._kafka is not None
        self._kafka.flush(timeout=SEND_TIMEOUT_SECONDS)
        for future in pending:
            future.get(timeout=SEND_TIMEOUT_SECONDS)

    def close(self) -> None:
        if self._kafka is not None:
            self._kafka.close(timeout=SEND_TIMEOUT_SECONDS)
            self._kafka = None


class AiConsumer(Consumer):
    """Takes the AIs' turns (``turns``: each turn kind's handler) and keeps the
    world events it receives in ``ai_inbox``."""

    name = "ai"
    group_id = "lorekeeper-ai"
    pattern = r"^lorekeeper\.(world|ai_turns)$"
    ddl = AI_DDL

    def __init__(
        self,
        turns: Mapping[str, TurnHandler] | None = None,
        threads: int = 1,
        refresh: Callable[[], object] | None = None,
    ) -> None:
        self.turns = dict(turns or {})
        # Before a batch's turns: the aggregate cache learns every write up to
        # them (infra/cache_keeper.py); a turn never decides on an older copy.
        self.refresh = refresh
        self.taken = 0  # turns handled by this member (redelivered ones included)
        self.calls = Concurrently(threads)
        self._lock = threading.Lock()

    def accepts(self, event_topic: str) -> bool:
        return event_topic.startswith(PREFIX + "world.")

    def apply_all(self, conn: Conn, messages: list[Message]) -> None:
        """A batch's turns side by side, then the events it received. One
        subject's turns are taken in order, on one thread (a key keeps to one
        partition; a batch holds two of a subject's turns only after a
        redelivery). A turn that fails fails the batch: taken again one by
        one, the others write nothing."""
        turns = [m for m in messages if m.topic == TURNS_TOPIC]
        if turns and self.refresh is not None:
            self.refresh()
        by_subject: dict[bytes | None, list[Message]] = {}
        for m in turns:
            by_subject.setdefault(m.key, []).append(m)
        errors = self.calls.run([partial(self._take_all, found) for found in by_subject.values()])
        for error in errors:
            if error is not None:
                raise error
        for message in messages:
            if message.topic != TURNS_TOPIC:
                self.apply(conn, message)

    def _take_all(self, turns: list[Message]) -> None:
        for turn in turns:
            self._take(turn)

    def apply(self, conn: Conn, message: Message) -> None:
        data = message.json()
        conn.execute(
            "INSERT INTO ai_inbox (position, topic, subject, event_type, payload) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (position) DO NOTHING",
            (message.position, message.topic, UUID(data["originator_id"]), message.event_type, Jsonb(data)),
        )

    def _take(self, message: Message) -> None:
        """The turn's use case writes in its own transactions (module docstring:
        why taking it again changes nothing)."""
        turn = message.json()
        handler = self.turns.get(turn["kind"])
        if handler is None:
            raise LookupError(f"no handler for turns of kind {turn['kind']!r}")
        handler(UUID(turn["subject"]), datetime.fromisoformat(turn["due"]))
        with self._lock:
            self.taken += 1
