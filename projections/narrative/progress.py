"""Read models of seed 000's narrative rules: ``quests`` (definitions),
``items`` (definitions, *extra*), and per save slot ``inventory_items``,
``quest_progress`` and ``save_slot_history`` (every progression version: what
``GET /v1/save-slots/{id}/history`` lists and restores pick from)."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from domain.narrative.catalogue import Catalogue
from domain.narrative.save_slots import SaveSlot
from projections.model import DELETE, Event, Handler, Key, Owner, Projection, Row, Table, _Delete, fresh

SCHEMA = "narrative"

QUESTS = Table(
    "quests",
    SCHEMA,
    owner=None,
    columns=(
        ("quest_id", "text NOT NULL"),
        ("title", "text NOT NULL"),
        ("description", "text NOT NULL"),
        ("required_flags", "jsonb NOT NULL"),
        ("reward_bundle", "jsonb NOT NULL"),
        ("updated_at", "timestamptz NOT NULL"),
    ),
    key=("quest_id",),
)

ITEMS = Table(
    "items",
    SCHEMA,
    owner=None,
    columns=(
        ("item_id", "text NOT NULL"),
        ("name", "text NOT NULL"),
        ("max_stack", "int NOT NULL"),
        ("pickup_limit", "int NOT NULL"),
        ("updated_at", "timestamptz NOT NULL"),
    ),
    key=("item_id",),
)

INVENTORY_ITEMS = Table(
    "inventory_items",
    SCHEMA,
    owner=Owner("slot_id", via="aggregate"),
    columns=(
        ("entry_id", "uuid NOT NULL"),
        ("slot_id", "uuid NOT NULL"),
        ("item_id", "text NOT NULL"),
        ("quantity", "int NOT NULL CHECK (quantity > 0)"),
        ("metadata", "jsonb NOT NULL"),
        ("updated_at", "timestamptz NOT NULL"),
    ),
    key=("entry_id",),
    indexes=("(slot_id, item_id)",),
)

QUEST_PROGRESS = Table(
    "quest_progress",
    SCHEMA,
    owner=Owner("slot_id", via="aggregate"),
    columns=(
        ("entry_id", "uuid NOT NULL"),
        ("slot_id", "uuid NOT NULL"),
        ("quest_id", "text NOT NULL"),
        ("status", "text NOT NULL CHECK (status IN ('locked', 'available', 'active', 'completed', 'failed'))"),
        ("last_updated", "timestamptz NOT NULL"),
    ),
    key=("entry_id",),
    indexes=("(slot_id, quest_id)", "(quest_id, status)"),
)

SAVE_SLOT_HISTORY = Table(
    "save_slot_history",
    SCHEMA,
    owner=Owner("slot_id", via="aggregate"),
    columns=(
        ("slot_id", "uuid NOT NULL"),
        ("progression_version", "bigint NOT NULL"),
        ("version", "int NOT NULL"),
        ("kind", "text NOT NULL"),
        ("detail", "jsonb NOT NULL"),
        ("recorded_at", "timestamptz NOT NULL"),
    ),
    key=("slot_id", "progression_version"),
)


def entry_id(kind: str, slot_id: UUID, name: str) -> UUID:
    """The stable id of a slot's inventory entry or quest progress row."""
    return uuid5(NAMESPACE_URL, f"lorekeeper:/{kind}/{slot_id}/{name}")


def inventory_key(event: Event) -> Key:
    return (entry_id("inventory", event.originator_id, event.data["item_id"]),)


def quest_key(event: Event) -> Key:
    return (entry_id("quest", event.originator_id, event.data["quest_id"]),)


def item_added(event: Event, row: Row | None) -> Row:
    quantity = (row["quantity"] if row else 0) + event.data["quantity"]
    metadata = {**(row["metadata"] if row else {}), **event.data["metadata"]}
    return {
        "entry_id": inventory_key(event)[0],
        "slot_id": event.originator_id,
        "item_id": event.data["item_id"],
        "quantity": quantity,
        "metadata": metadata,
        "updated_at": event.timestamp,
    }


def item_removed(event: Event, row: Row | None) -> Row | _Delete | None:
    if row is None:
        return None
    quantity = row["quantity"] - event.data["quantity"]
    return DELETE if quantity <= 0 else {**row, "quantity": quantity, "updated_at": event.timestamp}


@fresh
def quest_status(event: Event, _: Row | None) -> Row:
    return {
        "entry_id": quest_key(event)[0],
        "slot_id": event.originator_id,
        "quest_id": event.data["quest_id"],
        "status": event.data["status"],
        "last_updated": event.timestamp,
    }


@fresh
def quest_published(event: Event, _: Row | None) -> Row:
    quest = event.data["quest"]
    return {
        "quest_id": quest["quest_id"],
        "title": quest["title"],
        "description": quest["description"],
        "required_flags": quest["required_flags"],
        "reward_bundle": quest["reward_bundle"],
        "updated_at": event.timestamp,
    }


@fresh
def item_defined(event: Event, _: Row | None) -> Row:
    item = event.data["item"]
    return {
        "item_id": item["item_id"],
        "name": item["name"],
        "max_stack": item["max_stack"],
        "pickup_limit": item["pickup_limit"],
        "updated_at": event.timestamp,
    }


def history(kind: str, *detail_fields: str) -> Handler:
    @fresh
    def apply(event: Event, _: Row | None) -> Row:
        return {
            "slot_id": event.originator_id,
            "progression_version": event.data.get("progression_version", 0),
            "version": event.originator_version,
            "kind": kind,
            "detail": {name: event.data[name] for name in detail_fields},
            "recorded_at": event.timestamp,
        }

    return Handler(SAVE_SLOT_HISTORY, apply, key=lambda e: (e.originator_id, e.data.get("progression_version", 0)))


PROJECTION = Projection(
    name="narrative",
    schema_version=2,  # 2: moved from public into the narrative schema
    tables=(QUESTS, ITEMS, INVENTORY_ITEMS, QUEST_PROGRESS, SAVE_SLOT_HISTORY),
    replaces=tuple(
        f"public.{t}" for t in ("quests", "items", "inventory_items", "quest_progress", "save_slot_history")
    ),
    handlers={
        Catalogue.QuestPublished.TOPIC: [
            Handler(QUESTS, quest_published, key=lambda e: (e.data["quest"]["quest_id"],))
        ],
        Catalogue.ItemDefined.TOPIC: [Handler(ITEMS, item_defined, key=lambda e: (e.data["item"]["item_id"],))],
        SaveSlot.ItemAdded.TOPIC: [Handler(INVENTORY_ITEMS, item_added, key=inventory_key)],
        SaveSlot.ItemRemoved.TOPIC: [Handler(INVENTORY_ITEMS, item_removed, key=inventory_key)],
        SaveSlot.QuestStatusChanged.TOPIC: [Handler(QUEST_PROGRESS, quest_status, key=quest_key)],
        SaveSlot.Created.TOPIC: [history("created")],
        SaveSlot.ProgressSaved.TOPIC: [history("saved")],
        SaveSlot.Synced.TOPIC: [history("synced", "base_version", "change_count", "rebased")],
        SaveSlot.Restored.TOPIC: [history("restored", "restored_from")],
    },
)
