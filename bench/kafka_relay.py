"""Kafka fan-out, against a real local broker:

(a) relay throughput next to a raw kafka-python producer sending the same
    messages (same producer settings: idempotent, acks=all) in the same run;
(b) latency from commit to consumer at a steady 1,000 events/s.
"""

from __future__ import annotations

import threading
import time
import uuid

import typer
from kafka import KafkaConsumer

from bench.common import median, report, scratch_container
from bench.projection_catchup import write_events
from infra.fanout.clients import started
from infra.fanout.messages import from_notification
from infra.fanout.relay import TopicManager, producer
from infra.kafka_broker import LocalKafka
from projections.tracking import TRACKING_TABLE
from tests.support import app_of


def time_raw_producer(bootstrap: str, messages: list) -> float:
    topics = TopicManager(bootstrap, 3)
    prefix = f"bench.raw.{uuid.uuid4().hex[:6]}."
    topics.ensure({prefix + m.topic for m in messages})
    raw = producer(bootstrap)
    started = time.perf_counter()
    futures = [raw.send(prefix + m.topic, key=m.key, value=m.value, headers=m.kafka_headers()) for m in messages]
    raw.flush(timeout=120)
    for f in futures:
        f.get(timeout=60)
    elapsed = time.perf_counter() - started
    raw.close()
    return elapsed


def time_relay(container) -> float:
    relay = container.relay
    relay.setup()
    with container.pool.connection() as conn:
        conn.execute(f"UPDATE {TRACKING_TABLE} SET position = 0 WHERE name = %s", (relay.tracking_name,))
    relay.topics_manager.ensure({"lorekeeper.save_slot"})
    started = time.perf_counter()
    relay.catch_up()
    return time.perf_counter() - started


def latency(container, bootstrap: str, rate: int, seconds: float) -> list[float]:
    """Milliseconds from a command's commit to a consumer receiving its event."""
    app = app_of(container)
    owner = app.accounts.create_player().aggregate
    slots = [app.narrative.open_save_slot(owner.id, f"s{i}").aggregate for i in range(5)]
    slots += [
        app.narrative.open_save_slot(app.accounts.create_player().aggregate.id, f"s{i}").aggregate for i in range(15)
    ]
    committed: dict[int, float] = {}
    received: dict[int, float] = {}
    consumer = started(
        KafkaConsumer,
        bootstrap_servers=bootstrap,
        group_id=f"bench-{uuid.uuid4()}",
        auto_offset_reset="latest",
        metadata_max_age_ms=1000,
        fetch_max_wait_ms=5,
    )
    consumer.subscribe(["lorekeeper.save_slot"])
    while not consumer.assignment():
        consumer.poll(timeout_ms=200)
    stop = threading.Event()

    def consume() -> None:
        while not stop.is_set() or len(received) < len(committed):
            for records in consumer.poll(timeout_ms=100).values():
                now = time.perf_counter()
                for r in records:
                    position = int(dict(r.headers)["position"])
                    received.setdefault(position, now)
            if stop.is_set() and time.perf_counter() > deadline + 10:
                return

    def write(slot, per_second: float) -> None:
        version = slot.version
        interval = 1.0 / per_second
        next_at = time.perf_counter()
        while time.perf_counter() < deadline:
            written = app.narrative.save_progress(slot.id, {"t": time.time()}, expected_version=version)
            committed[written.position] = time.perf_counter()
            version = written.aggregate.version
            next_at += interval
            time.sleep(max(0.0, next_at - time.perf_counter()))

    relay_thread = threading.Thread(target=container.run_relay, daemon=True)
    relay_thread.start()
    time.sleep(1.0)
    deadline = time.perf_counter() + seconds
    reader = threading.Thread(target=consume, daemon=True)
    reader.start()
    writers = [threading.Thread(target=write, args=(s, rate / len(slots))) for s in slots]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    stop.set()
    reader.join(30)
    container.relay_follower.stop()
    consumer.close()
    return sorted((received[p] - t) * 1000 for p, t in committed.items() if p in received)


def main(rounds: int = 3, rate: int = 1000, seconds: float = 10.0) -> str:
    with LocalKafka() as kafka, scratch_container(kafka_bootstrap_servers=kafka.bootstrap_servers) as container:
        container.setup()
        events = write_events(container)
        notifications = container.store.recorder.select_notifications(start=1, limit=events + 10)
        messages = [from_notification(n, container.store.mapper.decode_state) for n in notifications]
        relay_rates, raw_rates = [], []
        for _ in range(rounds):
            raw_rates.append(len(messages) / time_raw_producer(kafka.bootstrap_servers, messages))
            relay_rates.append(events / time_relay(container))
        lat = latency(container, kafka.bootstrap_servers, rate, seconds)
    r, p = median(relay_rates), median(raw_rates)
    p50 = lat[len(lat) // 2]
    p99 = lat[int(len(lat) * 0.99)]
    return report(
        f"Kafka relay over {events:,} events ({rounds} rounds); latency at {rate}/s for {seconds:.0f} s",
        [
            ("relay (read store, publish, await acks, record position)", r, "events/s"),
            ("raw kafka-python producer, same messages and settings", p, "messages/s"),
            ("ratio (goal >= 0.7)", r / p, ""),
            ("events/s actually written during the latency run", len(lat) / seconds, "events/s"),
            (f"commit -> consumer p50 ({len(lat):,} events)", p50, "ms"),
            ("commit -> consumer p99 (goal < 100)", p99, "ms"),
        ],
    )


if __name__ == "__main__":
    typer.run(main)
