"""The relay: publishes every stored event to Kafka, in log order.

At least once, in order per aggregate. Each batch reads a window of the log
(as a ``TrackedReader``), sends every event to ``lorekeeper.<aggregate>`` with
an idempotent ``acks=all`` producer, waits until Kafka acknowledged all of
them, and only then commits the window's end as its position. A crash before
that commit re-sends the window after restart; consumers drop what they have
already processed by its ``position``. One relay serves one event store: a
session advisory lock makes any second relay wait as a hot standby.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

import psycopg
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError
from psycopg.rows import dict_row

from infra.fanout.clients import started
from infra.fanout.messages import TELEMETRY_TOPIC, Message, from_notification
from projections.db import Conn, Pool
from projections.tracking import EventLog, TrackedReader

log = logging.getLogger(__name__)

RELAY_LOCK = 0x4C4B5245  # pg advisory lock key: one active relay per event store
SEND_TIMEOUT_SECONDS = 30


def producer(bootstrap_servers: str, **overrides: Any) -> KafkaProducer:
    """The idempotent, acks=all producer the relay and the API use."""
    config: dict[str, Any] = {
        "bootstrap_servers": bootstrap_servers,
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": 5,
        "batch_size": 256 * 1024,
        "max_block_ms": 5000,
        "request_timeout_ms": 10000,
        "delivery_timeout_ms": 30000,
        "client_id": "lorekeeper",
    }
    config.update(overrides)
    return KafkaProducer(**config)


def send_all(kafka: KafkaProducer, messages: list[Message], timeout: float = SEND_TIMEOUT_SECONDS) -> None:
    """Send every message and wait for every acknowledgement, or raise."""
    futures = [kafka.send(m.topic, key=m.key, value=m.value, headers=m.kafka_headers()) for m in messages]
    kafka.flush(timeout=timeout)
    for future in futures:
        future.get(timeout=timeout)


class TopicManager:
    """Creates the topics the relay needs, once each, with the configured partitions."""

    def __init__(self, bootstrap_servers: str, partitions: int) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.partitions = partitions
        self.known: set[str] = set()

    def ensure(self, topics: set[str]) -> None:
        missing = topics - self.known
        if not missing:
            return
        # Bounded: with the broker down, whoever asks waits seconds, not the 30 s default.
        admin = started(
            KafkaAdminClient,
            bootstrap_servers=self.bootstrap_servers,
            request_timeout_ms=10000,
            bootstrap_timeout_ms=5000,
        )
        try:
            existing = set(admin.list_topics())
            to_create = [NewTopic(t, self.partitions, 1) for t in missing - existing]
            if to_create:
                with contextlib.suppress(TopicAlreadyExistsError):  # a racing creator won
                    admin.create_topics(to_create)
        finally:
            admin.close()
        self.known |= missing


class Relay(TrackedReader):
    def __init__(
        self,
        pool: Pool,
        log: EventLog,
        decode: Callable[[bytes], dict[str, Any]],
        bootstrap_servers: str,
        *,
        partitions: int = 3,
        batch_size: int = 1000,
    ) -> None:
        super().__init__(pool, log, tracking_name="relay:kafka", batch_size=batch_size)
        self.decode = decode
        self.bootstrap_servers = bootstrap_servers
        self.topics_manager = TopicManager(bootstrap_servers, partitions)
        self._producer: KafkaProducer | None = None
        self._lock_conn: Conn | None = None

    def setup(self) -> None:
        super().setup()
        self.topics_manager.ensure({TELEMETRY_TOPIC})

    def acquire_leadership(self, conninfo: str, wait: Callable[[float], bool]) -> bool:
        """Hold the relay lock on a dedicated session; False if told to stop first."""
        while True:
            conn = psycopg.connect(conninfo, autocommit=True, connect_timeout=5, row_factory=dict_row)
            row = conn.execute("SELECT pg_try_advisory_lock(%s) AS got", (RELAY_LOCK,)).fetchone()
            got = bool(row and row["got"])
            if got:
                self._lock_conn = conn
                return True
            conn.close()
            log.info("another relay is active; standing by")
            if wait(2.0):
                return False

    def process(self, conn: Conn, notifications: Sequence[Any]) -> None:
        """Publish the window. Nothing here is poison: a failure to publish is
        Kafka's (down, slow), so the window is retried, never dead-lettered."""
        messages = [from_notification(n, self.decode) for n in notifications]
        self.publish(messages)

    def apply(self, conn: Conn, notifications: Sequence[Any]) -> list[dict[str, Any]]:
        self.process(conn, notifications)
        return []

    def publish(self, messages: list[Message]) -> None:
        """Send and wait for every acknowledgement, or raise (nothing is recorded)."""
        self.topics_manager.ensure({m.topic for m in messages})
        if self._producer is None:
            self._producer = producer(self.bootstrap_servers)
        try:
            send_all(self._producer, messages)
        except Exception:
            # Start clean next time: a new producer, and the window is re-sent.
            self.close_producer()
            raise

    def republish(self, first: int, last: int | None, progress: Callable[[int, int], None] | None = None) -> int:
        """Send positions ``first..last`` (inclusive; the head if None) again, in
        windows, without the tracking row or the leadership lock: the live relay
        goes on undisturbed, and consumers drop what they processed already (by
        position). Returns how many events were sent."""
        with self.pool.connection() as conn:
            head = self.log.head(conn)
        last = head if last is None else min(last, head)
        position, sent = first - 1, 0
        try:
            while position < last:
                upto = min(last, position + self.batch_size)
                with self.pool.connection() as conn:
                    notifications = self.log.read(conn, position, upto)
                self.publish([from_notification(n, self.decode) for n in notifications])
                sent += len(notifications)
                position = upto
                if progress is not None:
                    progress(position, last)
        finally:
            self.close_producer()
        return sent

    def close_producer(self) -> None:
        if self._producer is not None:
            try:
                self._producer.close(timeout=1)
            finally:
                self._producer = None

    def close(self) -> None:
        self.close_producer()
        if self._lock_conn is not None:
            self._lock_conn.close()
            self._lock_conn = None
