"""The adventure's admin use cases for worlds and recipes: creating and
configuring worlds, their story flags (an admin's, or an agent's through
``flag``, written with its log entry), and recipes. ``AdventureUseCases``
extends this."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.adventure.recipes import Recipe, RecipeExists, recipe_id
from domain.adventure.rules import check_flags
from domain.adventure.worlds import World, WorldName, WorldNameTaken, world_name_id
from domain.kernel.errors import NotFound
from domain.kernel.store import Lorekeeper, Written
from domain.kernel.text import clean_display_name

REASON_MAX = 128  # why the world's flags were set


class Worldkeeping:
    store: Lorekeeper

    # -- worlds and recipes (admins) ------------------------------------------------

    def create_world(
        self, name: str, world_type: str, seed: int, settings: dict[str, Any], metadata: dict[str, Any]
    ) -> Written:
        world = World.create(name, world_type, seed, settings, metadata)

        def step() -> Written:
            try:
                self.store.load(WorldName, world_name_id(world.name))
                raise WorldNameTaken(f"the world name {world.name!r} is taken", name=world.name)
            except NotFound:
                claim = WorldName.claim(world.name, world.id)
            return Written(world, self.store.write(world, claim))

        return self.store.change(world_name_id(world.name), step)

    def world(self, world_id: UUID) -> World:
        return self.store.load(World, world_id)

    def configure_world(
        self,
        world_id: UUID,
        settings: dict[str, Any] | None,
        metadata: dict[str, Any] | None,
        is_active: bool | None,
        expected_version: int | None = None,
    ) -> Written:
        def decide(world: World) -> None:
            world.configure(settings, metadata)
            if is_active is not None:
                world.set_active(is_active)

        return self.store.command(World, world_id, decide, expected_version)

    def set_world_flags(
        self, world_id: UUID, flags: dict[str, Any], reason: str, expected_version: int | None = None
    ) -> Written:
        """An admin's flags on the world, which stories and quests read
        (``world_flags`` conditions); None clears one."""
        return self.store.command(World, world_id, lambda w: self.flag(w, flags, reason), expected_version)

    @staticmethod
    def flag(world: World, flags: dict[str, Any], reason: str, origin: UUID | None = None) -> None:
        """``set_world_flags``' decision (an agent's, ``origin``: its evolution
        entry, is written with the entry)."""
        world.set_flags(check_flags(flags), clean_display_name(reason or "set by an admin", REASON_MAX), origin)

    def create_recipe(
        self,
        recipe_name: str,
        ingredients: list[dict[str, Any]],
        result_item: dict[str, Any],
        required_level: int,
        recipe_type: str,
        unlock_conditions: dict[str, Any],
    ) -> Written:
        recipe = Recipe.create(recipe_name, ingredients, result_item, required_level, recipe_type, unlock_conditions)

        def step() -> Written:
            try:
                self.store.load(Recipe, recipe.id)
                raise RecipeExists(f"there is a recipe named {recipe.recipe_name!r}", recipe_name=recipe.recipe_name)
            except NotFound:
                return self.store.written(recipe)

        return self.store.change(recipe.id, step)

    def recipe(self, recipe_name: str) -> Recipe:
        return self.store.load(Recipe, recipe_id(recipe_name))

    # -- characters -------------------------------------------------------------------
