"""Read model ``save_slots`` (seed 000): slot_id, account_id, narrative_state
(JSONB), progression_version, plus name, timestamps and the aggregate version.

The narrative state's server keys (flags, nodes, choices) follow the sync
events through the same pure functions the aggregate uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from domain.accounts import Player
from domain.kernel.aggregate import ERASED
from domain.narrative.rules import with_choice, with_flag, with_node
from domain.narrative.save_slots import SaveSlot
from projections.model import (
    Apply,
    Event,
    Handler,
    Owner,
    Projection,
    Row,
    Table,
    copy_fields,
    erase_columns,
    fresh,
    touched,
    updated,
)

SCHEMA = "narrative"

SAVE_SLOTS = Table(
    "save_slots",
    SCHEMA,
    owner=Owner("account_id"),
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


@fresh
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


def narrative(change: Callable[[dict[str, Any], Event], dict[str, Any]]) -> Apply:
    def apply(event: Event, row: Row | None) -> Row | None:
        if row is None:
            return None
        return updated(event, row, {"narrative_state": change(row["narrative_state"], event)})

    return apply


# Events that change other tables still move the slot's version (its ETag): ``touched``.


PROJECTION = Projection(
    name="save_slots",
    schema_version=4,  # 3: moved from public into the narrative schema; 4: names scrubbed at erasure
    tables=(SAVE_SLOTS,),
    replaces=("public.save_slots",),
    handlers={
        SaveSlot.Created.TOPIC: [Handler(SAVE_SLOTS, created)],
        SaveSlot.ProgressSaved.TOPIC: [Handler(SAVE_SLOTS, progress_saved)],
        SaveSlot.Restored.TOPIC: [Handler(SAVE_SLOTS, progress_saved)],
        SaveSlot.FlagChanged.TOPIC: [
            Handler(SAVE_SLOTS, narrative(lambda s, e: with_flag(s, e.data["flag"], e.data["holds"])))
        ],
        SaveSlot.NodeReached.TOPIC: [Handler(SAVE_SLOTS, narrative(lambda s, e: with_node(s, e.data["node"])))],
        SaveSlot.ChoiceMade.TOPIC: [
            Handler(SAVE_SLOTS, narrative(lambda s, e: with_choice(s, e.data["choice"], e.data["option"])))
        ],
        SaveSlot.Synced.TOPIC: [Handler(SAVE_SLOTS, copy_fields(progression_version="progression_version"))],
        SaveSlot.QuestStatusChanged.TOPIC: [Handler(SAVE_SLOTS, touched)],
        SaveSlot.ItemAdded.TOPIC: [Handler(SAVE_SLOTS, touched)],
        SaveSlot.ItemRemoved.TOPIC: [Handler(SAVE_SLOTS, touched)],
    },
    # Slot names are sealed in the event store; the copy here is overwritten
    # when the player is erased.
    statements={Player.Erased.TOPIC: [erase_columns(SAVE_SLOTS, {"name": ERASED}, "account_id")]},
)
