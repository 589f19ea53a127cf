"""Heroes' turns through the ``lorekeeper-ai`` consumer group on a real Apache
Kafka broker: the timer worker hands each due turn to Kafka, members of the
group take them through the tycoon use cases, and each decision is written
exactly once although Kafka redelivers (a member that crashed before its
offset commit) and members are killed with SIGKILL mid-stream. With the
broker down, turns stay due (no timer is blamed) and go when it is back.

"Exactly once, nothing lost" is checked on each hero's own history: every
decision is taken at the minute the previous action ended (a lost turn would
leave the hero stalled behind; a duplicate would be a second decision at one
minute), and every hero is up to date at the end."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from domain.tycoon import Hero, TycoonUseCases
from infra.fanout.ai import TURNS_TOPIC, AiConsumer, TurnsNotHandedOver
from infra.fanout.kafka_consumer import KafkaConsumerLoop
from tests.integration.kafka_helpers import read_all, wait_until
from tests.unit.tycoon.helpers import BRAVE

ROOT = Path(__file__).resolve().parents[2]
RATIO = 3600  # a real second is a game hour: actions end every few seconds


def a_guild(container, heroes: int) -> list[UUID]:
    game = container.use(TycoonUseCases)
    player = uuid4()
    world = game.found_world(player, "Aldmere", 11, RATIO).aggregate.id
    traits = [{**BRAVE, "courage": 20 + 7 * i} for i in range(heroes)]
    return [game.recruit(player, world, f"Hero {i}", t, i).aggregate.id for i, t in enumerate(traits)]


def decisions(container, hero_id: UUID) -> list[Hero.Decided]:
    container.store.evict(hero_id)
    events = container.store.repository.event_store.get(hero_id)
    return [e for e in events if isinstance(e, Hero.Decided)]


def assert_lived_once_each(container, heroes: list[UUID], until: datetime | None = None) -> int:
    """Every hero's decisions follow one another without a gap or a repeat,
    and every hero has lived up to ``until``; returns the decisions counted."""
    total = 0
    for hero_id in heroes:
        decided = decisions(container, hero_id)
        minutes = [d.minute for d in decided]
        assert minutes == sorted(set(minutes)), f"hero {hero_id} decided twice at one minute: {minutes}"
        assert [d.decision for d in decided] == list(range(1, len(decided) + 1))
        for before, after in pairwise(decided):
            assert after.minute == before.ends_minute, f"hero {hero_id}: a turn lost or taken early"
        last = decided[-1]
        if until is not None:
            assert last.ends_at is None or last.ends_at > until, f"hero {hero_id} stalled at {last.ends_at}"
        total += len(decided)
    return total


def fire_and_schedule(container, now: datetime) -> int:
    """Set the timers the new decisions call for, then hand every due turn to Kafka."""
    container.follower.run_once()
    return container.timer_worker.fire_due(now)


class Crash(BaseException):
    """A member dying after its turns' writes, before its offset commit."""


class DiesBeforeCommitting(AiConsumer):
    def handle(self, conn, messages):
        super().handle(conn, messages)
        self.batch = [UUID(m.json()["subject"]) for m in messages]
        raise Crash


def test_a_turn_kafka_redelivers_is_taken_again_and_writes_nothing(kafka_container, kafka):
    heroes = a_guild(kafka_container, 8)
    consumer = kafka_container.consumers["ai"]
    assert isinstance(consumer, AiConsumer)
    now = datetime.now(UTC)
    assert fire_and_schedule(kafka_container, now) == len(heroes)  # each hero's first turn, to Kafka

    dying = DiesBeforeCommitting(consumer.turns)
    first = KafkaConsumerLoop(dying, kafka_container.pool, kafka.bootstrap_servers, client_id="first")
    try:
        wait_until(lambda: _crashed(first), 60, 0, "the first member to take a batch and die")
    finally:
        first.close()  # no offset commit: Kafka redelivers the batch
    assert dying.taken == len(dying.batch) > 0
    written_once = {h: len(decisions(kafka_container, h)) for h in dying.batch}
    assert all(n == 1 for n in written_once.values())

    second = KafkaConsumerLoop(consumer, kafka_container.pool, kafka.bootstrap_servers, client_id="second")
    wait_until(lambda: second.poll_once() == 0 and consumer.taken >= len(heroes), 60, 0, "the redelivery")
    assert consumer.taken == len(heroes), "every turn, the ones taken before the crash too"
    for hero in dying.batch:
        assert len(decisions(kafka_container, hero)) == 1, "a redelivered turn wrote again"

    # Three more rounds, each hero's next turn due where its action ends.
    for _ in range(3):
        now += timedelta(hours=1)  # many game days
        assert fire_and_schedule(kafka_container, now) == len(heroes)
        before = consumer.taken
        wait_until(lambda b=before: second.poll_once() == 0 and consumer.taken >= b + len(heroes), 60, 0)
    second.close()
    assert len(read_all(kafka.bootstrap_servers, f"^{TURNS_TOPIC}$", expect=4 * len(heroes))) == 4 * len(heroes)
    assert assert_lived_once_each(kafka_container, heroes) == 4 * len(heroes)


