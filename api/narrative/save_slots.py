from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import Query
from starlette.responses import Response

from api import routing
from api.auth import Principal
from api.deps import CommandDep, CurrentPrincipal, IfMatch, ReadDb, ReadYourWrites
from api.narrative.deps import Narrative
from api.narrative.schemas import (
    HistoryEntry,
    InventoryItemOut,
    QuestProgressOut,
    RestoreIn,
    SaveSlotCreate,
    SaveSlotOut,
    SaveSlotPut,
    SlotStateOut,
    SyncIn,
)
from api.openapi import problems
from api.pagination import MAX_LIMIT, decode_cursor, encode_cursor
from api.problems import Problem
from api.responses import read_one, stored
from api.schemas import CURSOR_RULES, Page
from domain.narrative.save_slots import SaveSlot
from infra.idempotency import Stored
from projections.db import Pool
from projections.narrative.progress import INVENTORY_ITEMS, QUEST_PROGRESS, SAVE_SLOT_HISTORY
from projections.narrative.save_slots import SAVE_SLOTS

router = routing.router(tags=["save-slots"])


def slot_out(slot: SaveSlot, position: int | None) -> SaveSlotOut:
    return SaveSlotOut.model_construct(  # values come from the aggregate: no re-validation
        slot_id=slot.id,
        account_id=slot.owner_id,
        name=slot.name,
        narrative_state=slot.narrative_state,
        progression_version=slot.progression_version,
        created_at=slot.created_on,
        updated_at=slot.modified_on,
        version=slot.version,
        position=position,
    )


@router.post("/v1/save-slots", status_code=201, response_model=SaveSlotOut)
def create_save_slot(body: SaveSlotCreate, cmd: CommandDep, narrative: Narrative) -> Response:
    """Open a new save slot for the calling player (bounded per player)."""

    def command() -> Stored:
        written = narrative.open_save_slot(cmd.principal.subject, body.name, body.narrative_state)
        slot = written.aggregate
        return stored(201, slot_out(slot, written.position), version=slot.version, location=f"/v1/save-slots/{slot.id}")

    return cmd.run(body.model_dump(), command)


@router.get("/v1/save-slots/{slot_id}", response_model=SaveSlotOut, dependencies=[ReadYourWrites])
def get_save_slot(slot_id: UUID, principal: CurrentPrincipal, db: ReadDb) -> Response:
    """A save slot from the save_slots read model."""
    return read_one(db, principal, SAVE_SLOTS, key="slot_id", value=slot_id, model=SaveSlotOut, noun="save slot")


@router.put("/v1/save-slots/{slot_id}", response_model=SaveSlotOut, responses=problems(428))
def put_save_slot(
    slot_id: UUID, body: SaveSlotPut, cmd: CommandDep, narrative: Narrative, if_match: IfMatch
) -> Response:
    """Replace narrative_state; requires If-Match; progression_version moves on by one."""
    if if_match is None:
        raise Problem(428, "precondition_required", 'saving progress requires If-Match: "<version>"')

    def command() -> Stored:
        written = narrative.save_progress(
            slot_id, body.narrative_state, expected_version=if_match, actor_id=cmd.principal.actor()
        )
        slot = written.aggregate
        return stored(200, slot_out(slot, written.position), version=slot.version)

    return cmd.run({"slot": str(slot_id), "body": body.model_dump(), "if_match": if_match}, command)


