"""A process starting (``Container.setup``) beside processes at work: its
schema changes, even those with nothing to do, lock tables until their
transaction ends, so a projector's batch that held one table and wanted
another could deadlock with it. The setup now gives way and tries again."""

from __future__ import annotations

import threading
import time

import psycopg

from infra.entrypoints.bootstrap import Container
from projections.tracking import TRACKING_TABLE
from tests.fixtures.db import make_settings


def test_a_setup_gives_way_to_a_writer_it_would_deadlock_with_and_then_completes(container, database, tmp_path):
    runner = next(r for r in container.runners.values() if any(t.indexes for t in r.projection.tables))
    table = next(t for t in runner.projection.tables if t.indexes)
    starting = Container(make_settings(database, tmp_path / "starting"))
    errors: list[BaseException] = []
    done = threading.Event()

    def start() -> None:
        try:
            starting.setup()
        except BaseException as error:
            errors.append(error)
        done.set()

    with psycopg.connect(database) as batch:  # a projector's batch: its position first ...
        batch.execute(f"UPDATE {TRACKING_TABLE} SET updated_at = now() WHERE name = %s", (runner.tracking_name,))
        threading.Thread(target=start, daemon=True).start()
        time.sleep(0.3)  # the setup locks the runner's table (its indexes), then waits for the tracking table
        began = time.monotonic()
        batch.execute(f"LOCK TABLE {table.qualified} IN ROW EXCLUSIVE MODE")  # ... then a write of its rows
        waited = time.monotonic() - began
        batch.commit()
    assert done.wait(60), "the setup did not complete"
    starting.close()
    assert errors == []
    assert waited < 1.0, f"the writer waited {waited:.2f} s for the setup"  # it gave way, under deadlock_timeout
