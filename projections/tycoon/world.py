"""Read models of tycoon worlds and what happens in them (seed 003), in the
``tycoon`` schema, with the seed's names:

- ``worlds``: ``game_time`` is the game minute of the latest activity in
  the world (the API answers the live clock); ``seed`` and ``time_ratio``
  say how to compute it.
- ``guilds``: one per world (``world_id`` unique).
- ``world_events``: what was announced, with its window in real and game time.
- ``quests`` and ``quest_assignments`` (one row per quest and hero: a hero
  is assigned to a quest once).
"""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.tycoon import Guild, Hero, Quest, TycoonWorld
from projections.model import Event, Handler, Key, Owner, Projection, Row, Table, copy_fields, fresh
from projections.row_security import PLAYER

SCHEMA = "tycoon"
# Row-level security: a player reads their own worlds and what is in them.
OWN = f"user_id = {PLAYER}"
IN_OWN_WORLD = f"world_id IN (SELECT id FROM {{schema}}.worlds WHERE user_id = {PLAYER})"
OF_OWN_QUEST = f"quest_id IN (SELECT id FROM {{schema}}.quests WHERE user_id = {PLAYER})"

WORLDS = Table(
    "worlds",
    SCHEMA,
    player_rows=OWN,
    owner=Owner("user_id"),
    columns=(
        ("id", "uuid NOT NULL"),
        ("user_id", "uuid NOT NULL"),
        ("name", "text NOT NULL"),
        ("world_data", "jsonb NOT NULL"),
        ("game_time", "bigint NOT NULL"),
        ("seed", "bigint NOT NULL"),
        ("time_ratio", "int NOT NULL"),
        ("last_visit_at", "timestamptz NOT NULL"),
        ("created_at", "timestamptz NOT NULL"),
        ("updated_at", "timestamptz NOT NULL"),
    ),
    key=("id",),
    indexes=("(user_id)",),
)

GUILDS = Table(
    "guilds",
    SCHEMA,
    player_rows=OWN,
    owner=Owner("world_id", via="aggregate"),
    columns=(
        ("id", "uuid NOT NULL"),
        ("world_id", "uuid NOT NULL"),
        ("user_id", "uuid NOT NULL"),
        ("name", "text NOT NULL"),
        ("gold", "bigint NOT NULL CHECK (gold >= 0)"),
        ("reputation", "int NOT NULL"),
        ("created_at", "timestamptz NOT NULL"),
    ),
    key=("id",),
    unique=("world_id",),
)

WORLD_EVENTS = Table(
    "world_events",
    SCHEMA,
    player_rows=IN_OWN_WORLD,
    owner=Owner("world_id", via="aggregate"),
    columns=(
        ("id", "uuid NOT NULL"),
        ("world_id", "uuid NOT NULL"),
        ("event_type", "text NOT NULL"),
        ("description", "text NOT NULL"),
        ("event_data", "jsonb NOT NULL"),
        ("starts_at", "timestamptz NOT NULL"),
        ("ends_at", "timestamptz NOT NULL"),
        ("starts_game_time", "bigint NOT NULL"),
        ("ends_game_time", "bigint NOT NULL"),
    ),
    key=("id",),
    indexes=("(world_id, starts_at)",),
)

QUESTS = Table(
    "quests",
    SCHEMA,
    player_rows=OWN,
    owner=Owner("user_id"),
    columns=(
        ("id", "uuid NOT NULL"),
        ("world_id", "uuid NOT NULL"),
        ("user_id", "uuid NOT NULL"),
        ("title", "text NOT NULL"),
        ("description", "text NOT NULL"),
        ("difficulty", "int NOT NULL CHECK (difficulty BETWEEN 1 AND 10)"),
        ("duration_minutes", "int NOT NULL CHECK (duration_minutes > 0)"),
        ("rewards", "jsonb NOT NULL"),
        ("status", "text NOT NULL"),
        ("created_at", "timestamptz NOT NULL"),
        ("updated_at", "timestamptz NOT NULL"),
    ),
    key=("id",),
    indexes=("(world_id, status)",),
)

QUEST_ASSIGNMENTS = Table(
    "quest_assignments",
    SCHEMA,
    player_rows=OF_OWN_QUEST,
    owner=Owner("hero_id", via="aggregate"),
    columns=(
        ("id", "uuid NOT NULL"),
        ("quest_id", "uuid NOT NULL"),
        ("hero_id", "uuid NOT NULL"),
        ("assigned_at", "timestamptz NOT NULL"),
        ("accepted", "boolean NOT NULL"),
        ("started_at", "timestamptz"),
        ("completed_at", "timestamptz"),
        ("outcome", "jsonb"),
        ("reason", "text NOT NULL"),
    ),
    key=("quest_id", "hero_id"),  # a hero is assigned to a quest once
    indexes=("(hero_id)",),
)


