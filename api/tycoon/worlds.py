"""Tycoon worlds over HTTP (seed 003): a player founds worlds, reads one with
its live game clock and guild, announces world events, and comes back to a
report of what happened while away (``report``). Shared by the other tycoon
routers: the use cases' dependency, and the owner check (a player acts only
on their own worlds; admins read any)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field
from starlette.responses import Response

from api import routing
from api.deps import CommandDep, CurrentPrincipal, wired
from api.openapi import problems
from api.responses import stored, to_response
from api.schemas import Request
from domain.kernel.store import Written
from domain.tycoon import TycoonUseCases, TycoonWorld
from domain.tycoon.clock import RATIO_MAX, RATIO_MIN, describe
from domain.tycoon.worlds import EVENT_EFFECTS, EVENT_MINUTES_MAX
from infra.idempotency import Stored
from projections.db import Conn, Pool
from projections.row_security import PLAYER_ROLE

router = routing.router(prefix="/v1/tycoon", tags=["tycoon"])
Tycoon = Annotated[TycoonUseCases, wired(TycoonUseCases)]
Json = dict[str, Any]


def reader(principal: Any) -> UUID | None:
    """Whose things a principal may read: their own (None: an admin reads any)."""
    return None if principal.is_admin else principal.subject


@contextmanager
def player_rows(db: Pool, principal: Any) -> Iterator[Conn]:
    """A read made for the principal, under the tycoon tables' row-level
    security: the player's role, the player set on the transaction. An admin
    reads as the owner (every row)."""
    with db.connection() as conn, conn.transaction():
        if not principal.is_admin:
            conn.execute(f"SET LOCAL ROLE {PLAYER_ROLE}")
            conn.execute("SELECT set_config('lorekeeper.player', %s, true)", (str(principal.subject),))
        yield conn


class WorldIn(Request):
    name: str = Field(min_length=1, max_length=64)
    seed: int | None = Field(None, ge=-(2**63), le=2**63 - 1, description="generates world_data; random if absent")
    time_ratio: int | None = Field(
        None, ge=RATIO_MIN, le=RATIO_MAX, description="game seconds per real second (60: a real minute is a game hour)"
    )


class GuildOut(BaseModel):
    id: UUID
    name: str
    gold: int
    reputation: int
    heroes: int


class WorldOut(BaseModel):
    id: UUID
    user_id: UUID
    name: str
    seed: int
    time_ratio: int
    world_data: Json
    game_time: int = Field(description="game minutes since the world was founded, now")
    game_clock: str = Field(description='the game time as "day N, HH:MM"')
    guild: GuildOut
    version: int
    position: int | None = None


def world_out(tycoon: TycoonUseCases, written: Written, status: int = 200) -> Stored:
    world: TycoonWorld = written.aggregate
    guild = tycoon.guild(world.id)
    minute = world.clock.minute(tycoon.now())
    out = WorldOut(
        id=world.id,
        user_id=world.owner,
        name=world.name,
        seed=world.seed,
        time_ratio=world.ratio,
        world_data=world.world_data,
        game_time=minute,
        game_clock=describe(minute),
        guild=GuildOut(
            id=guild.id, name=guild.name, gold=guild.gold, reputation=guild.reputation, heroes=len(guild.members)
        ),
        version=world.version,
        position=written.position,
    )
    location = f"/v1/tycoon/worlds/{world.id}" if status == 201 else None
    return stored(status, out, version=world.version, location=location)


@router.post("/worlds", status_code=201, response_model=WorldOut, responses=problems(409, 422))
def found_world(body: WorldIn, cmd: CommandDep, tycoon: Tycoon) -> Response:
    """A new world of yours, its world_data generated from the seed, with its guild (1,000 gold)."""
    return cmd.run(
        {"tycoon_world": body.model_dump()},
        lambda: world_out(
            tycoon, tycoon.found_world(cmd.principal.subject, body.name, body.seed, body.time_ratio), 201
        ),
    )


@router.get("/worlds/{world_id}", response_model=WorldOut, responses=problems(403, 404))
def get_world(world_id: UUID, principal: CurrentPrincipal, tycoon: Tycoon) -> Response:
    """Your world, its clock now and its guild."""
    return to_response(world_out(tycoon, Written(tycoon.world(world_id, reader(principal)), None)))


class WorldEventIn(Request):
    event_type: Literal[tuple(sorted(EVENT_EFFECTS))]  # type: ignore[valid-type]
    description: str = Field(min_length=1, max_length=200)
    starts_in_minutes: int = Field(1, ge=1, le=EVENT_MINUTES_MAX, description="game minutes from now")
    duration_minutes: int = Field(ge=1, le=EVENT_MINUTES_MAX, description="game minutes")


class WorldEventOut(BaseModel):
    id: UUID
    world_id: UUID
    event_type: str
    description: str
    event_data: Json
    starts_game_time: int
    ends_game_time: int
    position: int | None = None


@router.post(
    "/worlds/{world_id}/events", status_code=201, response_model=WorldEventOut, responses=problems(403, 404, 422)
)
def announce(world_id: UUID, body: WorldEventIn, cmd: CommandDep, tycoon: Tycoon) -> Response:
    """A world event (festival, storm, market day, monster sighting): a window of
    game time in which heroes lean towards some actions and away from others."""

    def run() -> Stored:
        written = tycoon.announce(
            cmd.principal.subject,
            world_id,
            body.event_type,
            body.description,
            body.starts_in_minutes,
            body.duration_minutes,
        )
        world: TycoonWorld = written.aggregate
        last = world.events[-1]
        out = WorldEventOut(
            id=UUID(last["id"]),
            world_id=world.id,
            event_type=last["event_type"],
            description=body.description,
            event_data={"effects": EVENT_EFFECTS[last["event_type"]]},
            starts_game_time=last["starts"],
            ends_game_time=last["ends"],
            position=written.position,
        )
        return stored(201, out, version=world.version)

    return cmd.run({"world": str(world_id), "event": body.model_dump()}, run)
