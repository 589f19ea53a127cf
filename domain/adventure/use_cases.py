"""The adventure context's use cases: characters, their items, skills and
relationships (players, and game servers granting loot and experience), and
the achievements policy's handler; worlds and recipes (admins) are
``worldkeeping``'s (which this extends), chunks ``building``'s, stories
``storytelling``'s, quests ``questing``'s, world events ``seasons``', agents
and the evolution log ``stewardship``'s.
Each command is one atomic write of every aggregate it changes: a trade
writes both characters and their relationship; a craft writes the
character's roll, what it used up and what it made; a chunk edit writes the
chunk and the builder's skill experience."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from domain.adventure import inventory
from domain.adventure.achievements import Achievements, achievements_id, meets_any
from domain.adventure.building import Building
from domain.adventure.characters import Adventurer
from domain.adventure.questing import Questing
from domain.adventure.recipes import CraftRefused, odds
from domain.adventure.relationships import Relationship, relationship_id
from domain.adventure.rosters import CHARACTERS_PER_WORLD, Roster, roster_id
from domain.adventure.seasons import Seasons
from domain.adventure.stewardship import Stewardship
from domain.adventure.storytelling import Storytelling
from domain.adventure.world_events import craft_bonus
from domain.adventure.worldkeeping import Worldkeeping
from domain.kernel.errors import InvalidCommand, NotFound
from domain.kernel.store import Lorekeeper, Written

TRADE_GOODWILL = 2  # what a trade adds to the two characters' relationship
ODDS_FLOOR, ODDS_CEILING = 0.01, 0.99  # a craft's odds with the world's events' effects


class AdventureUseCases(Worldkeeping):
    def __init__(self, store: Lorekeeper, settings: Any = None) -> None:
        self.store = store
        self.roll: Callable[[], float] = random.SystemRandom().random  # the server's dice (a test seam)
        self.building = Building(store)
        self.stories = Storytelling(store, self)
        self.quests = Questing(store, self)
        self.seasons = Seasons(store, self)
        self.agents = Stewardship(store, self)

    def create_character(
        self,
        owner: UUID,
        world_id: UUID,
        name: str,
        character_class: str,
        appearance: dict[str, Any],
        position: tuple[float, float, float],
    ) -> Written:
        """A character in an active world, within the world's per-player limit,
        recorded in its player's roster and holdings: one write."""
        world = self.world(world_id)
        world.check_active()
        limit = world.setting("characters_per_player", CHARACTERS_PER_WORLD, 1, 100)

        def step() -> Written:
            character = Adventurer.create(owner, world_id, name, character_class, appearance, position)
            try:
                roster = self.store.load(Roster, roster_id(owner))
            except NotFound:
                roster = Roster(owner=owner)
            roster.join(world_id, character.id, limit)
            holdings = self.store.holdings(owner)
            holdings.acquire(character)
            return Written(character, self.store.write(character, roster, holdings))

        return self.store.change(roster_id(owner), step)

    def character(self, character_id: UUID, owner: UUID | None = None) -> Adventurer:
        """The character (PermissionDenied when ``owner`` is given and is not its player's)."""
        return self.store.load(Adventurer, character_id, actor_id=owner)

    def move_character(self, owner: UUID, character_id: UUID, position: tuple[float, float, float]) -> Written:
        return self.store.command(Adventurer, character_id, lambda c: c.move(*position), None, owner)

    def grant_experience(self, character_id: UUID, amount: int, reason: str) -> Written:
        """Experience a trusted game server reports (a kill, a discovery)."""
        return self.store.command(Adventurer, character_id, lambda c: c.gain_experience(amount, reason))

    def give_items(
        self,
        character_id: UUID,
        item_type: str,
        item_name: str,
        quantity: int,
        item_data: dict[str, Any] | None,
        reason: str,
    ) -> Written:
        """Items a trusted game server reports (loot, gathering) into the bag."""
        new = inventory.item(item_type, item_name, item_data)

        def decide(character: Adventurer) -> None:
            character.change_items(inventory.add(character.inventory, new, quantity), reason, uuid4())
            character.find_items(item_type, new["item_name"], quantity, reason)
            if reason == "gather" and item_type in ("material", "block"):
                character.practise("mining" if item_type == "block" else "herbalism", quantity)

        return self.store.command(Adventurer, character_id, decide)

    def move_item(self, owner: UUID, character_id: UUID, from_slot: int, to_slot: int) -> Written:
        return self.store.command(
            Adventurer,
            character_id,
            lambda c: c.change_items(inventory.move(c.inventory, from_slot, to_slot), "move", uuid4()),
            None,
            owner,
        )

    def drop_items(self, owner: UUID, character_id: UUID, item_name: str, quantity: int) -> Written:
        def decide(character: Adventurer) -> None:
            changes, _ = inventory.remove(character.inventory, item_name, quantity)
            character.change_items(changes, "drop", uuid4())

        return self.store.command(Adventurer, character_id, decide, None, owner)

    # -- two characters: trades and relationships -----------------------------------------

    def _pair(self, owner: UUID, character_id: UUID, other_id: UUID) -> tuple[Adventurer, Adventurer, Relationship]:
        character = self.character(character_id, owner)
        other = self.character(other_id)
        if other.world_id != character.world_id:
            raise InvalidCommand("the two characters are in different worlds")
        try:
            relationship = self.store.load(Relationship, relationship_id(character_id, other_id))
        except NotFound:
            relationship = Relationship.between(character_id, other_id, character.world_id)
        return character, other, relationship

    def _relate(self, character: Adventurer, other: Adventurer, relationship: Relationship) -> Written:
        character.note_relationship(other.id, relationship.value)
        other.note_relationship(character.id, relationship.value)
        return Written(relationship, self.store.write(relationship, character, other))

    def interact(self, owner: UUID, character_id: UUID, other_id: UUID, kind: str, delta: int) -> Written:
        def step() -> Written:
            character, other, relationship = self._pair(owner, character_id, other_id)
            relationship.interact(character_id, kind, delta)
            return self._relate(character, other, relationship)

        return self.store.change(relationship_id(character_id, other_id), step)

    def trade(self, owner: UUID, character_id: UUID, other_id: UUID, item_name: str, quantity: int) -> Written:
        """Give items to another character in the same world: both inventories
        and the trade log (the relationship's history) in one write."""

        def step() -> Written:
            giver, taker, relationship = self._pair(owner, character_id, other_id)
            reference = uuid4()
            removed, stacks = inventory.remove(giver.inventory, item_name, quantity)
            added: inventory.Changes = {}
            bag = dict(taker.inventory)
            for stack in stacks:
                changes = inventory.add(bag, stack, stack["quantity"])
                bag = inventory.after(bag, changes)
                added.update(changes)
            giver.change_items(removed, "trade", reference)
            taker.change_items(added, "trade", reference)
            detail = {"trade_id": str(reference), "item_name": item_name, "quantity": quantity, "to": str(other_id)}
            relationship.interact(character_id, "trade", TRADE_GOODWILL, detail)
            return self._relate(giver, taker, relationship)

        return self.store.change(relationship_id(character_id, other_id), step)

    # -- crafting --------------------------------------------------------------------

    def craft(self, owner: UUID, character_id: UUID, recipe_name: str) -> Written:
        """One attempt: gated by level, skill and discovery; the ingredients
        are used up whatever the roll; on success, the result is made."""
        recipe = self.recipe(recipe_name)

        def decide(character: Adventurer) -> None:
            refusal = recipe.refusal(character, set(self.unlocked(character.owner)))
            if refusal:
                raise CraftRefused(refusal, recipe_name=recipe.recipe_name)
            changes: inventory.Changes = {}
            bag = dict(character.inventory)
            for ingredient in recipe.ingredients:
                used, _ = inventory.remove(bag, ingredient["item_name"], ingredient["quantity"])
                changes.update(used)
                bag = inventory.after(bag, used)
            if recipe.recipe_name not in character.recipes:
                character.trigger_event(Adventurer.RecipeDiscovered, recipe_name=recipe.recipe_name)
            bonus = craft_bonus(self.world(character.world_id).active_events, recipe.recipe_type)
            chance = round(
                min(ODDS_CEILING, max(ODDS_FLOOR, odds(character.skill_level(recipe.recipe_type)) + bonus)), 4
            )
            roll = self.roll()
            succeeded = roll < chance
            character.trigger_event(
                Adventurer.CraftAttempted, recipe_name=recipe.recipe_name, odds=chance, roll=roll, succeeded=succeeded
            )
            if succeeded:
                result = recipe.result_item
                changes.update(inventory.add(bag, result, result["quantity"]))
            reference = uuid4()
            character.change_items(changes, "craft", reference)
            experience = 10 + 5 * recipe.required_level
            character.practise(recipe.recipe_type, experience if succeeded else experience // 2)
            if succeeded:
                character.gain_experience(experience, f"craft:{recipe.recipe_name}")

        return self.store.command(Adventurer, character_id, decide, None, owner)

    # -- achievements --------------------------------------------------------------

    def unlocked(self, player_id: UUID) -> dict[str, int]:
        """The achievements the player has unlocked (name -> points)."""
        try:
            return self.store.load(Achievements, achievements_id(player_id)).unlocked
        except NotFound:
            return {}

    def check_achievements(self, character_id: UUID, due: datetime) -> Written | None:
        """The achievements policy's handler: unlock what the character now earns (once)."""
        try:
            character = self.character(character_id)
        except NotFound:
            return None
        if not meets_any(character):
            return None  # nothing to unlock: the player's record is not read (most checks)
        owner = character.owner

        def step() -> Written:
            try:
                achievements = self.store.load(Achievements, achievements_id(owner))
            except NotFound:
                achievements = Achievements(owner=owner)
            achievements.check(self.character(character_id))
            return self.store.written(achievements)

        return self.store.change(achievements_id(owner), step)