def _crashed(loop: KafkaConsumerLoop) -> bool:
    try:
        loop.poll_once()
    except Crash:
        return True
    return False


CONSUME = [sys.executable, "-m", "infra.entrypoints.cli", "consume", "ai"]


@dataclass
class Killings:
    kills: int = 0
    stopped_at: datetime | None = None  # when the last kill was done


@contextmanager
def members_killed(container, kafka, seed: int, seconds: float, pause: tuple[float, float],
                   each_round: Callable[[], object] = lambda: None) -> Iterator[Killings]:  # fmt: skip
    """The backend's background work, and two ``lorekeeper consume ai`` members
    for ``seconds``: each round ``each_round`` runs (triggers keep coming), then
    one member at random is SIGKILLed after a ``pause`` and replaced. Then one
    fresh member drains what the killed ones left while the block runs."""
    env = {
        **os.environ,
        "DATABASE_URL": container.settings.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
        "LOREKEEPER_DATA_DIR": str(container.settings.data_dir),
        "LOREKEEPER_JWT_SECRET": "x" * 40,
        "PYTHONPATH": str(ROOT),
    }
    container.start_background()  # timers set from the log and handed to Kafka as they come due
    members: list[subprocess.Popen[bytes]] = []
    rng = random.Random(seed)
    killings = Killings()
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            members = [m for m in members if m.poll() is None]
            while len(members) < 2:
                members.append(subprocess.Popen(CONSUME, cwd=ROOT, env=env, stdout=subprocess.DEVNULL))
            each_round()
            time.sleep(rng.uniform(*pause))
            victim = rng.choice(members)
            victim.send_signal(signal.SIGKILL)
            victim.wait(10)
            killings.kills += 1
        killings.stopped_at = datetime.now(UTC)
        members.append(subprocess.Popen(CONSUME, cwd=ROOT, env=env, stdout=subprocess.DEVNULL))
        yield killings
    finally:
        container.stop_background()
        for member in members:
            member.send_signal(signal.SIGKILL)
            member.wait(10)


def test_members_killed_mid_stream_lose_no_turn_and_repeat_none(kafka_container, kafka):
    heroes = a_guild(kafka_container, 10)  # all the starting gold buys
    with members_killed(kafka_container, kafka, seed=5, seconds=25, pause=(2, 5)) as killed:
        # A fresh member drains what the killed ones left; then every hero is up to date.
        stopped_at = killed.stopped_at
        wait_until(lambda: _up_to_date(kafka_container, heroes, stopped_at), 90, 0.5, "every hero to be up to date")
    assert killed.kills >= 4
    assert assert_lived_once_each(kafka_container, heroes, stopped_at) >= 5 * len(heroes)


def _up_to_date(container, heroes: list[UUID], at: datetime) -> bool:
    for hero_id in heroes:
        last = decisions(container, hero_id)[-1]
        if last.ends_at is not None and last.ends_at <= at:
            return False
    return True


def test_turns_stay_due_while_the_broker_is_down_and_go_when_it_returns(kafka_container, kafka):
    heroes = a_guild(kafka_container, 3)
    kafka.stop()
    with pytest.raises(TurnsNotHandedOver):
        fire_and_schedule(kafka_container, datetime.now(UTC))
    with kafka_container.pool.connection() as conn:
        waiting = conn.execute("SELECT subject, attempts FROM lorekeeper_timers").fetchall()
    assert sorted(t["subject"] for t in waiting) == sorted(heroes)
    assert all(t["attempts"] == 0 for t in waiting), "no timer is blamed for the broker"
    kafka.start()
    wait_until(lambda: _handed_over(kafka_container) == len(heroes), 90, 1.0, "the turns to go once it is back")
    assert len(read_all(kafka.bootstrap_servers, f"^{TURNS_TOPIC}$", expect=len(heroes))) == len(heroes)


def _handed_over(container) -> int:
    try:
        return container.timer_worker.fire_due(datetime.now(UTC))
    except ConnectionError:
        return 0
