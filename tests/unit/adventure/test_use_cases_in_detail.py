"""What the adventure use cases record, event by event: reasons and
references, the trade log's fields, discoveries once, odds from the recipe's
skill, conditions on achievements, restores by time, and who may act."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.adventure.characters import Adventurer
from domain.adventure.chunks import Chunk, InvalidEdit, chunk_id
from domain.adventure.recipes import CraftRefused
from domain.adventure.skills import EXPERIENCE_MAX
from domain.kernel.errors import NotFound, PermissionDenied, VersionConflict
from tests.unit.adventure.helpers import PLANKS, adventure, rolls


def events(game, aggregate_id, name):
    return [e for e in game.store.events.get(aggregate_id) if type(e).__name__ == name]


def test_drops_and_moves_record_why_and_only_for_the_player():
    game, _, player, ada, _ = adventure()
    game.give_items(ada, "material", "log", 5, None, "loot")
    game.drop_items(player, ada, "log", 2)
    game.move_item(player, ada, 0, 7)
    reasons = [(e.slot, e.reason, e.stack and e.stack["quantity"]) for e in events(game, ada, "SlotChanged")]
    assert reasons == [(0, "loot", 5), (0, "drop", 3), (0, "move", None), (7, "move", 3)]
    with pytest.raises(PermissionDenied):
        game.drop_items(uuid4(), ada, "log", 1)
    with pytest.raises(PermissionDenied):
        game.move_item(uuid4(), ada, 7, 0)
    with pytest.raises(NotFound):
        game.drop_items(player, uuid4(), "log", 1)


def test_a_trade_logs_what_changed_hands_and_fills_the_takers_stacks_in_turn():
    game, _, player, ada, bob = adventure()
    game.give_items(ada, "material", "log", 74, None, "loot")
    game.give_items(bob, "material", "log", 60, None, "loot")
    written = game.trade(player, ada, bob, "log", 74)
    assert not game.character(ada).inventory
    taken = {slot: s["quantity"] for slot, s in game.character(bob).inventory.items()}
    assert taken == {"0": 64, "1": 64, "2": 6}
    given, received = events(game, ada, "SlotChanged")[-2:], events(game, bob, "SlotChanged")[-3:]
    references = {e.reference for e in given + received}
    assert len(references) == 1 and {e.reason for e in given + received} == {"trade"}
    (entry,) = written.aggregate.history
    assert entry["detail"] == {"trade_id": str(references.pop()), "item_name": "log", "quantity": 74, "to": str(bob)}
    assert entry["by"] == str(ada) and entry["kind"] == "trade" and entry["delta"] == 2
    with pytest.raises(PermissionDenied):
        game.trade(uuid4(), bob, ada, "log", 1)


def test_a_recipe_is_discovered_once_and_the_odds_follow_its_skill():
    game, _, player, ada, _ = adventure()
    game.create_recipe(**PLANKS)
    game.give_items(ada, "material", "log", 300, None, "gather")  # herbalism, not woodcutting
    game.roll = rolls(*[0.0] * 30).__next__
    for _ in range(5):
        game.craft(player, ada, "Planks")
    assert [e.recipe_name for e in events(game, ada, "RecipeDiscovered")] == ["Planks"]
    attempts = events(game, ada, "CraftAttempted")
    assert [e.odds for e in attempts] == [0.5] * 4 + [0.55]  # woodcutting reaches level 2 at 50 experience
    character = game.character(ada)
    assert character.skills["woodcutting"] == {"experience": 75, "level": 2}
    assert [e.reason for e in events(game, ada, "ExperienceGained")] == ["craft:Planks"] * 5
    assert character.experience == 75 and character.recipes == ["Planks"]


def test_a_recipe_that_needs_an_achievement_waits_for_it():
    game, _, player, ada, _ = adventure()
    game.create_recipe(**PLANKS)
    game.create_recipe(
        **{**PLANKS, "recipe_name": "Fine Planks", "unlock_conditions": {"achievements": ["first_craft"]}}
    )
    game.give_items(ada, "material", "log", 5, None, "loot")
    game.roll = rolls(0.0, 0.0).__next__
    with pytest.raises(CraftRefused, match="needs achievement first_craft") as refused:
        game.craft(player, ada, "Fine Planks")
    assert refused.value.details == {"recipe_name": "Fine Planks"}
    game.craft(player, ada, "Planks")
    assert game.check_achievements(ada, datetime.now(UTC)).position is not None
    assert game.craft(player, ada, "Fine Planks").aggregate.recipes == ["Planks", "Fine Planks"]


def test_experience_is_recorded_with_its_reason_and_capped():
    game, _, _, ada, _ = adventure()
    game.grant_experience(ada, 99, "exploration")
    (gained,) = events(game, ada, "ExperienceGained")
    assert (gained.amount, gained.reason, gained.experience, gained.level) == (99, "exploration", 99, 1)
    game.grant_experience(ada, 1, "exploration")
    assert game.character(ada).level == 2
    character = game.character(ada)
    character.experience = EXPERIENCE_MAX - 5
    character.gain_experience(100, "quest")
    assert character.experience == EXPERIENCE_MAX and character.level == 100


def test_achievements_record_who_earned_them_and_how():
    game, _, player, ada, _ = adventure()
    game.grant_experience(ada, 8100, "quest")
    assert game.check_achievements(uuid4(), datetime.now(UTC)) is None
    written = game.check_achievements(ada, datetime.now(UTC))
    (unlocked,) = written.aggregate.collect_events() or events(game, written.aggregate.id, "Unlocked")
    assert (unlocked.owner, unlocked.achievement_name, unlocked.points, unlocked.hidden) == (
        player,
        "level_10",
        50,
        False,
    )
    assert unlocked.unlock_data == {"level": 10, "character_id": str(ada)}
    assert unlocked.description == "Reach level 10"


def test_worlds_are_configured_with_if_match():
    game, world_id, *_ = adventure()
    game.configure_world(world_id, {"a": 1}, None, None, 1)
    with pytest.raises(VersionConflict):
        game.configure_world(world_id, None, {"b": 2}, None, 1)
    world = game.world(world_id)
    assert (world.settings, world.metadata, world.is_active, world.version) == ({"a": 1}, {}, True, 2)
    game.configure_world(world_id, None, None, False, 2)
    assert game.world(world_id).is_active is False


def test_a_chunk_is_restored_to_the_last_version_at_or_before_a_time():
    game, world_id, *_ = adventure()
    key = chunk_id(world_id, 2, 4, 2)
    for block in ("stone", "brick", "glass"):
        game.building.edit_chunk(None, world_id, (2, 4, 2), {"0,0,0": {"type": block}}, None, None)
    times = [game.store.load_at(Chunk, key, v).modified_on for v in (1, 2, 3, 4)]
    restored = game.building.restore_chunk(world_id, (2, 4, 2), None, times[2] + timedelta(microseconds=1))
    assert restored.aggregate.edits["0,0,0"]["type"] == "brick" and restored.aggregate.version == 5
    (event,) = events(game, key, "Restored")
    assert event.to_version == 3
    again = game.building.restore_chunk(world_id, (2, 4, 2), None, times[1])
    assert again.aggregate.edits["0,0,0"]["type"] == "stone"
    with pytest.raises(InvalidEdit, match="from 1 to 6"):
        game.building.restore_chunk(world_id, (2, 4, 2), None, times[0] - timedelta(days=1))
    with pytest.raises(InvalidEdit, match="say which version or time"):
        game.building.restore_chunk(world_id, (2, 4, 2), None, None)
    with pytest.raises(NotFound):
        game.building.restore_chunk(world_id, (3, 4, 3), 1, None)


def test_an_edit_as_someone_elses_or_another_worlds_character_is_refused():
    game, world_id, player, ada, _ = adventure()
    with pytest.raises(PermissionDenied):
        game.building.edit_chunk(uuid4(), world_id, (0, 4, 0), {"0,0,0": {"type": "stone"}}, None, ada)
    other = game.create_world("Elsewhere", "flat", 1, {}, {}).aggregate.id
    with pytest.raises(InvalidEdit, match="the character is in another world"):
        game.building.edit_chunk(player, other, (0, 4, 0), {"0,0,0": {"type": "stone"}}, None, ada)
    with pytest.raises(VersionConflict, match="never edited"):
        game.building.edit_chunk(player, world_id, (0, 4, 0), {"0,0,0": {"type": "stone"}}, None, ada, 3)
    game.building.edit_chunk(player, world_id, (0, 4, 0), {"0,0,0": {"type": "air"}}, None, ada)
    assert game.character(ada).skills == {"mining": {"experience": 2, "level": 1}}  # one block removed
    assert isinstance(game.character(ada), Adventurer)


def test_names_taken_say_which_and_limits_hold_at_their_bounds():
    from domain.adventure.recipes import RecipeExists
    from domain.adventure.rosters import TooManyCharacters
    from domain.adventure.worlds import WorldNameTaken

    game, world_id, player, ada, _ = adventure()
    name = game.world(world_id).name
    with pytest.raises(WorldNameTaken, match=f"^the world name '{name.upper()}' is taken$") as taken:
        game.create_world(name.upper(), "flat", 1, {}, {})
    assert taken.value.details == {"name": name.upper()}
    game.create_recipe(**PLANKS)
    with pytest.raises(RecipeExists, match=r"^there is a recipe named 'planks'$") as exists:
        game.create_recipe(**{**PLANKS, "recipe_name": "planks"})
    assert exists.value.details == {"recipe_name": "planks"}
    one = game.create_world("One", "flat", 1, {"characters_per_player": 1}, {}).aggregate.id
    game.create_character(player, one, "Solo", "mage", {}, (0, 70, 0))
    with pytest.raises(TooManyCharacters):
        game.create_character(player, one, "Duo", "mage", {}, (0, 70, 0))
    many = game.create_world("Many", "flat", 1, {"characters_per_player": 100}, {}).aggregate.id
    for i in range(6):  # beyond the default of 5
        game.create_character(player, many, f"Hero {i}", "mage", {}, (0, 70, 0))
    assert ada in game.store.holdings(player).ids()


def test_gathering_trains_mining_or_herbalism_and_loot_trains_nothing():
    game, _, _, ada, _ = adventure()
    game.give_items(ada, "material", "herb", 3, None, "gather")
    game.give_items(ada, "block", "cobblestone", 4, None, "gather")
    game.give_items(ada, "tool", "axe", 1, {"durability": 5}, "gather")
    game.give_items(ada, "material", "log", 5, None, "loot")
    skills = game.character(ada).skills
    assert skills == {"herbalism": {"experience": 3, "level": 1}, "mining": {"experience": 4, "level": 1}}


def test_a_roll_equal_to_the_odds_fails_and_a_failure_trains_half():
    game, _, player, ada, _ = adventure()
    game.create_recipe(**PLANKS)
    game.give_items(ada, "material", "log", 2, None, "loot")
    game.roll = rolls(0.5).__next__
    failed = game.craft(player, ada, "Planks").aggregate
    assert failed.crafts["succeeded"] == 0 and failed.skills["woodcutting"]["experience"] == 7  # 15 // 2
    (used,) = events(game, ada, "SlotChanged")[-1:]
    assert used.reason == "craft" and used.stack == {**used.stack, "quantity": 1}
    with pytest.raises(PermissionDenied):
        game.craft(uuid4(), ada, "Planks")