@router.get(
    "/v1/players/{player_id}/save-slots",
    response_model=Page[SaveSlotOut],
    dependencies=[ReadYourWrites],
)
def list_save_slots(
    player_id: UUID,
    principal: CurrentPrincipal,
    db: ReadDb,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    cursor: Annotated[str | None, Query(max_length=512, json_schema_extra=CURSOR_RULES)] = None,
) -> Page[SaveSlotOut]:
    """A player's save slots, oldest first, in pages of at most 200."""
    if not principal.can_read(player_id):
        raise Problem(403, "forbidden", "you may only list your own save slots")
    params: list[object] = [player_id]
    after = ""
    if cursor is not None:
        created_at, last_id = decode_cursor(cursor, 2)
        try:
            params += [datetime.fromisoformat(created_at), UUID(last_id)]
        except (TypeError, ValueError):
            raise Problem(400, "invalid_cursor", "the cursor is not one this API issued") from None
        after = "AND (created_at, slot_id) > (%s, %s)"
    params.append(limit + 1)
    with db.connection() as conn:
        rows = conn.execute(
            f"SELECT * FROM {SAVE_SLOTS.qualified} WHERE account_id = %s {after} ORDER BY created_at, slot_id LIMIT %s",
            params,
        ).fetchall()
    items = [SaveSlotOut(**r) for r in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor([last["created_at"].isoformat(), str(last["slot_id"])])
    return Page[SaveSlotOut](items=items, next_cursor=next_cursor)


def state_out(slot: SaveSlot, position: int | None) -> SlotStateOut:
    return SlotStateOut(**slot.view(), version=slot.version, position=position)


@router.post("/v1/save-slots/{slot_id}/sync", response_model=SlotStateOut)
def sync_save_slot(slot_id: UUID, body: SyncIn, cmd: CommandDep, narrative: Narrative) -> Response:
    """Offline changes since ``base_version``, rebased onto the server's state.
    All apply, or none: 409 ``sync_conflict`` (with ``conflicts`` and
    ``server_state``) when the server moved on and some no longer fit, 422 when
    they never could. Send an Idempotency-Key: a retried sync is then not
    applied twice. Rules: docs/sync.md."""

    def command() -> Stored:
        written = narrative.sync_save_slot(
            slot_id, body.base_version, list(body.changes), actor_id=cmd.principal.actor()
        )
        slot = written.aggregate
        return stored(200, state_out(slot, written.position), version=slot.version)

    return cmd.run({"slot": str(slot_id), "body": body.model_dump(mode="json")}, command)


@router.post("/v1/save-slots/{slot_id}/restore", response_model=SlotStateOut)
def restore_save_slot(
    slot_id: UUID, body: RestoreIn, cmd: CommandDep, narrative: Narrative, db: ReadDb, if_match: IfMatch
) -> Response:
    """Restore the slot to an earlier progression version (one its history
    lists). Recorded as new events; nothing is deleted, and the restore itself
    appears in the history."""
    # Whose slot it is, first (from the event store, never a lagging read
    # model): a stranger learns nothing about its versions.
    narrative.get_save_slot(slot_id, cmd.principal.actor())
    with db.connection() as conn:
        row = conn.execute(
            f"SELECT version FROM {SAVE_SLOT_HISTORY.qualified} WHERE slot_id = %s AND progression_version = %s",
            (slot_id, body.progression_version),
        ).fetchone()
    if row is None:
        raise Problem(404, "not_found", f"save slot {slot_id} has no progression version {body.progression_version}")

    def command() -> Stored:
        written = narrative.restore_save_slot(
            slot_id, row["version"], expected_version=if_match, actor_id=cmd.principal.actor()
        )
        slot = written.aggregate
        return stored(200, state_out(slot, written.position), version=slot.version)

    return cmd.run({"slot": str(slot_id), "body": body.model_dump(), "if_match": if_match}, command)


def _owned_slot(db: Pool, principal: Principal, slot_id: UUID) -> None:
    with db.connection() as conn:
        row = conn.execute(f"SELECT account_id FROM {SAVE_SLOTS.qualified} WHERE slot_id = %s", (slot_id,)).fetchone()
    if row is None:
        raise Problem(404, "not_found", f"save slot {slot_id} not found")
    if not principal.can_read(row["account_id"]):
        raise Problem(403, "forbidden", "this save slot belongs to another player")


@router.get("/v1/save-slots/{slot_id}/history", response_model=Page[HistoryEntry], dependencies=[ReadYourWrites])
def slot_history(
    slot_id: UUID,
    principal: CurrentPrincipal,
    db: ReadDb,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    cursor: Annotated[str | None, Query(max_length=512, json_schema_extra=CURSOR_RULES)] = None,
) -> Page[HistoryEntry]:
    """Every progression version of the slot, newest first."""
    _owned_slot(db, principal, slot_id)
    before = None
    if cursor is not None:
        (value,) = decode_cursor(cursor, 1)
        if not str(value).isdigit():
            raise Problem(400, "invalid_cursor", "the cursor is not one this API issued")
        before = int(value)
    with db.connection() as conn:
        rows = conn.execute(
            f"SELECT * FROM {SAVE_SLOT_HISTORY.qualified} WHERE slot_id = %s AND progression_version < %s "
            "ORDER BY progression_version DESC LIMIT %s",
            (slot_id, before if before is not None else 2**62, limit + 1),
        ).fetchall()
    items = [HistoryEntry(**r) for r in rows[:limit]]
    next_cursor = encode_cursor([str(rows[limit - 1]["progression_version"])]) if len(rows) > limit else None
    return Page[HistoryEntry](items=items, next_cursor=next_cursor)


@router.get("/v1/save-slots/{slot_id}/inventory", response_model=list[InventoryItemOut], dependencies=[ReadYourWrites])
def slot_inventory(slot_id: UUID, principal: CurrentPrincipal, db: ReadDb) -> list[InventoryItemOut]:
    """The slot's inventory_items (at most 1,000: one row per defined item)."""
    _owned_slot(db, principal, slot_id)
    with db.connection() as conn:
        rows = conn.execute(
            f"SELECT * FROM {INVENTORY_ITEMS.qualified} WHERE slot_id = %s ORDER BY item_id LIMIT 1000", (slot_id,)
        ).fetchall()
    return [InventoryItemOut(**r) for r in rows]


@router.get("/v1/save-slots/{slot_id}/quests", response_model=list[QuestProgressOut], dependencies=[ReadYourWrites])
def slot_quests(slot_id: UUID, principal: CurrentPrincipal, db: ReadDb) -> list[QuestProgressOut]:
    """The slot's quest_progress rows; a quest without one is locked."""
    _owned_slot(db, principal, slot_id)
    with db.connection() as conn:
        rows = conn.execute(
            f"SELECT * FROM {QUEST_PROGRESS.qualified} WHERE slot_id = %s ORDER BY quest_id LIMIT 1000", (slot_id,)
        ).fetchall()
    return [QuestProgressOut(**r) for r in rows]
