"""Replaying history through Kafka (docs/analysts.md): a fresh consumer group
reads a topic from the beginning, and ``lorekeeper relay --from --until``
re-publishes a range without moving the live relay, whose consumers drop the
repeats."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter, defaultdict

from infra.fanout.kafka_consumer import KafkaConsumerLoop
from tests.integration.kafka_helpers import read_all, wait_until
from tests.integration.test_kafka_fanout import ROOT, relay_env, stored_events, telemetry, telemetry_rows
from tests.integration.workload import play
from tests.support import app_of


def test_a_fresh_group_replays_a_topic_and_a_range_is_republished_without_moving_the_relay(kafka_container, kafka):
    play(app_of(kafka_container), players=5)
    relay = kafka_container.relay
    relay.setup()
    relay.catch_up()
    events = stored_events(kafka_container)
    head = events[-1]["notification_id"]
    slot_positions = [e["notification_id"] for e in events if e["topic"].startswith("lorekeeper.save_slot.")]

    # From the beginning, with a group nobody used: every save-slot event, each aggregate's in order.
    replayed = read_all(kafka.bootstrap_servers, pattern=r"^lorekeeper\.save_slot$", expect=len(slot_positions))
    assert sorted(m.position for m in replayed) == slot_positions
    per_key = defaultdict(list)
    for m in sorted(replayed, key=lambda m: (m.partition, m.offset)):
        per_key[m.key].append(m.position)
    assert all(positions == sorted(positions) for positions in per_key.values())

    # Re-publish a range: the live relay's position stays where it was.
    first, last = slot_positions[1], slot_positions[len(slot_positions) // 2]
    republished = subprocess.run(
        [sys.executable, "-m", "infra.entrypoints.cli", "relay", "--from", str(first), "--until", str(last)],
        cwd=ROOT,
        env=relay_env(kafka_container, kafka),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert republished.returncode == 0, republished.stderr
    assert f"re-published {last - first + 1} events" in republished.stdout
    assert relay.position() == head

    everything = read_all(kafka.bootstrap_servers, expect=head + (last - first + 1))
    counts = Counter(m.position for m in everything)
    assert {p for p, n in counts.items() if n == 2} == set(range(first, last + 1))
    assert {p for p, n in counts.items() if n == 1} == set(range(1, head + 1)) - set(range(first, last + 1))
    ids = defaultdict(set)
    for m in everything:
        ids[m.position].add(m.headers["ce_id"])
    assert all(len(v) == 1 for v in ids.values()), "a re-published event changed its ce_id"

    # Lorekeeper's own consumers apply each event once, repeats and all.
    loop = KafkaConsumerLoop(telemetry(kafka_container), kafka_container.pool, kafka.bootstrap_servers)
    wait_until(lambda: loop.poll_once() == 0 and loop.processed >= head, 60, 0, "consumer to drain")
    assert loop.processed == head
    assert telemetry_rows(kafka_container) == head
    loop.close()
