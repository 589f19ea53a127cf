"""Characters in a world (seed 002) over HTTP: a player creates and plays
their own characters (move, items, trades, crafting, interactions); a game
server (role ``server``) grants experience and loot; anyone signed in finds
the characters near a point; a player lists their achievements. Every command
answers the character as it now stands (docs/adventure.md)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

import orjson
from fastapi import Query
from pydantic import BaseModel, Field
from starlette.responses import Response

from api import routing
from api.adventure.worlds import Adventure, Json
from api.deps import CommandDep, CurrentPrincipal, ReadDb, ReadYourWrites
from api.openapi import problems
from api.problems import Problem
from api.responses import stored, to_response
from api.schemas import Request
from domain.adventure import Adventurer
from domain.adventure.achievements import RULES
from domain.adventure.characters import EXPERIENCE_GRANT_MAX, WORLD_EDGE
from domain.adventure.inventory import QUANTITY_MAX
from domain.adventure.relationships import DELTA_MAX, relationship_type
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


class ExperienceIn(Request):
    amount: int = Field(ge=1, le=EXPERIENCE_GRANT_MAX)
    reason: str = Field(min_length=1, max_length=64)


class ItemsIn(Request):
    item_type: Literal["material", "block", "tool", "weapon", "armor", "consumable", "trinket"]
    item_name: ItemName
    quantity: Quantity
    item_data: Json | None = Field(None, description='{"durability": 1..10000, "enchantments": [...]}: never stacks.')
    reason: Literal["loot", "gather", "reward", "starter_kit"] = "loot"


class MoveItemIn(Request):
    from_slot: Slot
    to_slot: Slot


class DropIn(Request):
    item_name: ItemName
    quantity: Quantity


class TradeIn(Request):
    to_character_id: UUID = Field(strict=False)
    item_name: ItemName
    quantity: Quantity


class InteractIn(Request):
    with_character_id: UUID = Field(strict=False)
    kind: Literal["greet", "gift", "help", "trade", "quarrel", "insult", "attack", "betray"]
    delta: int = Field(ge=-DELTA_MAX, le=DELTA_MAX)


class CraftIn(Request):
    recipe_name: str = Field(min_length=1, max_length=64)


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
        version=c.version,
        position=written.position,
    )
    location = f"/v1/worlds/{c.world_id}/characters/{c.id}" if status == 201 else None
    return stored(status, out, version=c.version, location=location)


def _slot(item: tuple[str, Any]) -> int:
    return int(item[0])


def in_world(character: Adventurer, world_id: UUID) -> Adventurer:
    if character.world_id != world_id:
        raise Problem(404, "not_found", f"character {character.id} is not in world {world_id}")
    return character


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


def game_server(cmd: CommandDep, what: str) -> None:
    if "server" not in cmd.principal.roles:
        raise Problem(403, "forbidden", f"{what} is reported by a game server (role server)")


def run(cmd: CommandDep, adventure: Any, world_id: UUID, character_id: UUID, body: Request, act: Any) -> Response:
    """A command on a character of this world, answered as the character it leaves."""
    in_world(adventure.character(character_id), world_id)
    return cmd.run(
        {"character": str(character_id), type(body).__name__: body.model_dump(mode="json")},
        lambda: character_out(act()),
    )


CommandAnswers = problems(403, 404, 409, 422)


@router.post(CHARACTER + "/move", response_model=CharacterOut, responses=CommandAnswers)
def move(world_id: UUID, character_id: UUID, body: Position, cmd: CommandDep, adventure: Adventure) -> Response:
    """Your character to a position inside the world."""
    player = cmd.principal.subject
    act = lambda: adventure.move_character(player, character_id, (body.x, body.y, body.z))  # noqa: E731
    return run(cmd, adventure, world_id, character_id, body, act)


@router.post(CHARACTER + "/experience", response_model=CharacterOut, responses=CommandAnswers)
def experience(
    world_id: UUID, character_id: UUID, body: ExperienceIn, cmd: CommandDep, adventure: Adventure
) -> Response:
    """Experience earned (a game server reports it); levels follow the curve in docs/adventure.md."""
    game_server(cmd, "experience")
    act = lambda: adventure.grant_experience(character_id, body.amount, body.reason)  # noqa: E731
    return run(cmd, adventure, world_id, character_id, body, act)


@router.post(CHARACTER + "/items", response_model=CharacterOut, responses=CommandAnswers)
def give_items(world_id: UUID, character_id: UUID, body: ItemsIn, cmd: CommandDep, adventure: Adventure) -> Response:
    """Items into the character's bag (a game server reports loot and gathering)."""
    game_server(cmd, "loot")
    act = lambda: adventure.give_items(  # noqa: E731
        character_id, body.item_type, body.item_name, body.quantity, body.item_data, body.reason
    )
    return run(cmd, adventure, world_id, character_id, body, act)


