"""Characters, their inventory, skills and crafting, on the in-memory store."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.adventure.characters import Adventurer, InvalidCharacter
from domain.adventure.inventory import BAG_SLOTS, InsufficientItems, InvalidItem, InventoryFull
from domain.adventure.recipes import CraftRefused, InvalidRecipe, RecipeExists, odds
from domain.adventure.rosters import TooManyCharacters
from domain.adventure.skills import experience_for, level_for, skill_level_for
from domain.kernel.errors import PermissionDenied
from tests.unit.adventure.helpers import PLANKS, SWORD, adventure, rolls


def test_levels_follow_the_documented_curves():
    assert [level_for(experience_for(n)) for n in (1, 2, 10, 100)] == [1, 2, 10, 100]
    assert level_for(experience_for(10) - 1) == 9 and level_for(10**9) == 100
    assert (skill_level_for(0), skill_level_for(49), skill_level_for(50), skill_level_for(200)) == (1, 1, 2, 3)


def test_a_player_has_at_most_the_worlds_limit_of_characters_there():
    game, world_id, player, *_ = adventure()
    game.configure_world(world_id, {"characters_per_player": 3}, None, None)
    game.create_character(player, world_id, "Cid", "mage", {}, (0, 70, 0))
    with pytest.raises(TooManyCharacters):
        game.create_character(player, world_id, "Dee", "mage", {}, (0, 70, 0))
    with pytest.raises(InvalidCharacter, match="'bard' is not a class"):
        game.create_character(uuid4(), world_id, "Eve", "bard", {}, (0, 70, 0))
    with pytest.raises(InvalidCharacter, match="inside the world"):
        game.create_character(uuid4(), world_id, "Eve", "mage", {}, (0, 300, 0))


def test_experience_levels_a_character_up_and_raises_health_and_mana():
    game, _, _, ada, _ = adventure()
    before = dict(game.character(ada).stats)
    game.grant_experience(ada, experience_for(10), "quest")
    character = game.character(ada)
    assert character.level == 10
    assert character.stats["health"] == before["health"] + 90 and character.stats["mana"] == before["mana"] + 45


def test_items_stack_fill_the_bag_and_never_overflow():
    game, _, player, ada, _ = adventure()
    game.give_items(ada, "material", "log", 130, None, "loot")
    bag = game.character(ada).inventory
    assert [bag[s]["quantity"] for s in ("0", "1", "2")] == [64, 64, 2]
    game.give_items(ada, "tool", "pickaxe", 2, {"durability": 100}, "loot")
    assert game.character(ada).inventory["3"]["quantity"] == 1  # unique items never stack
    with pytest.raises(InventoryFull):
        game.give_items(ada, "material", "stone_chip", 64 * BAG_SLOTS, None, "loot")
    with pytest.raises(InvalidItem):
        game.give_items(ada, "material", "log", 0, None, "loot")
    game.move_item(player, ada, 3, 104)  # the pickaxe into the main hand
    assert game.character(ada).inventory["104"]["item_name"] == "pickaxe"
    with pytest.raises(InvalidItem, match="the head slot takes one armor"):
        game.move_item(player, ada, 0, 100)
    with pytest.raises(PermissionDenied):
        game.move_item(uuid4(), ada, 0, 5)


def test_a_trade_moves_items_between_two_characters_and_logs_it_in_one_write():
    game, _, player, ada, bob = adventure()
    game.give_items(ada, "material", "log", 10, None, "loot")
    before = game.store.recorder.max_notification_id()
    written = game.trade(player, ada, bob, "log", 4)
    assert written.position == before + 6  # two inventories, the new relationship, both mirrors: one write
    assert game.character(ada).inventory["0"]["quantity"] == 6
    assert game.character(bob).inventory["0"]["quantity"] == 4
    (entry,) = written.aggregate.history
    assert entry["kind"] == "trade" and entry["detail"]["quantity"] == 4
    with pytest.raises(InsufficientItems):
        game.trade(player, ada, bob, "log", 7)


def test_crafting_uses_the_ingredients_and_records_the_roll():
    game, _, player, ada, _ = adventure()
    game.create_recipe(**PLANKS)
    with pytest.raises(RecipeExists):
        game.create_recipe(**{**PLANKS, "recipe_name": "PLANKS"})
    game.give_items(ada, "material", "log", 3, None, "gather")
    game.roll = rolls(0.1, 0.9).__next__
    made = game.craft(player, ada, "Planks").aggregate
    assert made.inventory["1"]["item_name"] == "planks" and made.inventory["0"]["quantity"] == 2
    failed = game.craft(player, ada, "Planks").aggregate
    assert failed.crafts == {"attempted": 2, "succeeded": 1, "failed_in_a_row": 1}
    assert failed.inventory["0"]["quantity"] == 1 and failed.inventory["1"]["quantity"] == 4  # a failure costs
    replayed = game.store.repository.get(ada)
    game.store.evict(ada)
    assert game.character(ada).state() == replayed.state()
    events = [e for e in game.store.events.get(ada) if type(e).__name__ == "CraftAttempted"]  # type: ignore[attr-defined]
    assert [(e.roll, e.succeeded, e.odds) for e in events] == [(0.1, True, 0.5), (0.9, False, 0.5)]


def test_a_craft_is_refused_by_level_locked_skill_conditions_or_missing_ingredients():
    game, _, player, ada, _ = adventure()
    game.create_recipe(**SWORD)
    game.create_recipe(**{**PLANKS, "recipe_name": "Fine Planks", "required_level": 5})
    game.create_recipe(**{**PLANKS, "recipe_name": "Lucky Planks", "unlock_conditions": {"items": ["clover"]}})
    with pytest.raises(CraftRefused, match="the skill smithing is locked until mining reach level 3"):
        game.craft(player, ada, "Iron Sword")
    with pytest.raises(CraftRefused, match="needs level 5"):
        game.craft(player, ada, "Fine Planks")
    with pytest.raises(CraftRefused, match="not discovered yet: it needs holding clover"):
        game.craft(player, ada, "Lucky Planks")
    game.create_recipe(**PLANKS)
    before = game.store.recorder.max_notification_id()
    with pytest.raises(InsufficientItems):
        game.craft(player, ada, "Planks")
    assert game.store.recorder.max_notification_id() == before


def test_recipes_are_checked():
    game, *_ = adventure()
    with pytest.raises(InvalidRecipe, match="recipe_type"):
        game.create_recipe(**{**PLANKS, "recipe_type": "juggling"})
    with pytest.raises(InvalidRecipe, match="1 to 8 ingredients"):
        game.create_recipe(**{**PLANKS, "ingredients": []})
    with pytest.raises(InvalidRecipe, match="unlock_conditions"):
        game.create_recipe(**{**PLANKS, "unlock_conditions": {"moon": "full"}})
    assert (odds(0), odds(1), odds(5), odds(50)) == (0.5, 0.5, 0.7, 0.95)


def test_a_skill_unlocks_when_its_prerequisites_reach_level_three():
    game, *_, ada, _ = adventure()
    character: Adventurer = game.character(ada)
    assert character.locked("smithing") == ["mining"]
    game.give_items(ada, "block", "cobblestone", 64 * 4, None, "gather")  # mining experience
    character = game.character(ada)
    assert character.skill_level("mining") >= 3 and character.locked("smithing") == []


def test_a_character_moves_only_for_its_player_and_its_name_is_erased_once():
    game, _, player, ada, _ = adventure()
    moved = game.move_character(player, ada, (20.5, 90, -3)).aggregate
    assert moved.position == (20.5, 90.0, -3.0)
    assert game.move_character(player, ada, (20.5, 90, -3)).position is None  # already there
    with pytest.raises(PermissionDenied):
        game.move_character(uuid4(), ada, (0, 70, 0))
    with pytest.raises(InvalidCharacter):
        game.move_character(player, ada, (0, 999, 0))
    character = game.character(ada)
    character.erase_personal()
    character.erase_personal()
    assert character.name == "[erased]" and len(character.pending_events) == 1
