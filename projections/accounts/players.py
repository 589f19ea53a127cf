"""Read model ``players`` (seed 000): account_id, display_name, platform_links,
created_at, last_seen, plus telemetry_opt_out, username, email (what Echoes'
``users`` view shows), erased_at and the aggregate version (ETag). An erased
player keeps its row, with no personal column left: display_name, username,
email NULL, platform_links empty."""

from __future__ import annotations

from datetime import datetime

from domain.accounts import Player
from projections.model import Event, Handler, Owner, Projection, Row, Table, copy_fields, fresh, updated

SCHEMA = "accounts"

PLAYERS = Table(
    "players",
    SCHEMA,
    owner=Owner("account_id"),
    columns=(
        ("account_id", "uuid NOT NULL"),
        ("display_name", "text"),
        ("platform_links", "jsonb NOT NULL"),
        ("created_at", "timestamptz NOT NULL"),
        ("last_seen", "timestamptz"),
        ("telemetry_opt_out", "boolean NOT NULL"),
        ("save_slot_count", "int NOT NULL"),
        ("username", "text"),
        ("email", "text"),
        ("erased_at", "timestamptz"),
        ("version", "int NOT NULL"),
    ),
    key=("account_id",),
    indexes=("(last_seen)",),
)


@fresh
def created(event: Event, _: Row | None) -> Row:
    return {
        "account_id": event.originator_id,
        "display_name": event.data["display_name"],
        "platform_links": {},
        "created_at": event.timestamp,
        "last_seen": None,
        "telemetry_opt_out": False,
        "save_slot_count": 0,
        "username": None,
        "email": None,
        "erased_at": None,
        "version": event.originator_version,
    }


def platform_linked(event: Event, row: Row | None) -> Row | None:
    if row is None:
        return None
    links = {**row["platform_links"], event.data["platform"]: event.data["platform_user_id"]}
    return {**row, "platform_links": links, "version": event.originator_version}


def seen(event: Event, row: Row | None) -> Row | None:
    if row is None:
        return None
    return {**row, "last_seen": datetime.fromisoformat(event.data["at"]), "version": event.originator_version}


def slot_opened(event: Event, row: Row | None) -> Row | None:
    if row is None:
        return None
    return {**row, "save_slot_count": row["save_slot_count"] + 1, "version": event.originator_version}


def erased(event: Event, row: Row | None) -> Row | None:
    if row is None:
        return None
    changes: dict[str, object] = {
        "display_name": None,
        "platform_links": {},
        "username": None,
        "email": None,
        "erased_at": event.timestamp,
    }
    return updated(event, row, changes)


PROJECTION = Projection(
    name="players",
    schema_version=4,  # 3: moved from public into the accounts schema; 4: email
    tables=(PLAYERS,),
    replaces=("public.players",),
    handlers={
        Player.Created.TOPIC: [Handler(PLAYERS, created)],
        Player.Renamed.TOPIC: [Handler(PLAYERS, copy_fields(display_name="display_name"))],
        Player.PlatformLinked.TOPIC: [Handler(PLAYERS, platform_linked)],
        Player.Seen.TOPIC: [Handler(PLAYERS, seen)],
        Player.TelemetryPreferenceChanged.TOPIC: [Handler(PLAYERS, copy_fields(telemetry_opt_out="opted_out"))],
        Player.SaveSlotOpened.TOPIC: [Handler(PLAYERS, slot_opened)],
        Player.CredentialsRegistered.TOPIC: [Handler(PLAYERS, copy_fields(username="username", email="email"))],
        Player.Erased.TOPIC: [Handler(PLAYERS, erased)],
    },
)
