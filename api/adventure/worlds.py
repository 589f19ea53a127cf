"""Worlds (seed 002) over HTTP: admins create and configure them (``If-Match``),
anyone signed in reads one; and what the other adventure routers share: the
use cases' dependency, JSON objects, the admins-only check (docs/adventure.md)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar
from uuid import UUID

from pydantic import BaseModel, Field
from starlette.responses import Response

from api import routing
from api.deps import CommandDep, CurrentPrincipal, IfMatch, wired
from api.openapi import problems
from api.problems import Problem
from api.responses import stored, to_response
from api.schemas import Request
from domain.adventure import AdventureUseCases, World
from domain.kernel.store import Written
from infra.idempotency import Stored

router = routing.router(prefix="/v1", tags=["adventure"])
Adventure = Annotated[AdventureUseCases, wired(AdventureUseCases)]
Json = dict[str, Any]


T = TypeVar("T")


def of_world(found: T, world_id: UUID, what: str) -> T:
    """``found`` (a story, quest, event, character, log entry), if it is in the
    world the path names; else 404, as if it were not there."""
    if getattr(found, "world_id", None) != world_id:
        raise Problem(404, "not_found", f"{what} {getattr(found, 'id', '')} is not in world {world_id}")
    return found


def admin_only(cmd: CommandDep, what: str) -> None:
    if not cmd.principal.is_admin:
        raise Problem(403, "forbidden", f"only admins {what}")


class WorldIn(Request):
    name: str = Field(min_length=1, max_length=64)
    world_type: Literal["standard", "flat"] = "standard"
    seed: int = Field(ge=-(2**63), le=2**63 - 1)
    settings: Json = Field(default_factory=dict, description='e.g. {"characters_per_player": 5}')
    metadata: Json = Field(default_factory=dict)


class WorldPatch(Request):
    settings: Json | None = None
    metadata: Json | None = None
    is_active: bool | None = None


class FlagsIn(Request):
    flags: Json = Field(
        description="Flags to set (null clears one), e.g. {\"gate_open\": true}: what stories' and quests' "
        "world_flags conditions read. At most 8; names of a-z, 0-9, _ . : - (64)."
    )
    reason: str = Field("", max_length=128)


class WorldOut(BaseModel):
    id: UUID
    name: str
    world_type: str
    seed: int
    settings: Json
    metadata: Json
    flags: Json = Field(description="The world's story flags (set by choices, quests, admins and agents).")
    is_active: bool
    version: int
    position: int | None = None


def world_out(written: Written, status: int = 200) -> Stored:
    world: World = written.aggregate
    out = WorldOut(
        id=world.id,
        name=world.name,
        world_type=world.world_type,
        seed=world.seed,
        settings=world.settings,
        metadata=world.metadata,
        flags=world.flags,
        is_active=world.is_active,
        version=world.version,
        position=written.position,
    )
    return stored(status, out, version=world.version, location=f"/v1/worlds/{world.id}" if status == 201 else None)


@router.post("/worlds", status_code=201, response_model=WorldOut, responses=problems(403, 409, 422))
def create_world(body: WorldIn, cmd: CommandDep, adventure: Adventure) -> Response:
    """A new world (admins): its name is unique, its seed generates its terrain."""
    admin_only(cmd, "create worlds")
    return cmd.run(
        {"world": body.model_dump()},
        lambda: world_out(
            adventure.create_world(body.name, body.world_type, body.seed, body.settings, body.metadata), 201
        ),
    )


@router.get("/worlds/{world_id}", response_model=WorldOut, responses=problems(404))
def get_world(world_id: UUID, adventure: Adventure, _: CurrentPrincipal) -> Response:
    return to_response(world_out(Written(adventure.world(world_id), None)))


@router.patch("/worlds/{world_id}", response_model=WorldOut, responses=problems(403, 404, 412, 422))
def configure_world(
    world_id: UUID, body: WorldPatch, cmd: CommandDep, adventure: Adventure, if_match: IfMatch = None
) -> Response:
    """New settings or metadata (each replaced whole), or (in)active (admins)."""
    admin_only(cmd, "configure worlds")
    return cmd.run(
        {"world": str(world_id), **body.model_dump()},
        lambda: world_out(adventure.configure_world(world_id, body.settings, body.metadata, body.is_active, if_match)),
    )


@router.post("/worlds/{world_id}/flags", response_model=WorldOut, responses=problems(403, 404, 412, 422))
def set_world_flags(
    world_id: UUID, body: FlagsIn, cmd: CommandDep, adventure: Adventure, if_match: IfMatch = None
) -> Response:
    """Set or clear the world's story flags (admins; the world builder agent does
    the same): the flags not named stay as they are."""
    admin_only(cmd, "set a world's flags")
    return cmd.run(
        {"world_flags": str(world_id), **body.model_dump()},
        lambda: world_out(adventure.set_world_flags(world_id, body.flags, body.reason, if_match)),
    )
