"""Characters in a world (seed 002) over HTTP: a player creates their own and
reads one as it stands; anyone signed in finds the characters near a point; a
player lists their achievements. What characters do is ``actions``
(docs/adventure.md)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

import orjson
from fastapi import Query
from pydantic import BaseModel, Field
from starlette.responses import Response

from api import routing
from api.adventure.worlds import Adventure, Json, of_world
from api.deps import CommandDep, CurrentPrincipal, ReadDb, ReadYourWrites
from api.openapi import problems
from api.problems import Problem
from api.responses import stored, to_response
from api.schemas import Request
from domain.adventure import Adventurer
from domain.adventure.achievements import RULES
from domain.adventure.characters import WORLD_EDGE
from domain.adventure.inventory import QUANTITY_MAX
from domain.adventure.terrain import LAYERS, SIZE
from domain.kernel.store import Written
from infra.idempotency import Stored

router = routing.router(prefix="/v1", tags=["adventure"])
Coordinate = Annotated[float, Field(ge=-WORLD_EDGE, le=WORLD_EDGE)]
Height = Annotated[float, Field(ge=0, le=SIZE * LAYERS)]
Slot = Annotated[int, Field(ge=0, le=107)]
ItemName = Annotated[str, Field(min_length=1, max_length=64)]
Quantity = Annotated[int, Field(ge=1, le=QUANTITY_MAX)]
CHARACTER = "/worlds/{world_id}/characters/{character_id}"


class Position(Request):
    x: Coordinate
    y: Height
    z: Coordinate


class CharacterIn(Request):
    name: str = Field(min_length=1, max_length=32)
    character_class: Literal["warrior", "mage", "ranger", "artisan"]
    appearance: Json = Field(default_factory=dict)
    position: Position


class Stack(BaseModel):
    slot_position: int
    item_type: str
    item_name: str
    quantity: int
    item_data: Json


class Skill(BaseModel):
    skill_name: str
    skill_level: int
    experience_points: int


class CharacterOut(BaseModel):
    id: UUID
    user_id: UUID
    world_id: UUID
    name: str
    character_class: str
    level: int
    experience: int
    stats: dict[str, int]
    appearance: Json
    position_x: float
    position_y: float
    position_z: float
    inventory: list[Stack]
    skills: list[Skill]
    recipes: list[str]
    flags: dict[str, Any] = Field(
        description="Story flags: what the character's choices set (docs/adventure.md#rules)."
    )
    version: int
    position: int | None = None


def character_out(written: Written, status: int = 200) -> Stored:
    c: Adventurer = written.aggregate
    x, y, z = c.position
    out = CharacterOut(
        id=c.id,
        user_id=c.owner,
        world_id=c.world_id,
        name=c.name,
        character_class=c.character_class,
        level=c.level,
        experience=c.experience,
        stats=c.stats,
        appearance=c.appearance,
        position_x=x,
        position_y=y,
        position_z=z,
        inventory=[Stack(slot_position=int(slot), **s) for slot, s in sorted(c.inventory.items(), key=_slot)],
        skills=[
            Skill(skill_name=n, skill_level=s["level"], experience_points=s["experience"])
            for n, s in sorted(c.skills.items())
        ],
        recipes=c.recipes,
        flags=c.flags,
        version=c.version,
        position=written.position,
    )
    location = f"/v1/worlds/{c.world_id}/characters/{c.id}" if status == 201 else None
    return stored(status, out, version=c.version, location=location)


def _slot(item: tuple[str, Any]) -> int:
    return int(item[0])


def in_world(character: Adventurer, world_id: UUID) -> Adventurer:
    return of_world(character, world_id, "character")


@router.post(
    "/worlds/{world_id}/characters", status_code=201, response_model=CharacterOut, responses=problems(404, 409, 422)
)
def create_character(world_id: UUID, body: CharacterIn, cmd: CommandDep, adventure: Adventure) -> Response:
    """A new character of yours in an active world (within its per-player limit)."""
    p = body.position
    return cmd.run(
        {"world": str(world_id), **body.model_dump()},
        lambda: character_out(
            adventure.create_character(
                cmd.principal.subject, world_id, body.name, body.character_class, body.appearance, (p.x, p.y, p.z)
            ),
            201,
        ),
    )


@router.get(CHARACTER, response_model=CharacterOut, responses=problems(403, 404))
def get_character(world_id: UUID, character_id: UUID, principal: CurrentPrincipal, adventure: Adventure) -> Response:
    """Your character as it stands (from the aggregate): stats, inventory, skills, recipes."""
    character = in_world(adventure.character(character_id, None if principal.is_admin else principal.subject), world_id)
    return to_response(character_out(Written(character, None)))


Radius = Annotated[float, Query(gt=0, le=256, strict=False)]
Point = Annotated[float, Query(ge=-WORLD_EDGE, le=WORLD_EDGE, strict=False)]


@router.get("/worlds/{world_id}/characters", dependencies=[ReadYourWrites], responses=problems(422))
def near(
    world_id: UUID, db: ReadDb, _: CurrentPrincipal, x: Point, y: Point, z: Point, radius: Radius = 32.0
) -> Response:
    """Characters within ``radius`` blocks of a point, nearest first (at most 100;
    the box query uses ``idx_characters_position``)."""
    with db.connection() as conn:
        rows = conn.execute(
            "SELECT id, name, character_class, level, position_x, position_y, position_z, "
            "sqrt(power(position_x - %(x)s, 2) + power(position_y - %(y)s, 2) + power(position_z - %(z)s, 2)) "
            "AS distance FROM adventure.characters WHERE world_id = %(w)s "
            "AND position_x BETWEEN %(x)s - %(r)s AND %(x)s + %(r)s "
            "AND position_y BETWEEN %(y)s - %(r)s AND %(y)s + %(r)s "
            "AND position_z BETWEEN %(z)s - %(r)s AND %(z)s + %(r)s "
            "ORDER BY distance, id LIMIT 100",
            {"w": world_id, "x": x, "y": y, "z": z, "r": radius},
        ).fetchall()
    items = [r for r in rows if r["distance"] <= radius]
    return Response(orjson.dumps({"items": items}), media_type="application/json")


@router.get("/players/{player_id}/achievements", dependencies=[ReadYourWrites], responses=problems(403))
def achievements(player_id: UUID, db: ReadDb, principal: CurrentPrincipal) -> Response:
    """Every achievement: unlocked ones with when and why; locked ones without,
    except hidden ones, which are not listed until unlocked."""
    if not principal.can_read(player_id):
        raise Problem(403, "forbidden", "these achievements are another player's")
    with db.connection() as conn:
        rows = conn.execute(
            "SELECT achievement_name, description, points, unlock_data, unlocked_at "
            "FROM adventure.achievements WHERE user_id = %s ORDER BY unlocked_at",
            (player_id,),
        ).fetchall()
    unlocked = {r["achievement_name"]: r for r in rows}
    items = [
        unlocked.get(rule.name)
        or {"achievement_name": rule.name, "description": rule.description, "points": rule.points, "unlocked_at": None}
        for rule in RULES
        if rule.name in unlocked or not rule.hidden
    ]
    return Response(
        orjson.dumps({"items": items, "points": sum(r["points"] for r in rows)}), media_type="application/json"
    )
