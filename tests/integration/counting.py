"""A deliberately non-idempotent read model: it counts events per aggregate.

Applying any event twice, or missing one, makes a count wrong, which is what
the exactly-once tests look for. Importable by subprocesses too.
"""

from __future__ import annotations

from projections.model import Event, Handler, Projection, Row, Table

COUNTS = Table(
    "event_counts",
    "public",
    owner=None,
    columns=(("aggregate_id", "uuid NOT NULL"), ("events", "int NOT NULL"), ("last_version", "int NOT NULL")),
    key=("aggregate_id",),
)


def count(event: Event, row: Row | None) -> Row:
    seen = row["events"] if row else 0
    return {"aggregate_id": event.originator_id, "events": seen + 1, "last_version": event.originator_version}


TOPICS = (
    "lorekeeper.player.Created",
    "lorekeeper.player.Renamed",
    "lorekeeper.player.Seen",
    "lorekeeper.player.SaveSlotOpened",
    "lorekeeper.save_slot.Created",
    "lorekeeper.save_slot.ProgressSaved",
)

PROJECTION = Projection(
    name="event_counts",
    schema_version=1,
    tables=(COUNTS,),
    handlers={topic: [Handler(COUNTS, count)] for topic in TOPICS},
)


def runner_for(container, batch_size: int = 7):
    from projections.runner import ProjectionRunner

    return ProjectionRunner(
        PROJECTION, container.pool, container.event_log, container.store.mapper.decode_state, batch_size=batch_size
    )
