"""Read model ``save_slots`` (seed 000): slot_id, account_id, narrative_state
(JSONB), progression_version, plus name, timestamps and the aggregate version."""

from __future__ import annotations

from uuid import UUID

from projections.model import Event, Handler, Projection, Row, Table

SAVE_SLOTS = Table(
    "save_slots",
    columns=(
        ("slot_id", "uuid NOT NULL"),
        ("account_id", "uuid NOT NULL"),
        ("name", "text NOT NULL"),
        ("narrative_state", "jsonb NOT NULL"),
        ("progression_version", "bigint NOT NULL"),
        ("created_at", "timestamptz NOT NULL"),
        ("updated_at", "timestamptz NOT NULL"),
        ("version", "int NOT NULL"),
    ),
    key=("slot_id",),
    # Keyset pagination of a player's slots: (account_id, created_at, slot_id).
    indexes=("(account_id, created_at, slot_id)",),
)


def created(event: Event, _: Row | None) -> Row:
    return {
        "slot_id": event.originator_id,
        "account_id": UUID(event.data["owner_id"]),
        "name": event.data["name"],
        "narrative_state": event.data["narrative_state"],
        "progression_version": 0,
        "created_at": event.timestamp,
        "updated_at": event.timestamp,
        "version": event.originator_version,
    }


def progress_saved(event: Event, row: Row | None) -> Row | None:
    if row is None:
        return None
    return {
        **row,
        "narrative_state": event.data["narrative_state"],
        "progression_version": event.data["progression_version"],
        "updated_at": event.timestamp,
        "version": event.originator_version,
    }


PROJECTION = Projection(
    name="save_slots",
    schema_version=1,
    tables=(SAVE_SLOTS,),
    handlers={
        "lorekeeper.save_slot.Created": [Handler(SAVE_SLOTS, created)],
        "lorekeeper.save_slot.ProgressSaved": [Handler(SAVE_SLOTS, progress_saved)],
    },
)