@fresh
def world_created(event: Event, _: Row | None) -> Row:
    data = event.data
    return {
        "id": event.originator_id,
        "user_id": UUID(data["owner"]),
        "name": data["name"],
        "world_data": data["world_data"],
        "game_time": 0,
        "seed": data["seed"],
        "time_ratio": data["ratio"],
        "last_visit_at": event.timestamp,
        "created_at": event.timestamp,
        "updated_at": event.timestamp,
    }


def by_world(event: Event) -> Key:
    return (UUID(event.data["world_id"]),)


def clock_moved(event: Event, row: Row | None) -> Row | None:
    """The world's game time: the latest minute anything happened there (order-free: a maximum)."""
    if row is None or event.data["minute"] <= row["game_time"]:
        return None
    return {**row, "game_time": event.data["minute"], "updated_at": max(row["updated_at"], event.timestamp)}


def visited(event: Event, row: Row | None) -> Row | None:
    return None if row is None else {**row, "last_visit_at": datetime.fromisoformat(event.data["at"])}


@fresh
def guild_created(event: Event, _: Row | None) -> Row:
    data = event.data
    return {
        "id": event.originator_id,
        "world_id": UUID(data["world_id"]),
        "user_id": UUID(data["owner"]),
        "name": data["name"],
        "gold": data["gold"],
        "reputation": data["reputation"],
        "created_at": event.timestamp,
    }


def world_event_key(event: Event) -> Key:
    return (UUID(event.data["event_id"]),)


@fresh
def announced(event: Event, _: Row | None) -> Row:
    data = event.data
    return {
        "id": UUID(data["event_id"]),
        "world_id": event.originator_id,
        "event_type": data["event_type"],
        "description": data["description"],
        "event_data": data["event_data"],
        "starts_at": datetime.fromisoformat(data["starts_at"]),
        "ends_at": datetime.fromisoformat(data["ends_at"]),
        "starts_game_time": data["starts_minute"],
        "ends_game_time": data["ends_minute"],
    }


@fresh
def quest_created(event: Event, _: Row | None) -> Row:
    data = event.data
    return {
        "id": event.originator_id,
        "world_id": UUID(data["world_id"]),
        "user_id": UUID(data["owner"]),
        "title": data["title"],
        "description": data["description"],
        "difficulty": data["difficulty"],
        "duration_minutes": data["duration_minutes"],
        "rewards": data["rewards"],
        "status": "open",
        "created_at": event.timestamp,
        "updated_at": event.timestamp,
    }


def assignment_key(event: Event) -> Key:
    return (event.originator_id, UUID(event.data["hero_id"]))


@fresh
def assigned(event: Event, _: Row | None) -> Row:
    data = event.data
    hero_id = UUID(data["hero_id"])
    return {
        "id": uuid5(NAMESPACE_URL, f"lorekeeper:/tycoon/assignments/{event.originator_id}/{hero_id}"),
        "quest_id": event.originator_id,
        "hero_id": hero_id,
        "assigned_at": event.timestamp,
        "accepted": data["accepted"],
        "started_at": None,
        "completed_at": None,
        "outcome": None,
        "reason": data["reason"],
    }


def started(event: Event, row: Row | None) -> Row | None:
    return None if row is None else {**row, "started_at": datetime.fromisoformat(event.data["started_at"])}


def finished(event: Event, row: Row | None) -> Row | None:
    if row is None:
        return None
    return {**row, "completed_at": datetime.fromisoformat(event.data["completed_at"]), "outcome": event.data["outcome"]}


PROJECTION = Projection(
    name="tycoon_world",
    schema_version=1,
    tables=(WORLDS, GUILDS, WORLD_EVENTS, QUESTS, QUEST_ASSIGNMENTS),
    handlers={
        TycoonWorld.Created.TOPIC: (Handler(WORLDS, world_created),),
        TycoonWorld.Visited.TOPIC: (Handler(WORLDS, visited),),
        TycoonWorld.EventAnnounced.TOPIC: (Handler(WORLD_EVENTS, announced, world_event_key),),
        Hero.ActivityCompleted.TOPIC: (Handler(WORLDS, clock_moved, by_world),),
        Guild.Created.TOPIC: (Handler(GUILDS, guild_created),),
        Guild.GoldChanged.TOPIC: (Handler(GUILDS, copy_fields(gold="gold", reputation="reputation")),),
        Quest.Created.TOPIC: (Handler(QUESTS, quest_created),),
        Quest.Assigned.TOPIC: (
            Handler(QUEST_ASSIGNMENTS, assigned, assignment_key),
            Handler(QUESTS, copy_fields(status="status")),
        ),
        Quest.Started.TOPIC: (Handler(QUEST_ASSIGNMENTS, started, assignment_key),),
        Quest.Finished.TOPIC: (
            Handler(QUEST_ASSIGNMENTS, finished, assignment_key),
            Handler(QUESTS, copy_fields(status="status")),
        ),
    },
)

__all__ = ["GUILDS", "PROJECTION", "QUESTS", "QUEST_ASSIGNMENTS", "WORLDS", "WORLD_EVENTS"]
