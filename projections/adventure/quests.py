"""Read models of quests and their runs (seed 002), in the ``adventure``
schema, with the seed's names:

- ``quests``: one row per quest (``party_max`` and ``version`` beside the
  seed's columns); ``is_active`` turns false when it closes, on time too.
- ``quest_objectives``: one row per objective: ``requirements`` what the game
  must see, ``progress_data`` how many runs have done it
  (``{"completions": n}``), ``is_completed`` once any run has.
- ``quest_progress``: one row per character in a run (a party's members
  share ``party_id``, the run, and ``progress_data``: the counts, the targets
  scaled to the leader's level, the objective under way); ``status`` active,
  completed, expired or abandoned; ``rewards_earned`` what completion gave
  each member.

A run's later events change every member's row at once (set-based
statements: one event, many rows); each carries the run's whole state, so
the rows do not depend on where batches begin and end.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.adventure import Quest, QuestProgress
from projections.model import Event, Handler, Key, Owner, Projection, Row, Statement, Table, fresh, updated

SCHEMA = "adventure"

QUESTS = Table(
    "quests",
    SCHEMA,
    owner=None,
    columns=(
        ("id", "uuid NOT NULL"),
        ("world_id", "uuid NOT NULL"),
        ("title", "text NOT NULL"),
        ("description", "text NOT NULL"),
        ("quest_type", "text NOT NULL"),
        ("requirements", "jsonb NOT NULL"),
        ("rewards", "jsonb NOT NULL"),
        ("difficulty_level", "int NOT NULL CHECK (difficulty_level BETWEEN 1 AND 100)"),
        ("party_max", "int NOT NULL"),
        ("is_active", "boolean NOT NULL"),
        ("created_at", "timestamptz NOT NULL"),
        ("expires_at", "timestamptz"),
        ("version", "int NOT NULL"),
    ),
    key=("id",),
    indexes=("(world_id, is_active)",),
)

QUEST_OBJECTIVES = Table(
    "quest_objectives",
    SCHEMA,
    owner=None,
    columns=(
        ("id", "uuid NOT NULL"),
        ("quest_id", "uuid NOT NULL"),
        ("objective_text", "text NOT NULL"),
        ("requirements", "jsonb NOT NULL"),
        ("progress_data", "jsonb NOT NULL"),
        ("is_completed", "boolean NOT NULL"),
        ("order_index", "int NOT NULL"),
    ),
    key=("id",),
    indexes=("(quest_id, order_index)",),
)

QUEST_PROGRESS = Table(
    "quest_progress",
    SCHEMA,
    owner=Owner("character_id", via="aggregate"),
    columns=(
        ("id", "uuid NOT NULL"),
        ("character_id", "uuid NOT NULL"),
        ("quest_id", "uuid NOT NULL"),
        ("status", "text NOT NULL"),
        ("progress_data", "jsonb NOT NULL"),
        ("started_at", "timestamptz NOT NULL"),
        ("completed_at", "timestamptz"),
        ("rewards_earned", "jsonb NOT NULL"),
        ("party_id", "uuid NOT NULL"),
    ),
    key=("id",),
    indexes=("idx_quest_progress_character (character_id, status)", "(party_id)"),
)


@fresh
def quest_created(event: Event, _: Row | None) -> Row:
    data = event.data
    return {
        "id": event.originator_id,
        "world_id": UUID(data["world_id"]),
        **{
            c: data[c]
            for c in ("title", "description", "quest_type", "requirements", "rewards", "difficulty_level", "party_max")
        },
        "is_active": True,
        "created_at": event.timestamp,
        "expires_at": data["expires_at"],
        "version": event.originator_version,
    }


def activity_changed(event: Event, row: Row | None) -> Row | None:
    return updated(event, row, {"is_active": event.data["is_active"]}) if row else None


OBJECTIVES_INSERTED = Statement(
    QUEST_OBJECTIVES,
    "INSERT INTO {table} (id, quest_id, objective_text, requirements, progress_data, is_completed, order_index) "
    "SELECT (o->>'objective_id')::uuid, %s, o->>'objective_text', o->'requirements', "
    "jsonb_build_object('completions', 0), "
    "false, (o->>'order_index')::int FROM jsonb_array_elements(%s) AS o ON CONFLICT (id) DO NOTHING",
    lambda event: (event.originator_id, event.data["objectives"]),
)


def member_id(run_id: UUID, character_id: UUID | str) -> UUID:
    return uuid5(NAMESPACE_URL, f"lorekeeper:/adventure/quest-progress/{run_id}/{character_id}")


def member_key(event: Event) -> Key:
    data = event.data
    return (member_id(event.originator_id, data.get("character_id") or data["leader_id"]),)


def progress_data(event: Event, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "party_id": str(event.originator_id),
        "leader_id": data["leader_id"],
        "scale": data["scale"],
        "targets": data["targets"],
        "counts": data.get("counts", [0] * len(data["targets"])),
        "current": data.get("current", 0),
    }


@fresh
def member_joined(event: Event, _: Row | None) -> Row:
    data = event.data
    return {
        "id": member_key(event)[0],
        "character_id": UUID(data.get("character_id") or data["leader_id"]),
        "quest_id": UUID(data["quest_id"]),
        "status": "active",
        "progress_data": progress_data(event, data),
        "started_at": event.timestamp,
        "completed_at": None,
        "rewards_earned": {},
        "party_id": event.originator_id,
    }


ADVANCED = Statement(
    QUEST_PROGRESS,
    "UPDATE {table} SET progress_data = progress_data || %s WHERE party_id = %s",
    lambda event: ({"counts": event.data["counts"], "current": event.data["current"]}, event.originator_id),
)

ENDED = Statement(
    QUEST_PROGRESS,
    "UPDATE {table} SET status = %s, completed_at = %s, rewards_earned = %s WHERE party_id = %s",
    lambda event: (
        event.data["status"],
        event.timestamp if event.data["status"] == "completed" else None,
        event.data["rewards_earned"],
        event.originator_id,
    ),
)

OBJECTIVES_DONE = Statement(
    QUEST_OBJECTIVES,
    "UPDATE {table} SET is_completed = true, progress_data = jsonb_build_object('completions', "
    "coalesce((progress_data->>'completions')::int, 0) + 1) WHERE quest_id = %s "
    "AND order_index IN (SELECT jsonb_array_elements_text(%s)::int)",
    lambda event: (UUID(event.data["quest_id"]), event.data["completed"]),
)

PROJECTION = Projection(
    name="adventure_quests",
    schema_version=1,
    tables=(QUESTS, QUEST_OBJECTIVES, QUEST_PROGRESS),
    handlers={
        Quest.Created.TOPIC: (Handler(QUESTS, quest_created),),
        Quest.ActivityChanged.TOPIC: (Handler(QUESTS, activity_changed),),
        QuestProgress.Created.TOPIC: (Handler(QUEST_PROGRESS, member_joined, member_key),),
        QuestProgress.Joined.TOPIC: (Handler(QUEST_PROGRESS, member_joined, member_key),),
    },
    statements={
        Quest.Created.TOPIC: (OBJECTIVES_INSERTED,),
        QuestProgress.Advanced.TOPIC: (OBJECTIVES_DONE, ADVANCED),
        QuestProgress.Ended.TOPIC: (ENDED,),
    },
)

__all__ = ["PROJECTION", "QUESTS", "QUEST_OBJECTIVES", "QUEST_PROGRESS", "member_id"]