@router.post(CHARACTER + "/items/move", response_model=CharacterOut, responses=CommandAnswers)
def move_item(world_id: UUID, character_id: UUID, body: MoveItemIn, cmd: CommandDep, adventure: Adventure) -> Response:
    """A stack to another slot: bag 0..35, equipment 100..107 (swaps or merges with what is there)."""
    player = cmd.principal.subject
    act = lambda: adventure.move_item(player, character_id, body.from_slot, body.to_slot)  # noqa: E731
    return run(cmd, adventure, world_id, character_id, body, act)


@router.post(CHARACTER + "/items/drop", response_model=CharacterOut, responses=CommandAnswers)
def drop(world_id: UUID, character_id: UUID, body: DropIn, cmd: CommandDep, adventure: Adventure) -> Response:
    """Throw items away from the bag."""
    player = cmd.principal.subject
    act = lambda: adventure.drop_items(player, character_id, body.item_name, body.quantity)  # noqa: E731
    return run(cmd, adventure, world_id, character_id, body, act)


@router.post(CHARACTER + "/craft", response_model=CharacterOut, responses=CommandAnswers)
def craft(world_id: UUID, character_id: UUID, body: CraftIn, cmd: CommandDep, adventure: Adventure) -> Response:
    """One craft: the server rolls; ingredients are used up whatever the roll (the
    answer's ``recipes`` and inventory show the outcome; the event records the roll)."""
    player = cmd.principal.subject
    act = lambda: adventure.craft(player, character_id, body.recipe_name)  # noqa: E731
    return run(cmd, adventure, world_id, character_id, body, act)


class RelationshipOut(BaseModel):
    relationship_id: UUID
    character_id: UUID
    target_character_id: UUID
    relationship_value: int
    relationship_type: str
    interaction_history: list[Json]
    position: int | None = None


def relationship_out(written: Written, character_id: UUID) -> Stored:
    r = written.aggregate
    out = RelationshipOut(
        relationship_id=r.id,
        character_id=character_id,
        target_character_id=r.other(character_id),
        relationship_value=r.value,
        relationship_type=relationship_type(r.value),
        interaction_history=r.history,
        position=written.position,
    )
    return stored(200, out, version=r.version)


@router.post(CHARACTER + "/trade", response_model=RelationshipOut, responses=CommandAnswers)
def trade(world_id: UUID, character_id: UUID, body: TradeIn, cmd: CommandDep, adventure: Adventure) -> Response:
    """Give items to another character in this world: both bags and the trade log
    (the pair's ``interaction_history``) in one write."""
    player = cmd.principal.subject
    in_world(adventure.character(character_id), world_id)
    return cmd.run(
        {"character": str(character_id), "trade": body.model_dump(mode="json")},
        lambda: relationship_out(
            adventure.trade(player, character_id, body.to_character_id, body.item_name, body.quantity), character_id
        ),
    )


@router.post(CHARACTER + "/interactions", response_model=RelationshipOut, responses=CommandAnswers)
def interact(world_id: UUID, character_id: UUID, body: InteractIn, cmd: CommandDep, adventure: Adventure) -> Response:
    """An interaction with another character: the pair's one relationship moves (-100..100)."""
    player = cmd.principal.subject
    in_world(adventure.character(character_id), world_id)
    return cmd.run(
        {"character": str(character_id), "interact": body.model_dump(mode="json")},
        lambda: relationship_out(
            adventure.interact(player, character_id, body.with_character_id, body.kind, body.delta), character_id
        ),
    )


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
