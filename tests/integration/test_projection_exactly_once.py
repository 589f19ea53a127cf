"""Projections apply every event exactly once, across crashes between and
inside batches, concurrent runners, and SIGKILLed processes."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.integration import counting
from tests.integration.workload import play
from tests.support import app_of


def counts(container) -> dict[str, int]:
    with container.pool.connection() as conn:
        rows = conn.execute("SELECT aggregate_id, events FROM event_counts").fetchall()
    return {str(r["aggregate_id"]): r["events"] for r in rows}


class Crash(Exception):
    pass


def test_a_crash_inside_a_batch_leaves_rows_and_position_untouched(container):
    expected = play(app_of(container))
    runner = counting.runner_for(container)
    runner.setup()
    runner.run_batch()
    position, rows = runner.position(), counts(container)

    def crash(_events):
        raise Crash

    runner.before_commit = crash
    with pytest.raises(Crash):
        runner.run_batch()
    assert runner.position() == position
    assert counts(container) == rows

    restarted = counting.runner_for(container)
    restarted.catch_up()
    assert counts(container) == expected


def test_a_crash_between_batches_resumes_where_it_committed(container):
    expected = play(app_of(container))
    first = counting.runner_for(container, batch_size=5)
    first.setup()
    for _ in range(3):
        first.run_batch()
    # The process dies here; a new one starts from the committed position.
    second = counting.runner_for(container, batch_size=5)
    second.setup()
    second.catch_up()
    assert counts(container) == expected
    assert second.status().lag == 0


def test_two_runners_of_one_projection_never_double_apply(container):
    expected = play(app_of(container), players=8)
    runners = [counting.runner_for(container, batch_size=3) for _ in range(2)]
    runners[0].setup()
    threads = [threading.Thread(target=r.catch_up) for r in runners]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert counts(container) == expected


def test_events_written_while_following_are_all_applied_once(container):
    runner = counting.runner_for(container, batch_size=4)
    runner.setup()
    stop = threading.Event()

    def follow():
        while not stop.is_set():
            runner.catch_up()
            time.sleep(0.01)

    follower = threading.Thread(target=follow)
    follower.start()
    try:
        expected = play(app_of(container), players=6)
    finally:
        stop.set()
        follower.join(30)
    runner.catch_up()
    assert counts(container) == expected


RUNNER_SCRIPT = """
import sys
from infra.entrypoints.bootstrap import Container
from infra.settings import Settings
from tests.integration import counting
from tests.support import app_of
c = Container(Settings(database_url=sys.argv[1], data_dir=sys.argv[2], jwt_secret="x"))
r = counting.runner_for(c, batch_size=3)
r.setup()
print("ready", flush=True)
while True:
    r.catch_up()
"""


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing_and_repeats_nothing(container, database, tmp_path):
    expected = play(app_of(container), players=30, saves=6)
    rng = random.Random(7)
    root = Path(__file__).resolve().parents[2]
    kills = 0
    positions_at_kill = []
    while True:
        proc = subprocess.Popen(
            [sys.executable, "-c", RUNNER_SCRIPT, database, str(tmp_path)],
            cwd=root,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(root)},
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(rng.uniform(0.0, 0.15))
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        kills += 1
        status = counting.runner_for(container).status()
        positions_at_kill.append(status.position)
        if status.lag == 0 or kills >= 25:
            break
    counting.runner_for(container).catch_up()
    assert counts(container) == expected
    head = counting.runner_for(container).status().head
    assert any(0 < p < head for p in positions_at_kill), "no kill landed mid-stream"


def test_a_handler_returning_delete_removes_the_row(container):
    from projections.model import DELETE, Handler, Projection
    from projections.runner import ProjectionRunner

    def count_until_renamed(event, row):
        if event.topic == "lorekeeper.player.Renamed":
            return DELETE
        return counting.count(event, row)

    topics = ("lorekeeper.player.Created", "lorekeeper.player.Seen", "lorekeeper.player.Renamed")
    projection = Projection(
        name="until_renamed",
        schema_version=1,
        tables=(counting.COUNTS,),
        handlers={t: [Handler(counting.COUNTS, count_until_renamed)] for t in topics},
    )
    kept = app_of(container).accounts.create_player("kept").aggregate
    gone = app_of(container).accounts.create_player("gone").aggregate
    app_of(container).accounts.update_player(gone.id, display_name="renamed")
    runner = ProjectionRunner(projection, container.pool, container.event_log, container.store.mapper.decode_state)
    runner.setup()
    runner.catch_up()
    with container.pool.connection() as conn:
        ids = {r["aggregate_id"] for r in conn.execute("SELECT aggregate_id FROM event_counts").fetchall()}
    assert ids == {kept.id}
