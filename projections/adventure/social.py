"""Read models of what characters feel and players earn (seed 002), in the
``adventure`` schema, kept by the characters' projection:

- ``character_relationships``: two rows per pair, a→b and b→a, written from
  the same events of the pair's one aggregate, so they never disagree.
- ``achievements``: one row per achievement a player unlocked (``hidden``:
  not listed before it was).
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from domain.adventure.relationships import HISTORY_MAX, history_entry
from projections.model import (
    Event,
    Handler,
    Key,
    Owner,
    Row,
    Table,
    fresh,
    updated,
)

SCHEMA = "adventure"

CHARACTER_RELATIONSHIPS = Table(
    "character_relationships",
    SCHEMA,
    owner=Owner("character_id", via="aggregate"),
    columns=(
        ("id", "uuid NOT NULL"),
        ("relationship_id", "uuid NOT NULL"),  # the pair's aggregate: both rows share it
        ("character_id", "uuid NOT NULL"),
        ("target_character_id", "uuid NOT NULL"),
        ("relationship_type", "text NOT NULL"),
        ("relationship_value", "int NOT NULL CHECK (relationship_value BETWEEN -100 AND 100)"),
        ("interaction_history", "jsonb NOT NULL"),
        ("created_at", "timestamptz NOT NULL"),
        ("updated_at", "timestamptz NOT NULL"),
    ),
    key=("id",),
    indexes=("(character_id, relationship_value)", "(relationship_id)"),
)

ACHIEVEMENTS = Table(
    "achievements",
    SCHEMA,
    owner=Owner("user_id"),
    columns=(
        ("id", "uuid NOT NULL"),
        ("user_id", "uuid NOT NULL"),
        ("achievement_name", "text NOT NULL"),
        ("description", "text NOT NULL"),
        ("points", "int NOT NULL"),
        ("unlock_data", "jsonb NOT NULL"),
        ("unlocked_at", "timestamptz NOT NULL"),
        ("hidden", "boolean NOT NULL"),
    ),
    key=("id",),
    indexes=("(user_id)",),
)


def _direction(first: bool) -> tuple[Handler, Handler]:
    """The handlers of one direction of a pair: first→second, or back."""
    me, them = ("first_id", "second_id") if first else ("second_id", "first_id")

    def key(event: Event) -> Key:
        return (uuid5(NAMESPACE_URL, f"lorekeeper:/adventure/relationships/{event.originator_id}/{me}"),)

    @fresh
    def created(event: Event, _: Row | None) -> Row:
        return {
            "id": key(event)[0],
            "relationship_id": event.originator_id,
            "character_id": UUID(event.data[me]),
            "target_character_id": UUID(event.data[them]),
            "relationship_type": "neutral",
            "relationship_value": 0,
            "interaction_history": [],
            "created_at": event.timestamp,
            "updated_at": event.timestamp,
        }

    def interacted(event: Event, row: Row | None) -> Row | None:
        if row is None:
            return None
        data = event.data
        entry = history_entry(
            event.timestamp.isoformat(), data["actor_id"], data["kind"], data["delta"], data["detail"]
        )
        changes = {
            "relationship_type": data["relationship_type"],
            "relationship_value": data["value"],
            "interaction_history": [*row["interaction_history"], entry][-HISTORY_MAX:],
        }
        return updated(event, row, changes)

    return Handler(CHARACTER_RELATIONSHIPS, created, key), Handler(CHARACTER_RELATIONSHIPS, interacted, key)


def achievement_id(event: Event) -> Key:
    owner, name = event.data["owner"], event.data["achievement_name"]
    return (uuid5(NAMESPACE_URL, f"lorekeeper:/adventure/achievements/{owner}/{name}"),)


@fresh
def unlocked(event: Event, _: Row | None) -> Row:
    data = event.data
    return {
        "id": achievement_id(event)[0],
        "user_id": UUID(data["owner"]),
        "achievement_name": data["achievement_name"],
        "description": data["description"],
        "points": data["points"],
        "unlock_data": data["unlock_data"],
        "unlocked_at": event.timestamp,
        "hidden": data["hidden"],
    }


FIRST, SECOND = _direction(True), _direction(False)
