"""Crafting recipes (seed 002's ``crafting_recipes``) and the craft's rules.

A recipe has a unique name (its id derives from the name, case-insensitive),
ingredients (``[{"item_name", "quantity"}]``), a result item, a required
level, a ``recipe_type`` (the skill it trains and is gated by: a locked skill
cannot craft) and ``unlock_conditions``. A character discovers a recipe the
first time it crafts it with the conditions met, a condition of the rule
language (``rules``), e.g.:

    {"level": 3, "skills": {"smithing": 2}, "items": ["iron_ingot"], "achievements": ["first_craft"]}

The odds of success are ``0.5 + 0.05`` per skill level above 1, at most 0.95.
The server draws the roll and records it in the event; success is ``roll <
odds``. **A failure costs the ingredients** (they are used up) and earns half
the skill experience and no character experience; retrying is another craft,
paid again, so a client cannot retry until lucky.
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.adventure import inventory
from domain.adventure.rules import check_condition, facts, unmet
from domain.adventure.skills import LEVEL_MAX, PREREQUISITE_LEVEL, SKILL_TREE
from domain.kernel.aggregate import Aggregate
from domain.kernel.errors import Conflict, InvalidCommand
from domain.kernel.text import clean_display_name

NAME_MAX = 64
INGREDIENTS_MAX = 8
ODDS_BASE, ODDS_PER_LEVEL, ODDS_MAX = 0.5, 0.05, 0.95


def recipe_id(recipe_name: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"lorekeeper:/adventure/recipes/{recipe_name.casefold()}")


class InvalidRecipe(InvalidCommand):
    code = "invalid_recipe"


class RecipeExists(Conflict):
    code = "recipe_exists"


class CraftRefused(Conflict):
    code = "craft_refused"


def odds(skill_level: int) -> float:
    return round(min(ODDS_MAX, ODDS_BASE + ODDS_PER_LEVEL * max(0, skill_level - 1)), 4)


class Recipe(Aggregate):
    TOPIC = "lorekeeper.recipe"

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.recipe.Created"
        recipe_name: str
        ingredients: list[dict[str, Any]]
        result_item: dict[str, Any]
        required_level: int
        recipe_type: str
        unlock_conditions: dict[str, Any]

    def __init__(
        self,
        recipe_name: str,
        ingredients: list[dict[str, Any]],
        result_item: dict[str, Any],
        required_level: int,
        recipe_type: str,
        unlock_conditions: dict[str, Any],
    ) -> None:
        self.recipe_name = recipe_name
        self.ingredients = ingredients
        self.result_item = result_item
        self.required_level = required_level
        self.recipe_type = recipe_type
        self.unlock_conditions = unlock_conditions

    @staticmethod
    def create_id(recipe_name: str, **_: object) -> UUID:
        return recipe_id(recipe_name)

    @classmethod
    def create(
        cls,
        recipe_name: str,
        ingredients: list[dict[str, Any]],
        result_item: dict[str, Any],
        required_level: int,
        recipe_type: str,
        unlock_conditions: dict[str, Any],
    ) -> Recipe:
        name = clean_display_name(recipe_name, NAME_MAX)
        if recipe_type not in SKILL_TREE:
            raise InvalidRecipe(f"recipe_type is the skill it trains, not {recipe_type!r}", skills=sorted(SKILL_TREE))
        if not 1 <= required_level <= LEVEL_MAX:
            raise InvalidRecipe(f"required_level is 1 to {LEVEL_MAX}")
        if not 1 <= len(ingredients) <= INGREDIENTS_MAX:
            raise InvalidRecipe(f"a recipe has 1 to {INGREDIENTS_MAX} ingredients")
        checked = []
        for ingredient in ingredients:
            stack = inventory.item("material", ingredient.get("item_name", ""))  # the name's rules
            quantity = ingredient.get("quantity")
            if not (isinstance(quantity, int) and 0 < quantity <= inventory.STACK_MAX):
                raise InvalidRecipe(f"an ingredient's quantity is 1 to {inventory.STACK_MAX}")
            checked.append({"item_name": stack["item_name"], "quantity": quantity})
        if len({i["item_name"] for i in checked}) != len(checked):
            raise InvalidRecipe("each ingredient is named once")
        result = inventory.item(
            result_item.get("item_type", ""), result_item.get("item_name", ""), result_item.get("item_data")
        )
        quantity = result_item.get("quantity", 1)
        if not (isinstance(quantity, int) and 0 < quantity <= inventory.STACK_MAX):
            raise InvalidRecipe(f"the result's quantity is 1 to {inventory.STACK_MAX}")
        return cls(
            recipe_name=name,
            ingredients=checked,
            result_item={**result, "quantity": quantity},
            required_level=required_level,
            recipe_type=recipe_type,
            unlock_conditions=check_condition(unlock_conditions, "unlock_conditions", InvalidRecipe),
        )

    def refusal(self, character: Any, achievements: set[str]) -> str | None:
        """Why ``character`` cannot craft this now (level, a locked skill, unmet conditions), or None."""
        if character.level < self.required_level:
            return f"{self.recipe_name} needs level {self.required_level}, the character is {character.level}"
        locked = character.locked(self.recipe_type)
        if locked:
            return f"the skill {self.recipe_type} is locked until {', '.join(locked)} reach level {PREREQUISITE_LEVEL}"
        if self.recipe_name not in character.recipes:
            missing = unmet(self.unlock_conditions, facts(character, achievements))
            if missing:
                return f"{self.recipe_name} is not discovered yet: it needs {', '.join(missing)}"
        return None
