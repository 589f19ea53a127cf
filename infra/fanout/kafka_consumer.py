"""A consumer as a member of its Kafka consumer group.

Offsets are committed to Kafka only after the consumer's effects (and the
positions they cover) are committed to PostgreSQL. A crash in between means
Kafka redelivers; the recorded positions make the redelivery change nothing.
More members of one group share the partitions: that is how fan-out scales.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from kafka import KafkaConsumer, KafkaProducer

from infra.fanout.clients import started
from infra.fanout.consumers import Consumer
from infra.fanout.messages import Message
from infra.fanout.relay import send_all
from projections import dead_letters
from projections.db import Pool

log = logging.getLogger(__name__)


class KafkaConsumerLoop:
    def __init__(
        self,
        consumer: Consumer,
        pool: Pool,
        bootstrap_servers: str,
        *,
        max_records: int = 500,
        poll_ms: int = 500,
        client_id: str | None = None,
    ) -> None:
        self.consumer = consumer
        self.pool = pool
        self.bootstrap_servers = bootstrap_servers
        self.max_records = max_records
        self.poll_ms = poll_ms
        self.client_id = client_id or f"{consumer.group_id}-{threading.get_ident()}"
        self.processed = 0
        self.reader_name = f"consumer:{consumer.name}"  # its dead letters
        self.stopping = threading.Event()
        self._kafka: KafkaConsumer | None = None

    def _connect(self) -> KafkaConsumer:
        kafka = started(
            KafkaConsumer,
            bootstrap_servers=self.bootstrap_servers,
            group_id=self.consumer.group_id,
            client_id=self.client_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self.max_records,
            session_timeout_ms=10000,
            heartbeat_interval_ms=2000,
            # Pattern subscriptions see new topics only on a metadata refresh.
            metadata_max_age_ms=5000,
            request_timeout_ms=30000,
        )
        kafka.subscribe(pattern=self.consumer.pattern)
        return kafka

    def poll_once(self) -> int:
        """One poll: apply what arrived, then commit offsets. Returns messages applied."""
        if self._kafka is None:
            self.consumer.setup(self.pool)
            self._kafka = self._connect()
        batches = self._kafka.poll(timeout_ms=self.poll_ms, max_records=self.max_records)
        messages = [Message.from_kafka(r) for records in batches.values() for r in records]
        if not messages:
            return 0
        with self.pool.connection() as conn, conn.transaction():
            applied, failures = self.consumer.handle(conn, messages)
            for failure in failures:
                dead_letters.record(conn, self.reader_name, **failure)
        # Counted once PostgreSQL has it: a commit to Kafka refused by a
        # rebalance means a redelivery, which the positions then skip.
        self.processed += applied
        self._kafka.commit()
        return applied

    def assignment(self) -> set[Any]:
        return set(self._kafka.assignment()) if self._kafka is not None else set()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.poll_once()
            except Exception:
                log.exception("%s: batch failed; reconnecting", self.consumer.group_id)
                self.close()
                self.stopping.wait(1.0)
        self.close()

    def close(self) -> None:
        if self._kafka is not None:
            try:
                self._kafka.close(autocommit=False)
            finally:
                self._kafka = None


class KafkaTelemetrySink:
    """Client telemetry to ``lorekeeper.telemetry``, acknowledged before the 202."""

    def __init__(self, producer: KafkaProducer, timeout: float = 10.0) -> None:
        self.producer = producer
        self.timeout = timeout

    def publish(self, messages: list[Message]) -> None:
        send_all(self.producer, messages, self.timeout)

    def close(self) -> None:
        """What is sent is flushed (boundedly); the producer's network thread ends."""
        self.producer.close(timeout=self.timeout)
