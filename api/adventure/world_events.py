"""World events (seed 002) over HTTP: admins schedule them (seasons that
come back, festivals with effects), a player sets off a small one for its
character, anyone signed in reads a world's events; an admin, or the player
who set one off, cancels it (docs/adventure.md, "World events")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import orjson
from fastapi import Query
from pydantic import AwareDatetime, BaseModel, Field
from starlette.responses import Response

from api import routing
from api.adventure.worlds import Adventure, Json, of_world
from api.deps import CommandDep, CurrentPrincipal, ReadDb, ReadYourWrites
from api.openapi import problems
from api.problems import Problem
from api.responses import stored, to_response
from api.schemas import Request
from domain.adventure import WorldEvent
from domain.adventure.stories import TEXT_MAX, TITLE_MAX
from domain.kernel.store import Written
from infra.idempotency import Stored

router = routing.router(prefix="/v1", tags=["adventure"])
EVENT = "/worlds/{world_id}/events/{event_id}"


class WorldEventIn(Request):
    event_type: Literal["season", "festival", "storm", "invasion", "market", "player", "agent"]
    event_name: str = Field(min_length=1, max_length=TITLE_MAX)
    description: str = Field("", max_length=TEXT_MAX)
    effects: Json = Field(
        default_factory=dict, description='{"craft_odds": -0.5..0.5, "recipe_types": [...], "quest_experience": 0.5..3}'
    )
    start_time: AwareDatetime = Field(strict=False)
    end_time: AwareDatetime = Field(strict=False)
    every_seconds: int | None = Field(None, ge=60, le=366 * 86_400, description="A season: it comes back.")
    character_id: UUID | None = Field(
        None, strict=False, description="A player's event: one of its characters sets it off (type player)."
    )


class WorldEventOut(BaseModel):
    id: UUID
    world_id: UUID
    event_type: str
    event_name: str
    description: str
    effects: Json
    start_time: datetime
    end_time: datetime
    every_seconds: int | None
    trigger: str
    triggered_by: UUID | None
    status: str = Field(description="scheduled, active, ended or cancelled")
    version: int
    position: int | None = None


class WorldEventRow(BaseModel):
    id: UUID
    event_type: str
    event_name: str
    description: str
    event_data: Json
    start_time: datetime
    end_time: datetime
    is_active: bool
    status: str


class WorldEventsOut(BaseModel):
    items: list[WorldEventRow]


def event_out(written: Written, status: int = 200) -> Stored:
    e: WorldEvent = written.aggregate
    out = WorldEventOut(
        id=e.id,
        world_id=e.world_id,
        event_type=e.event_type,
        event_name=e.event_name,
        description=e.description,
        effects=e.effects,
        start_time=e.start_time,
        end_time=e.end_time,
        every_seconds=e.every_seconds,
        trigger=e.trigger,
        triggered_by=e.triggered_by,
        status=e.status,
        version=e.version,
        position=written.position,
    )
    location = f"/v1/worlds/{e.world_id}/events/{e.id}" if status == 201 else None
    return stored(status, out, version=e.version, location=location)


def event_in(adventure: Adventure, world_id: UUID, event_id: UUID) -> WorldEvent:
    return of_world(adventure.seasons.event(event_id), world_id, "event")


@router.post(
    "/worlds/{world_id}/events", status_code=201, response_model=WorldEventOut, responses=problems(403, 404, 409, 422)
)
def schedule(world_id: UUID, body: WorldEventIn, cmd: CommandDep, adventure: Adventure) -> Response:
    """An event in the world: admins schedule any; a player sets off one of
    type ``player`` for its character (an hour at most, no effects)."""
    principal = cmd.principal
    if body.character_id is None and not principal.is_admin:
        raise Problem(403, "forbidden", "only admins schedule world events; a player names its character_id")
    player = body.character_id is not None and not principal.is_admin
    data = body.model_dump(exclude={"character_id"})
    return cmd.run(
        {"world": str(world_id), "event": body.model_dump(mode="json")},
        lambda: event_out(
            adventure.seasons.schedule(
                world_id,
                **data,
                trigger="player" if player else "admin",
                triggered_by=body.character_id,
                owner=principal.subject if player else None,
            ),
            201,
        ),
    )


@router.get(
    "/worlds/{world_id}/events",
    response_model=WorldEventsOut,
    dependencies=[ReadYourWrites],
    responses=problems(422),
)
def list_events(
    world_id: UUID,
    db: ReadDb,
    _: CurrentPrincipal,
    active: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    """The world's events by start, newest first (``active``: only those open, or only those not)."""
    with db.connection() as conn:
        rows = conn.execute(
            "SELECT id, event_type, event_name, description, event_data, start_time, end_time, is_active, status "
            "FROM adventure.world_events WHERE world_id = %s AND (%s::boolean IS NULL OR is_active = %s) "
            "ORDER BY start_time DESC, id LIMIT %s",
            (world_id, active, active, limit),
        ).fetchall()
    return Response(orjson.dumps({"items": rows}), media_type="application/json")


@router.get(EVENT, response_model=WorldEventOut, responses=problems(404))
def get_event(world_id: UUID, event_id: UUID, adventure: Adventure, _: CurrentPrincipal) -> Response:
    return to_response(event_out(Written(event_in(adventure, world_id, event_id), None)))


@router.post(EVENT + "/cancel", response_model=WorldEventOut, responses=problems(403, 404, 409))
def cancel(world_id: UUID, event_id: UUID, cmd: CommandDep, adventure: Adventure) -> Response:
    """Close the event now, or before it opens (an admin, or the player who set it off)."""
    event_in(adventure, world_id, event_id)
    actor = None if cmd.principal.is_admin else cmd.principal.subject
    return cmd.run({"cancel": str(event_id)}, lambda: event_out(adventure.seasons.cancel(event_id, actor)))
