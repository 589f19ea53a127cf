"""(b) Projection catch-up over 100,000 events next to a raw COPY of as many rows.

Writes 10,000 save slots with 9 saves each (100,000 events with the slots'
creation), then times the ``save_slots`` projection catching up from position
0, and, on the same server, a raw ``COPY`` of 100,000 save_slots-shaped rows
into an empty table. Each is repeated; medians and their ratio are printed.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import orjson
import typer

from bench.common import median, report, scratch_container
from domain.narrative.save_slots import SaveSlot
from projections.narrative import save_slots
from projections.runner import ProjectionRunner
from projections.tracking import TRACKING_TABLE

SLOTS = 10_000
SAVES = 9  # + 1 Created = 10 events a slot
CHUNK = 50  # slots per save: 500 events, the store's bound


def write_events(container, count: int = SLOTS) -> int:
    owner = uuid.uuid4()
    written = 0
    for start in range(0, count, CHUNK):
        slots = []
        for i in range(start, min(start + CHUNK, count)):
            slot = SaveSlot.open(owner, f"slot {i}", {"chapter": 0})
            for n in range(SAVES):
                slot.save_progress({"chapter": n + 1, "party": [f"p{n}"], "gold": n * 10})
            slots.append(slot)
        written += sum(len(s.pending_events) for s in slots)
        container.store.save(*slots)
    return written


def time_projection(container) -> float:
    runner = ProjectionRunner(
        save_slots.PROJECTION,
        container.pool,
        container.event_log,
        container.store.mapper.open_state,  # what the container's runners use
        batch_size=container.settings.projection_batch_size,
    )
    with container.pool.connection() as conn:
        conn.execute(f"DROP TABLE IF EXISTS {save_slots.SAVE_SLOTS.qualified}")
        conn.execute(f"DELETE FROM {TRACKING_TABLE} WHERE name = 'save_slots'")
    runner.setup()
    started = time.perf_counter()
    runner.catch_up()
    elapsed = time.perf_counter() - started
    assert runner.status().lag == 0
    return elapsed


def time_copy(container, rows: int) -> float:
    now = datetime.now(UTC)
    state = orjson.dumps({"chapter": 9, "flags": ["f8"], "gold": 80}).decode()
    data = [(uuid.uuid4(), uuid.uuid4(), f"slot {i}", state, 9, now, now, 10) for i in range(rows)]
    with container.pool.connection() as conn:
        conn.execute("DROP TABLE IF EXISTS copy_baseline")
        conn.execute(f"CREATE TABLE copy_baseline (LIKE {save_slots.SAVE_SLOTS.qualified} INCLUDING ALL)")
        conn.commit()
        started = time.perf_counter()
        with conn.cursor().copy(
            "COPY copy_baseline (slot_id, account_id, name, narrative_state, progression_version, "
            "created_at, updated_at, version) FROM STDIN"
        ) as copy:
            for row in data:
                copy.write_row(row)
        conn.commit()
        return time.perf_counter() - started


def main(rounds: int = 5, slots: int = SLOTS) -> str:
    with scratch_container() as container:
        container.setup()
        events = write_events(container, slots)
        projection = [events / time_projection(container) for _ in range(rounds)]
        copy = [events / time_copy(container, events) for _ in range(rounds)]
    p, c = median(projection), median(copy)
    return report(
        f"Projection catch-up over {events:,} events vs raw COPY ({rounds} rounds)",
        [
            ("save_slots projection catch-up", p, "events/s"),
            ("raw COPY of as many rows", c, "rows/s"),
            ("ratio (goal >= 0.5)", p / c, ""),
        ],
    )


if __name__ == "__main__":
    typer.run(main)
