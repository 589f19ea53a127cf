"""Crafting recipes over HTTP: admins create them, anyone signed in reads one
(docs/adventure.md, "Crafting")."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field
from starlette.responses import Response

from api import routing
from api.adventure.worlds import Adventure, Json, admin_only
from api.deps import CommandDep, CurrentPrincipal
from api.openapi import problems
from api.responses import stored, to_response
from api.schemas import Request
from domain.adventure import Recipe
from domain.kernel.store import Written
from infra.idempotency import Stored

router = routing.router(prefix="/v1", tags=["adventure"])


class Ingredient(Request):
    item_name: str = Field(min_length=1, max_length=64)
    quantity: int = Field(ge=1, le=64)


class ResultItem(Request):
    item_type: str = Field(max_length=20)
    item_name: str = Field(min_length=1, max_length=64)
    quantity: int = Field(1, ge=1, le=64)
    item_data: Json = Field(default_factory=dict)


class RecipeIn(Request):
    recipe_name: str = Field(min_length=1, max_length=64)
    ingredients: list[Ingredient] = Field(min_length=1, max_length=8)
    result_item: ResultItem
    required_level: int = Field(1, ge=1, le=100)
    recipe_type: str = Field(max_length=20, description="The skill it trains and is gated by.")
    unlock_conditions: Json = Field(
        default_factory=dict, description="docs/adventure.md: level, skills, items, achievements."
    )


class RecipeOut(BaseModel):
    id: UUID
    recipe_name: str
    ingredients: list[Json]
    result_item: Json
    required_level: int
    recipe_type: str
    unlock_conditions: Json
    position: int | None = None


def recipe_out(written: Written, status: int = 200) -> Stored:
    recipe: Recipe = written.aggregate
    out = RecipeOut(
        id=recipe.id,
        recipe_name=recipe.recipe_name,
        ingredients=recipe.ingredients,
        result_item=recipe.result_item,
        required_level=recipe.required_level,
        recipe_type=recipe.recipe_type,
        unlock_conditions=recipe.unlock_conditions,
        position=written.position,
    )
    return stored(status, out, version=recipe.version)


@router.post("/recipes", status_code=201, response_model=RecipeOut, responses=problems(403, 409, 422))
def create_recipe(body: RecipeIn, cmd: CommandDep, adventure: Adventure) -> Response:
    """A crafting recipe (admins); its name is unique."""
    admin_only(cmd, "create recipes")
    data = body.model_dump()
    return cmd.run({"recipe": data}, lambda: recipe_out(adventure.create_recipe(**data), 201))


@router.get("/recipes/{recipe_name}", response_model=RecipeOut, responses=problems(404))
def get_recipe(
    recipe_name: Annotated[str, Field(min_length=1, max_length=64)], adventure: Adventure, _: CurrentPrincipal
) -> Response:
    return to_response(recipe_out(Written(adventure.recipe(recipe_name), None)))
