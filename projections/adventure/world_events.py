"""The read model of world events (seed 002's ``world_events``), in the
``adventure`` schema: one row per event, ``is_active`` true while its window
is open (it flips on time: the timers that open and close windows write the
events this follows), ``start_time`` and ``end_time`` the current or next
window, ``event_data`` the effects, the period, who set it off, and
``status`` (scheduled, active, ended, cancelled) beside the seed's columns."""

from __future__ import annotations

from uuid import UUID

from domain.adventure import WorldEvent
from projections.model import Event, Handler, Projection, Row, Table, fresh, updated

SCHEMA = "adventure"

WORLD_EVENTS = Table(
    "world_events",
    SCHEMA,
    owner=None,
    columns=(
        ("id", "uuid NOT NULL"),
        ("world_id", "uuid NOT NULL"),
        ("event_type", "text NOT NULL"),
        ("event_name", "text NOT NULL"),
        ("description", "text NOT NULL"),
        ("event_data", "jsonb NOT NULL"),
        ("start_time", "timestamptz NOT NULL"),
        ("end_time", "timestamptz NOT NULL"),
        ("is_active", "boolean NOT NULL"),
        ("status", "text NOT NULL"),
        ("version", "int NOT NULL"),
    ),
    key=("id",),
    indexes=("(world_id, is_active)", "(world_id, start_time)"),
)


@fresh
def created(event: Event, _: Row | None) -> Row:
    data = event.data
    return {
        "id": event.originator_id,
        "world_id": UUID(data["world_id"]),
        "event_type": data["event_type"],
        "event_name": data["event_name"],
        "description": data["description"],
        "event_data": {k: data[k] for k in ("effects", "every_seconds", "trigger", "triggered_by")},
        "start_time": data["start_time"],
        "end_time": data["end_time"],
        "is_active": False,
        "status": "scheduled",
        "version": event.originator_version,
    }


def started(event: Event, row: Row | None) -> Row | None:
    return updated(event, row, {"is_active": True, "status": "active"}) if row else None


def ended(event: Event, row: Row | None) -> Row | None:
    status = "cancelled" if event.data["cancelled"] else "ended"
    return updated(event, row, {"is_active": False, "status": status}) if row else None


def rescheduled(event: Event, row: Row | None) -> Row | None:
    if row is None:
        return None
    window = {"start_time": event.data["start_time"], "end_time": event.data["end_time"]}
    return updated(event, row, {**window, "is_active": False, "status": "scheduled"})


PROJECTION = Projection(
    name="adventure_world_events",
    schema_version=1,
    tables=(WORLD_EVENTS,),
    handlers={
        WorldEvent.Created.TOPIC: (Handler(WORLD_EVENTS, created),),
        WorldEvent.Started.TOPIC: (Handler(WORLD_EVENTS, started),),
        WorldEvent.Ended.TOPIC: (Handler(WORLD_EVENTS, ended),),
        WorldEvent.Rescheduled.TOPIC: (Handler(WORLD_EVENTS, rescheduled),),
    },
)

__all__ = ["PROJECTION", "WORLD_EVENTS"]
