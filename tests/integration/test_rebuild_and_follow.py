"""Rebuilding swaps in identical tables; a schema version bump rebuilds; the
follower reacts to NOTIFY and falls back to polling when LISTEN dies."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from projections.rebuild import rebuild
from projections.runner import ProjectionRunner
from tests.integration.workload import play
from tests.support import app_of


def table(container, name, key):
    with container.pool.connection() as conn:
        return conn.execute(f"SELECT * FROM {name} ORDER BY {key}").fetchall()


def test_a_rebuild_reproduces_the_live_tables_exactly(container):
    play(app_of(container), players=6)
    container.follower.run_once()
    before = table(container, "narrative.save_slots", "slot_id"), table(container, "accounts.players", "account_id")
    for runner in container.runners.values():
        rebuild(runner)
    after = table(container, "narrative.save_slots", "slot_id"), table(container, "accounts.players", "account_id")
    assert after == before
    assert all(r.status().lag == 0 for r in container.runners.values())


def test_a_rebuild_while_events_keep_arriving_misses_nothing(container):
    play(app_of(container), players=3)
    container.follower.start()
    writer = threading.Thread(target=play, args=(app_of(container),), kwargs={"players": 6, "seed": 2})
    writer.start()
    rebuild(container.runners["save_slots"])
    writer.join(60)
    deadline = time.monotonic() + 10
    while container.runners["save_slots"].status().lag and time.monotonic() < deadline:
        time.sleep(0.05)
    container.follower.stop()
    slots = table(container, "narrative.save_slots", "slot_id")
    truth = {s["slot_id"]: app_of(container).narrative.get_save_slot(s["slot_id"]).version for s in slots}
    assert {s["slot_id"]: s["version"] for s in slots} == truth
    assert len(slots) == 9


def test_a_new_schema_version_triggers_a_rebuild_on_setup(container):
    play(app_of(container), players=2)
    container.follower.run_once()
    with container.pool.connection() as conn:
        conn.execute("UPDATE accounts.players SET display_name = 'stale'")
    live = container.runners["players"]
    bumped = dataclasses.replace(live.projection, schema_version=live.projection.schema_version + 1)
    container.runners["players"] = ProjectionRunner(
        bumped, container.pool, container.event_log, container.store.mapper.open_state
    )
    container.setup()
    names = {r["display_name"] for r in table(container, "accounts.players", "account_id")}
    assert "stale" not in names
    assert container.runners["players"].status().schema_version == bumped.schema_version


def test_the_follower_applies_new_events_promptly(container):
    container.settings.projection_poll_seconds = 30  # only NOTIFY can be this fast
    container.follower.start()
    time.sleep(0.2)
    written = app_of(container).accounts.create_player("Ada")
    deadline = time.monotonic() + 5
    while container.runners["players"].position() < written.position:
        assert time.monotonic() < deadline, "the follower did not wake on NOTIFY"
        time.sleep(0.01)
    container.follower.stop()


def test_the_follower_keeps_going_when_its_listen_connection_is_killed(container):
    follower = container.follower
    follower.poll_seconds = 0.2
    follower.start()
    time.sleep(0.3)
    with container.pool.connection() as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE query LIKE 'LISTEN%%' AND pid <> pg_backend_pid()"
        )
    written = app_of(container).accounts.create_player("Grace")
    deadline = time.monotonic() + 10
    while container.runners["players"].position() < written.position:
        assert time.monotonic() < deadline, "the follower stalled"
        time.sleep(0.05)
    follower.stop()


def test_the_cli_reports_status_and_rebuilds(container, database, tmp_path):
    play(app_of(container), players=2)
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DATABASE_URL": database, "LOREKEEPER_DATA_DIR": str(tmp_path), "COLUMNS": "200"}
    lorekeeper = [sys.executable, "-m", "infra.entrypoints.cli"]
    status = subprocess.run(
        [*lorekeeper, "projections", "status"], cwd=root, env=env, capture_output=True, text=True, timeout=60
    )
    assert status.returncode == 0, status.stderr
    assert "players" in status.stdout and "save_slots" in status.stdout
    rebuilt = subprocess.run(
        [*lorekeeper, "projections", "rebuild", "players"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "players rebuilt up to position" in rebuilt.stdout
    assert len(table(container, "accounts.players", "account_id")) == 2
    unknown = subprocess.run(
        [*lorekeeper, "projections", "rebuild", "nope"], cwd=root, env=env, capture_output=True, text=True, timeout=60
    )
    assert unknown.returncode == 2


def test_processes_starting_together_create_the_schema_without_tripping_over_each_other(database, tmp_path):
    from infra.entrypoints.bootstrap import Container
    from tests.fixtures.db import make_settings

    containers = [Container(make_settings(database, tmp_path / str(i))) for i in range(4)]
    errors = []

    def start(c):
        try:
            c.setup()
            for consumer in c.consumers.values():
                consumer.setup(c.pool)
        except Exception as e:
            errors.append(e)

    threads = [threading.Thread(target=start, args=(c,)) for c in containers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for c in containers:
        c.close()
    assert errors == []
