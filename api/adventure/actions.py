"""What a player's character does, over HTTP: move, trade, craft, interact,
tidy its inventory; and what a game server (role ``server``) reports of it:
experience and loot. Each command answers the character, or the pair's
relationship, as the command left it (docs/adventure.md)."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field
from starlette.responses import Response

from api import routing
from api.adventure.characters import (
    CHARACTER,
    CharacterOut,
    ItemName,
    Position,
    Quantity,
    Slot,
    character_out,
    in_world,
)
from api.adventure.worlds import Adventure, Json
from api.deps import CommandDep, game_server
from api.openapi import problems
from api.responses import stored
from api.schemas import Request
from domain.adventure.characters import EXPERIENCE_GRANT_MAX
from domain.adventure.relationships import DELTA_MAX, relationship_type
from domain.kernel.store import Written
from infra.idempotency import Stored

router = routing.router(prefix="/v1", tags=["adventure"])


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
