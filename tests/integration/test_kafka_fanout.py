"""Fan-out on a real Apache Kafka broker: the relay, CloudEvents headers,
crash recovery, broker outages, and consumer groups."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

from domain.kernel.aggregate import ERASED
from infra.crypto import open_fields
from infra.entrypoints.bootstrap import Container
from infra.fanout.kafka_consumer import KafkaConsumerLoop
from infra.fanout.messages import event_id, kafka_topic
from infra.fanout.telemetry import TelemetryConsumer, client_telemetry_message
from tests.fixtures.db import make_settings
from tests.integration.kafka_helpers import kafka_threads, read_all, wait_until
from tests.integration.workload import play
from tests.support import app_of

ROOT = Path(__file__).resolve().parents[2]


def telemetry(container) -> TelemetryConsumer:
    return TelemetryConsumer(container.store.mapper.decode_state, keys=container.keys)


def stored_events(container) -> list[dict]:
    with container.pool.connection() as conn:
        return conn.execute(
            "SELECT notification_id, originator_id, originator_version, topic FROM lorekeeper_events "
            "ORDER BY notification_id"
        ).fetchall()


def telemetry_rows(container) -> int:
    with container.pool.connection() as conn:
        return conn.execute("SELECT count(*) AS n FROM narrative.telemetry_events").fetchone()["n"]


def test_every_event_reaches_its_topic_in_order_with_cloudevents_headers(kafka_container, kafka):
    play(app_of(kafka_container), players=6)
    relay = kafka_container.relay
    relay.setup()
    relay.catch_up()
    events = stored_events(kafka_container)
    messages = read_all(kafka.bootstrap_servers, expect=len(events))

    by_position = {m.position: m for m in messages}
    assert set(by_position) == {e["notification_id"] for e in events}
    for e in events:
        m = by_position[e["notification_id"]]
        assert m.topic == kafka_topic(e["topic"])
        assert m.key == str(e["originator_id"]).encode()
        assert m.headers["ce_specversion"] == "1.0"
        assert m.headers["ce_id"] == str(event_id(e["originator_id"], e["originator_version"]))
        assert m.headers["ce_type"] == e["topic"]
        assert m.headers["ce_subject"] == str(e["originator_id"])
        assert m.headers["ce_source"].startswith("/lorekeeper/")
        assert m.headers["ce_time"] == m.json()["timestamp"]
        assert m.json()["originator_version"] == e["originator_version"]

    per_key = defaultdict(list)
    for m in sorted(messages, key=lambda m: (m.topic, m.partition, m.offset)):
        per_key[m.key].append(m.json()["originator_version"])
    for versions in per_key.values():
        assert versions == list(range(1, len(versions) + 1)), "events of one aggregate out of order"
    assert {m.topic for m in messages} == {"lorekeeper.player", "lorekeeper.save_slot", "lorekeeper.holdings"}


RELAY = [sys.executable, "-m", "infra.entrypoints.cli", "relay"]


def relay_env(container, kafka) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": container.settings.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
        "LOREKEEPER_DATA_DIR": str(container.settings.data_dir),
        "LOREKEEPER_JWT_SECRET": "x" * 40,
        "LOREKEEPER_RELAY_BATCH_SIZE": "10",
        "PYTHONPATH": str(ROOT),
    }


def test_a_relay_killed_mid_stream_loses_nothing_and_consumers_apply_once(kafka_container, kafka):
    play(app_of(kafka_container), players=40, saves=5)
    head = stored_events(kafka_container)[-1]["notification_id"]
    relay_reader = kafka_container.relay
    relay_reader.setup()
    rng = random.Random(3)
    kills = []
    for _ in range(10):
        proc = subprocess.Popen(RELAY, cwd=ROOT, env=relay_env(kafka_container, kafka), stdout=subprocess.DEVNULL)
        started_at = kills[-1] if kills else 0
        wait_until(lambda p=proc, s=started_at: relay_reader.position() > s or p.poll() is not None, 60)
        time.sleep(rng.uniform(0, 0.3))
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        kills.append(relay_reader.position())
        if kills[-1] >= head:
            break
    assert any(0 < k < head for k in kills), f"no kill landed mid-stream: {kills}"
    relay_reader.catch_up()

    messages = read_all(kafka.bootstrap_servers, expect=head)
    assert {m.position for m in messages} == set(range(1, head + 1)), "an event never reached Kafka"

    loop = KafkaConsumerLoop(telemetry(kafka_container), kafka_container.pool, kafka.bootstrap_servers)
    wait_until(lambda: loop.poll_once() == 0 and loop.processed >= head, 60, 0, "consumer to drain")
    assert loop.processed == head, "a redelivered event was applied twice"
    assert telemetry_rows(kafka_container) == head
    loop.close()


def test_commands_succeed_while_the_broker_is_down_and_the_relay_catches_up(kafka_container, kafka):
    relay_thread = threading.Thread(target=kafka_container.run_relay, daemon=True)
    relay_thread.start()
    app = app_of(kafka_container)
    owner = app.accounts.create_player().aggregate
    slot = app.narrative.open_save_slot(owner.id, "main").aggregate
    version = slot.version

    def save(n: int) -> None:
        nonlocal version
        for i in range(n):
            version = app.narrative.save_progress(slot.id, {"i": i}, expected_version=version).aggregate.version

    save(20)
    wait_until(lambda: kafka_container.relay.position() >= stored_events(kafka_container)[-1]["notification_id"], 30)
    kafka.stop()
    save(50)  # every command succeeds with Kafka gone
    down_head = stored_events(kafka_container)[-1]["notification_id"]
    assert kafka_container.relay.position() < down_head
    kafka.start()
    save(10)
    head = stored_events(kafka_container)[-1]["notification_id"]
    wait_until(lambda: kafka_container.relay.position() >= head, 90, 0.2, "relay to catch up")
    kafka_container.relay_follower.stop()
    relay_thread.join(30)
    positions = {m.position for m in read_all(kafka.bootstrap_servers, expect=head)}
    assert positions == set(range(1, head + 1))


def test_a_consumer_group_of_two_splits_the_partitions_and_processes_each_event_once(kafka_container, kafka):
    play(app_of(kafka_container), players=30)
    relay = kafka_container.relay
    relay.setup()
    relay.catch_up()
    head = stored_events(kafka_container)[-1]["notification_id"]
    members = [
        KafkaConsumerLoop(telemetry(kafka_container), kafka_container.pool, kafka.bootstrap_servers, client_id=f"m{i}")
        for i in range(2)
    ]
    threads = [threading.Thread(target=m.run, daemon=True) for m in members]
    for t in threads:
        t.start()
    wait_until(lambda: sum(m.processed for m in members) >= head, 90, 0.2, "the group to process every event")
    time.sleep(2)  # anything applied twice would show up now
    assignments = [m.assignment() for m in members]
    for m in members:
        m.stopping.set()
    for t in threads:
        t.join(30)
    assert all(assignments), f"a member got no partitions: {assignments}"
    assert not (assignments[0] & assignments[1]), "members share a partition"
    assert sum(m.processed for m in members) == head
    assert telemetry_rows(kafka_container) == head


def test_consumers_skip_what_they_already_processed(kafka_container, kafka):
    play(app_of(kafka_container), players=3)
    relay = kafka_container.relay
    relay.setup()
    relay.catch_up()
    messages = read_all(kafka.bootstrap_servers)
    consumer = telemetry(kafka_container)
    consumer.setup(kafka_container.pool)
    with kafka_container.pool.connection() as conn, conn.transaction():
        first = consumer.handle(conn, messages)
    with kafka_container.pool.connection() as conn, conn.transaction():
        again = consumer.handle(conn, messages)
    with kafka_container.pool.connection() as conn, conn.transaction():
        doubled = telemetry(kafka_container)
        doubled.name = "telemetry-doubled"
        twice_in_one_batch = doubled.handle(conn, messages + messages)
    assert first == (len(messages), [])
    assert again == (0, [])
    assert twice_in_one_batch == (len(messages), [])
    assert telemetry_rows(kafka_container) == len(messages)


def test_telemetry_leaves_out_players_who_opted_out(kafka_container, kafka):
    app = app_of(kafka_container)
    keeps = app.accounts.create_player("keeps").aggregate
    leaves = app.accounts.create_player("leaves").aggregate
    app.accounts.update_player(leaves.id, telemetry_opt_out=True)
    app.narrative.open_save_slot(leaves.id, "hidden")
    app.narrative.open_save_slot(keeps.id, "shown")
    relay = kafka_container.relay
    relay.setup()
    relay.catch_up()
    loop = KafkaConsumerLoop(telemetry(kafka_container), kafka_container.pool, kafka.bootstrap_servers)
    head = stored_events(kafka_container)[-1]["notification_id"]
    wait_until(lambda: (loop.poll_once() or True) and loop.processed >= head, 60, 0, "consumer")
    loop.close()
    with kafka_container.pool.connection() as conn:
        rows = conn.execute(
            "SELECT account_id, event_type FROM narrative.telemetry_events ORDER BY timestamp"
        ).fetchall()
    kept = [r["event_type"] for r in rows if r["account_id"] == keeps.id]
    left = [r["event_type"] for r in rows if r["account_id"] == leaves.id]
    assert "lorekeeper.save_slot.Created" in kept
    # Only what happened before the opt-out is kept for the player who left,
    # although the slot's events travel on another topic than the opt-out.
    assert left == ["lorekeeper.player.Created", "lorekeeper.player.Seen"]


def test_kafka_payloads_carry_personal_fields_sealed_only(kafka_container, kafka):
    """The relay publishes what the store holds: personal fields sealed under the
    player's key, so erasure (destroying the key) reaches every copy in Kafka."""
    app = app_of(kafka_container)
    player = app.accounts.create_player("Grace Hopper").aggregate
    app.accounts.register_credentials(player.id, "grace_h", "grace@example.org", "$argon2id$fake")
    app.accounts.link_platform(player.id, "steam", "7656110000042")
    relay = kafka_container.relay
    relay.setup()
    relay.catch_up()
    messages = read_all(kafka.bootstrap_servers, expect=len(stored_events(kafka_container)))
    blob = b"".join(m.value + str(m.headers).encode() for m in messages)
    for secret in (b"Grace Hopper", b"grace_h", b"grace@example.org", b"7656110000042", b"$argon2id"):
        assert secret not in blob
    assert sum("$personal" in m.json() for m in messages) >= 4
    created = next(m.json() for m in messages if m.event_type == "lorekeeper.player.Created")
    # While the key exists, a consumer can open them; once destroyed, nobody can.
    assert open_fields(kafka_container.keys, dict(created))["display_name"] == "Grace Hopper"
    kafka_container.keys.destroy(player.id)
    assert open_fields(kafka_container.keys, dict(created))["display_name"] == ERASED


def test_a_closed_container_leaves_no_kafka_client_behind(database, tmp_path, kafka):
    """The relay's producer and the telemetry sink's each run a network thread;
    closing the container ends both (the sink's producer was left running, one
    thread per container, for the life of the process)."""
    before = kafka_threads()
    settings = make_settings(database, tmp_path / "app", kafka_bootstrap_servers=kafka.bootstrap_servers)
    container = Container(settings)
    container.setup()
    player = app_of(container).accounts.create_player("Ada").aggregate
    container.relay.setup()
    container.relay.catch_up()
    event = {"event_id": str(uuid.uuid4()), "event_type": "level_started", "payload": {}, "timestamp": "2026-01-01"}
    container.telemetry_sink.publish([client_telemetry_message(player.id, event)])
    assert len(kafka_threads() - before) >= 2, "the relay and the sink each connected"
    container.close()
    assert kafka_threads() - before == set()
    sent = read_all(kafka.bootstrap_servers, pattern=r"^lorekeeper\.telemetry$", expect=1)
    assert [m.event_type for m in sent] == ["client.level_started"], "what was published before the close arrived"
