"""The timer worker on PostgreSQL: due timers fired once each, side by side;
a failing handler tried again after a pause, then dead-lettered; a timer of
no known kind dead-lettered at once; and a hand-over that fails (``flush``)
leaves every claimed timer to fire again."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from infra.timers import MAX_ATTEMPTS, TimerWorker
from projections import dead_letters

NOW = datetime.now(UTC)


def set_timers(container, kind: str, count: int, due: datetime = NOW) -> list[UUID]:
    subjects = [uuid4() for _ in range(count)]
    with container.pool.connection() as conn:
        for subject in subjects:
            conn.execute(
                "INSERT INTO lorekeeper_timers (kind, subject, due_at) VALUES (%s, %s, %s)", (kind, subject, due)
            )
    return subjects


def timers(container) -> list[dict]:
    with container.pool.connection() as conn:
        return conn.execute("SELECT kind, subject, attempts, last_error, due_at FROM lorekeeper_timers").fetchall()


def test_due_timers_fire_once_each_side_by_side_and_later_ones_wait(container):
    fired: list[UUID] = []
    threads: set[str] = set()
    lock = threading.Lock()

    def handler(subject: UUID, due: datetime) -> None:
        time.sleep(0.002)  # a handler waits for its commit
        with lock:
            fired.append(subject)
            threads.add(threading.current_thread().name)

    due = set_timers(container, "test.ping", 30)
    later = set_timers(container, "test.ping", 3, NOW + timedelta(hours=1))
    worker = TimerWorker(container.pool, {"test.ping": handler}, threads=4)
    assert worker.fire_due(NOW + timedelta(seconds=1)) == 30
    assert sorted(fired) == sorted(due)
    assert len(threads) > 1, "fired on one thread"
    assert worker.fire_due(NOW + timedelta(seconds=1)) == 0, "a fired timer is forgotten"
    assert sorted(t["subject"] for t in timers(container)) == sorted(later)
    worker.calls.close()


def test_a_failing_handler_is_tried_again_later_then_dead_lettered(container):
    (subject,) = set_timers(container, "test.fail", 1)

    def failing(subject: UUID, due: datetime) -> None:
        raise ValueError("the handler broke")

    worker = TimerWorker(container.pool, {"test.fail": failing})
    assert worker.fire_due(NOW) == 1
    (timer,) = timers(container)
    assert timer["attempts"] == 1 and timer["last_error"] == "ValueError: the handler broke"
    assert timer["due_at"] > NOW, "tried again after a pause"
    for attempt in range(2, MAX_ATTEMPTS + 1):
        assert worker.fire_due(datetime.now(UTC) + timedelta(hours=1)) == 1
        if attempt < MAX_ATTEMPTS:
            assert timers(container)[0]["attempts"] == attempt
    assert timers(container) == []
    with container.pool.connection() as conn:
        (letter,) = dead_letters.listed(conn, worker.tracking_name)
    assert letter.ref == f"test.fail/{subject}" and "the handler broke" in letter.error


def test_in_one_claim_the_timers_that_fired_are_forgotten_and_the_one_that_failed_stays(container):
    fine = set_timers(container, "test.ping", 5)
    (broken,) = set_timers(container, "test.fail", 1)

    def failing(subject: UUID, due: datetime) -> None:
        raise ValueError("the handler broke")

    worker = TimerWorker(container.pool, {"test.ping": lambda s, d: None, "test.fail": failing}, threads=2)
    assert worker.fire_due(NOW + timedelta(seconds=1)) == 6
    (left,) = timers(container)
    assert (left["subject"], left["attempts"]) == (broken, 1) and broken not in fine
    worker.calls.close()


def test_a_timer_of_no_known_kind_is_dead_lettered_at_once(container):
    (subject,) = set_timers(container, "test.nobody", 1)
    worker = TimerWorker(container.pool, {})
    assert worker.fire_due(NOW) == 1
    assert timers(container) == []
    with container.pool.connection() as conn:
        (letter,) = dead_letters.listed(conn, worker.tracking_name)
    assert letter.ref == f"test.nobody/{subject}" and "no handler" in letter.error


def test_a_hand_over_that_fails_leaves_every_claimed_timer_to_fire_again(container):
    subjects = set_timers(container, "test.turn", 5)
    sent: list[UUID] = []

    def broken_flush() -> None:
        raise ConnectionError("the broker did not acknowledge")

    worker = TimerWorker(container.pool, {"test.turn": lambda s, d: sent.append(s)}, flush=broken_flush)
    with pytest.raises(ConnectionError):
        worker.fire_due(NOW)
    assert sorted(sent) == sorted(subjects)
    assert sorted(t["subject"] for t in timers(container)) == sorted(subjects)
    assert all(t["attempts"] == 0 for t in timers(container)), "nothing was settled"
    worker.flush = lambda: None
    assert worker.fire_due(NOW) == 5
    assert timers(container) == []


def test_the_scheduler_leaves_what_the_last_change_to_each_timer_says_and_sets_aside_a_failing_policy(container):
    """A batch's changes go in two set-based statements, so each timer must end as
    if they had been made one by one, in order; a policy that raises costs its
    event only."""
    from types import SimpleNamespace

    from domain.kernel.timers import CancelTimer, SetTimer
    from infra.timers import TimerScheduler

    kept, dropped, cancelled = uuid4(), uuid4(), uuid4()
    set_at = [NOW + timedelta(minutes=m) for m in range(4)]
    plan = [  # each event's change, in log order
        SetTimer("check", kept, set_at[1]),
        SetTimer("check", dropped, set_at[1]),
        CancelTimer("check", kept),
        None,  # its policy raises
        CancelTimer("check", dropped),
        SetTimer("check", kept, set_at[3]),
        CancelTimer("check", cancelled),
    ]

    def policy(stored):
        change = plan[stored.originator_version - 1]
        if change is None:
            raise ValueError("a policy that cannot read this event")
        return [change]

    with container.pool.connection() as conn:
        conn.execute(
            "INSERT INTO lorekeeper_timers (kind, subject, due_at) VALUES ('check', %s, %s)", (cancelled, set_at[0])
        )
    scheduler = TimerScheduler(container.pool, container.event_log, lambda stored: stored, {"t": policy})
    notifications = [
        SimpleNamespace(id=i, originator_id=uuid4(), originator_version=i, topic="t", state=b"{}")
        for i in range(1, len(plan) + 1)
    ]
    with container.pool.connection() as conn, conn.transaction():
        failures = scheduler.apply(conn, notifications)
    assert [f["position"] for f in failures] == [4]
    rows = [r for r in timers(container) if r["kind"] == "check"]
    assert [(r["subject"], r["due_at"]) for r in rows] == [(kept, set_at[3])]


def test_a_claim_warms_what_its_handlers_load_before_they_fire(container):
    """The worker hands a claim's (kind, subject) pairs to ``warm`` before any
    handler runs; the container's warm-up reads them into the store's cache at
    once (timers handed to Kafka left out)."""
    from domain.adventure import Adventurer, AdventureUseCases

    game = container.use(AdventureUseCases)
    world = game.create_world("Warm", "flat", 1, {}, {}).aggregate.id
    owner = uuid4()
    made = [
        game.create_character(owner, world, f"C{n}", "warrior", {}, (8.0, 70.0, 8.0)).aggregate.id for n in range(3)
    ]
    for character in made:
        container.store.evict(character)
    subjects = set_timers(container, "test.ping", 2)
    with container.pool.connection() as conn:
        for character in made:
            conn.execute(
                "INSERT INTO lorekeeper_timers (kind, subject, due_at) VALUES ('test.load', %s, %s)", (character, NOW)
            )
    seen: list[list[tuple[str, UUID]]] = []
    cached_when_fired: list[bool] = []

    def warm(timers: list[tuple[str, UUID]]) -> None:
        seen.append(timers)
        container.timer_worker.warm(timers)

    def load(subject: UUID, due: datetime) -> None:
        cached_when_fired.append(container.store.cached(subject))
        container.store.load(Adventurer, subject)

    worker = TimerWorker(container.pool, {"test.ping": lambda s, d: None, "test.load": load}, warm=warm)
    assert worker.fire_due(NOW + timedelta(seconds=1)) == 5
    assert len(seen) == 1 and sorted(seen[0]) == sorted(
        [*(("test.ping", s) for s in subjects), *(("test.load", c) for c in made)]
    )
    assert cached_when_fired == [True, True, True]
    worker.calls.close()
