"""Reading topics back, for assertions."""

from __future__ import annotations

import threading
import time
import uuid

from kafka import KafkaConsumer

from infra.fanout.clients import started
from infra.fanout.messages import Message


def read_all(bootstrap: str, pattern: str = r"^lorekeeper\..*", expect: int = 0, timeout: float = 30) -> list[Message]:
    """Every message on the matching topics (a fresh group, from the start)."""
    consumer = started(
        KafkaConsumer,
        bootstrap_servers=bootstrap,
        group_id=f"test-{uuid.uuid4()}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        metadata_max_age_ms=1000,
    )
    consumer.subscribe(pattern=pattern)
    messages: list[Message] = []
    deadline = time.monotonic() + timeout
    quiet_since = time.monotonic()
    try:
        while time.monotonic() < deadline:
            batch = consumer.poll(timeout_ms=500)
            fresh = [Message.from_kafka(r) for records in batch.values() for r in records]
            messages += fresh
            if fresh:
                quiet_since = time.monotonic()
            elif len(messages) >= expect and time.monotonic() - quiet_since > 2:
                break
    finally:
        consumer.close()
    return messages


def wait_until(predicate, timeout: float = 30, interval: float = 0.1, message: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {message}")
        time.sleep(interval)


def kafka_threads() -> set[threading.Thread]:
    """kafka-python's threads: a producer's sender (``<client id>-network-thread``),
    a consumer's or an admin client's event loop (``kafka-io-<client id>``)."""
    return {t for t in threading.enumerate() if t.name.startswith("kafka-io") or t.name.endswith("-network-thread")}
