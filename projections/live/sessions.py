"""Read models of live play (seed 001): ``character_profiles``,
``action_events`` (the durable action log, with the seed's indexes) and
``player_sessions``."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.accounts import Player
from domain.kernel.aggregate import ERASED
from domain.live import Character, PlayerSession
from projections.model import (
    Event,
    Handler,
    Owner,
    Projection,
    Row,
    Table,
    copy_fields,
    erase_columns,
    fresh,
    set_columns,
)

SCHEMA = "live"

CHARACTER_PROFILES = Table(
    "character_profiles",
    SCHEMA,
    owner=Owner("user_id"),
    columns=(
        ("character_id", "uuid NOT NULL"),
        ("user_id", "uuid NOT NULL"),
        ("display_name", "text NOT NULL"),
        ("position_x", "int NOT NULL"),
        ("position_y", "int NOT NULL"),
        ("health", "int NOT NULL"),
        ("inventory_json", "jsonb NOT NULL"),
        ("stats_json", "jsonb NOT NULL"),
        ("updated_at", "timestamptz NOT NULL"),
        ("version", "int NOT NULL"),
    ),
    key=("character_id",),
    indexes=("(user_id)",),  # seed: CharacterProfile (user_id) for ownership queries
)

ACTION_EVENTS = Table(
    "action_events",
    SCHEMA,
    owner=Owner("user_id"),
    columns=(
        ("action_id", "uuid NOT NULL"),
        ("user_id", "uuid NOT NULL"),
        ("character_id", "uuid NOT NULL"),
        ("session_id", "uuid NOT NULL"),
        ("sequence_number", "bigint NOT NULL"),
        ("action_type", "text NOT NULL"),
        ("payload_json", "jsonb NOT NULL"),
        ("persisted_at", "timestamptz NOT NULL"),
    ),
    key=("action_id",),
    # seed: (character_id, sequence_number) for replay order, (persisted_at) for retention
    indexes=("(character_id, sequence_number)", "(persisted_at)"),
)

PLAYER_SESSIONS = Table(
    "player_sessions",
    SCHEMA,
    owner=Owner("user_id"),
    columns=(
        ("session_id", "uuid NOT NULL"),
        ("user_id", "uuid NOT NULL"),
        ("character_id", "uuid NOT NULL"),
        ("status", "text NOT NULL"),
        ("last_action_seq", "bigint NOT NULL"),
        ("last_heartbeat_at", "timestamptz"),
        ("protocol_version", "text NOT NULL"),
        ("reconnect_attempts", "smallint NOT NULL"),
        ("opened_at", "timestamptz NOT NULL"),
        ("updated_at", "timestamptz NOT NULL"),
    ),
    key=("session_id",),
    indexes=("(user_id, opened_at)", "(status)"),
)


@fresh
def character_created(event: Event, _: Row | None) -> Row:
    return {
        "character_id": event.originator_id,
        "user_id": UUID(event.data["owner_id"]),
        "display_name": event.data["display_name"],
        "position_x": event.data["position_x"],
        "position_y": event.data["position_y"],
        "health": 100,
        "inventory_json": {},
        "stats_json": {},
        "updated_at": event.timestamp,
        "version": event.originator_version,
    }


@fresh
def action_recorded(event: Event, _: Row | None) -> Row:
    return {
        "action_id": UUID(event.data["action_id"]),
        "user_id": UUID(event.data["user_id"]),
        "character_id": UUID(event.data["character_id"]),
        "session_id": event.originator_id,
        "sequence_number": event.data["sequence_number"],
        "action_type": event.data["action_type"],
        "payload_json": event.data["payload"],
        "persisted_at": event.timestamp,
    }


def by_action(event: Event) -> tuple[UUID]:
    return (UUID(event.data["action_id"]),)


@fresh
def session_opened(event: Event, _: Row | None) -> Row:
    return {
        "session_id": event.originator_id,
        "user_id": UUID(event.data["user_id"]),
        "character_id": UUID(event.data["character_id"]),
        "status": "connecting",
        "last_action_seq": 0,
        "last_heartbeat_at": None,
        "protocol_version": event.data["protocol_version"],
        "reconnect_attempts": 0,
        "opened_at": event.timestamp,
        "updated_at": event.timestamp,
    }


def session_status(event: Event, row: Row | None) -> Row | None:
    if row is None:
        return None
    attempts = row["reconnect_attempts"]
    if event.data["status"] == "active" and row["status"] == "reconnecting":
        attempts += 1
    return {**row, "status": event.data["status"], "reconnect_attempts": attempts, "updated_at": event.timestamp}


def session_action(event: Event, row: Row | None) -> Row | None:
    if row is None:
        return None
    return {**row, "last_action_seq": event.data["sequence_number"], "updated_at": event.timestamp}


def session_heartbeat(event: Event, row: Row | None) -> Row | None:
    if row is None:
        return None
    return {**row, "last_heartbeat_at": datetime.fromisoformat(event.data["at"]), "updated_at": event.timestamp}


PROJECTION = Projection(
    name="live",
    schema_version=4,  # 3: moved from public into the live schema; 4: chat scrubbed at erasure
    tables=(CHARACTER_PROFILES, ACTION_EVENTS, PLAYER_SESSIONS),
    replaces=("public.character_profiles", "public.action_events", "public.player_sessions"),
    handlers={
        Character.Created.TOPIC: [Handler(CHARACTER_PROFILES, character_created)],
        Character.Moved.TOPIC: [
            Handler(CHARACTER_PROFILES, copy_fields(position_x="position_x", position_y="position_y"))
        ],
        Character.HealthChanged.TOPIC: [Handler(CHARACTER_PROFILES, copy_fields(health="health"))],
        Character.Erased.TOPIC: [Handler(CHARACTER_PROFILES, set_columns(display_name=ERASED))],
        PlayerSession.Created.TOPIC: [Handler(PLAYER_SESSIONS, session_opened)],
        PlayerSession.StatusChanged.TOPIC: [Handler(PLAYER_SESSIONS, session_status)],
        PlayerSession.ActionRecorded.TOPIC: [
            Handler(ACTION_EVENTS, action_recorded, key=by_action),
            Handler(PLAYER_SESSIONS, session_action),
        ],
        PlayerSession.HeartbeatRecorded.TOPIC: [Handler(PLAYER_SESSIONS, session_heartbeat)],
    },
    # Chat is sealed in the event store; the copy here is overwritten when its
    # player is erased (rebuilt, sealed chat reads as erased anyway).
    statements={
        Player.Erased.TOPIC: [
            erase_columns(ACTION_EVENTS, {"payload_json": {"text": ERASED}}, "user_id", "action_type = 'chat'")
        ]
    },
)
