"""Adventure's rules one by one, at their boundaries, with the messages and
details clients read: inventory, worlds, terrain, chunks, relationships,
characters, recipes."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.adventure import inventory
from domain.adventure.characters import STAT_MAX, Adventurer, InvalidCharacter, check_position
from domain.adventure.chunks import (
    COORDINATE_MAX,
    EDIT_MAX,
    STRUCTURES_MAX,
    Chunk,
    InvalidEdit,
    check_coordinates,
    checked_changes,
    parse_key,
)
from domain.adventure.classes import CLASS_STATS
from domain.adventure.inventory import (
    BAG_SLOTS,
    DURABILITY_MAX,
    ENCHANTMENTS_MAX,
    STACK_MAX,
    InsufficientItems,
    InvalidItem,
    InventoryFull,
)
from domain.adventure.recipes import Recipe
from domain.adventure.relationships import DELTA_MAX, Relationship, relationship_type
from domain.adventure.rules import facts, unmet
from domain.adventure.terrain import FLAT_HEIGHT, LAYERS, SIZE, chunk_blocks, generated, heightmap, key
from domain.adventure.worlds import InvalidWorld, World, checked_json
from domain.kernel.errors import InvalidCommand

LOG = inventory.item("material", "log")
SWORD = inventory.item("weapon", "iron_sword", {"durability": 10})


def test_an_item_is_checked_type_name_and_data():
    assert LOG == {"item_type": "material", "item_name": "log", "quantity": 0, "item_data": {}}
    with pytest.raises(InvalidItem, match="'gem' is not an item type") as bad:
        inventory.item("gem", "ruby")
    assert bad.value.details == {"item_types": list(inventory.ITEM_TYPES)}
    for name in ("", "Log", "log!", "lög", "x" * 65):
        with pytest.raises(InvalidItem, match="1 to 64 lower-case ASCII letters, digits and underscores"):
            inventory.item("material", name)
    assert inventory.item("material", "x" * 64)["item_name"] == "x" * 64
    assert inventory.item("material", "iron_ingot_2")["item_name"] == "iron_ingot_2"
    with pytest.raises(InvalidItem, match="durability and enchantments only"):
        inventory.item("tool", "axe", {"colour": "red"})
    for durability in (0, DURABILITY_MAX + 1, "5", 2.5):
        with pytest.raises(InvalidItem, match=f"durability is 1 to {DURABILITY_MAX}"):
            inventory.item("tool", "axe", {"durability": durability})
    assert inventory.item("tool", "axe", {"durability": DURABILITY_MAX})["item_data"] == {"durability": DURABILITY_MAX}
    assert inventory.item("tool", "axe", {"durability": 1})["item_data"]["durability"] == 1
    for enchantments in ("fire", [{}] * (ENCHANTMENTS_MAX + 1), [[[["deep"]]]]):
        with pytest.raises(InvalidItem, match=f"a list of at most {ENCHANTMENTS_MAX}"):
            inventory.item("tool", "axe", {"enchantments": enchantments})
    assert inventory.item("tool", "axe", {"enchantments": [{"fire": 1}] * ENCHANTMENTS_MAX})["item_data"]


def test_adding_fills_matching_stacks_then_empty_slots_in_order():
    bag = {"0": {**LOG, "quantity": 60}, "1": {**SWORD, "quantity": 1}}
    assert inventory.add(bag, LOG, 10) == {"0": {**LOG, "quantity": 64}, "2": {**LOG, "quantity": 6}}
    assert inventory.add({}, LOG, STACK_MAX) == {"0": {**LOG, "quantity": STACK_MAX}}
    assert inventory.add({}, LOG, STACK_MAX + 1) == {"0": {**LOG, "quantity": 64}, "1": {**LOG, "quantity": 1}}
    assert inventory.add({}, SWORD, 2) == {"0": {**SWORD, "quantity": 1}, "1": {**SWORD, "quantity": 1}}
    full = {str(s): {**LOG, "quantity": STACK_MAX} for s in range(BAG_SLOTS)}
    with pytest.raises(InventoryFull, match="no room for 1 more log") as no_room:
        inventory.add(full, LOG, 1)
    assert no_room.value.details == {"item_name": "log"}
    assert inventory.add({**full, "35": {**LOG, "quantity": 63}}, LOG, 1) == {"35": {**LOG, "quantity": 64}}
    for quantity in (0, -1, inventory.QUANTITY_MAX + 1):
        with pytest.raises(InvalidItem, match=f"a quantity is 1 to {inventory.QUANTITY_MAX}"):
            inventory.add({}, LOG, quantity)
    assert inventory.stackable(LOG) and not inventory.stackable(SWORD)


def test_removing_takes_from_the_last_bag_slots_and_never_from_equipment():
    bag = {"0": {**LOG, "quantity": 5}, "3": {**LOG, "quantity": 2}, "104": {**SWORD, "quantity": 1}}
    changes, taken = inventory.remove(bag, "log", 4)
    assert changes == {"3": None, "0": {**LOG, "quantity": 3}}
    assert taken == [{**LOG, "quantity": 2}, {**LOG, "quantity": 2}]
    assert inventory.remove(bag, "log", 7)[0] == {"3": None, "0": None}
    with pytest.raises(InsufficientItems, match="holds 7 log in the bag, not 8") as short:
        inventory.remove(bag, "log", 8)
    assert short.value.details == {"item_name": "log", "held": 7, "needed": 8}
    with pytest.raises(InsufficientItems, match="holds 0 iron_sword"):
        inventory.remove(bag, "iron_sword", 1)  # equipped, not in the bag
    assert inventory.count(bag, "log") == 7 and inventory.count(bag, "iron_sword") == 1
    with pytest.raises(InvalidItem):
        inventory.remove(bag, "log", 0)


def test_moving_into_empty_slots_merges_swaps_and_equips_by_kind():
    bag = {"0": {**LOG, "quantity": 40}, "1": {**LOG, "quantity": 30}, "2": {**SWORD, "quantity": 1}}
    assert inventory.move(bag, 0, 5) == {"5": {**LOG, "quantity": 40}, "0": None}
    assert inventory.move(bag, 0, 1) == {"1": {**LOG, "quantity": 64}, "0": {**LOG, "quantity": 6}}
    assert inventory.move({**bag, "1": {**LOG, "quantity": 10}}, 0, 1) == {"1": {**LOG, "quantity": 50}, "0": None}
    assert inventory.move(bag, 0, 2) == {"2": {**LOG, "quantity": 40}, "0": {**SWORD, "quantity": 1}}
    assert inventory.move(bag, 2, 104) == {"104": {**SWORD, "quantity": 1}, "2": None}
    assert inventory.move(bag, 2, 105)["105"]["item_name"] == "iron_sword"
    assert inventory.move(bag, 0, 0) == {}
    with pytest.raises(InvalidItem, match="the main_hand slot takes one weapon or tool") as wrong:
        inventory.move(bag, 0, 104)
    assert wrong.value.details == {"slot": 104}
    with pytest.raises(InvalidItem, match="the head slot takes one armor"):
        inventory.move(bag, 2, 100)
    with pytest.raises(InvalidItem, match="the main_hand slot"):  # swapping a log into the hand
        inventory.move({**bag, "104": {**SWORD, "quantity": 1}}, 104, 0)
    for slot in (-1, BAG_SLOTS, 99, 108):
        with pytest.raises(InvalidItem, match=r"there is no slot .*: bag 0..35, equipment \[100, 101"):
            inventory.move(bag, 0, slot)
    with pytest.raises(InvalidItem, match="slot 9 is empty"):
        inventory.move(bag, 9, 0)
    with pytest.raises(InvalidItem, match="there is no slot 200"):
        inventory.move(bag, 200, 0)


def test_worlds_check_their_json_and_read_settings_in_bounds():
    world = World.create("  Eldoria ", "flat", -5, {"characters_per_player": 3}, {"era": 1})
    assert (world.name, world.world_type, world.seed, world.is_active) == ("Eldoria", "flat", -5, True)
    assert world.setting("characters_per_player", 5, 1, 100) == 3
    assert world.setting("missing", 5, 1, 100) == 5
    for value in (0, 101, True, "3"):
        world.settings = {"characters_per_player": value}
        assert world.setting("characters_per_player", 5, 1, 100) == 5
    world.settings = {"characters_per_player": 100}
    assert world.setting("characters_per_player", 5, 1, 100) == 100
    with pytest.raises(InvalidCommand, match="settings must be a JSON object"):
        checked_json([], "settings")
    with pytest.raises(InvalidCommand, match="metadata: "):
        checked_json({"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": 1}}}}}}}}}, "metadata")
    assert checked_json({"a": {"b": {"c": {"d": {"e": {"f": {"g": 1}}}}}}}, "x")
    with pytest.raises(InvalidWorld, match="64-bit") as seed:
        World.create("W", "flat", -(2**63) - 1, {}, {})
    assert seed.value.code == "invalid_world"
    assert World.create("W", "flat", -(2**63), {}, {}).seed == -(2**63)
    world.collect_events()
    world.configure(None, None)
    world.set_active(True)
    assert not world.pending_events  # nothing changed, nothing recorded
    world.configure({"x": 1}, None)
    assert world.settings == {"x": 1} and world.metadata == {"era": 1}
    world.set_active(False)
    with pytest.raises(Exception, match="world 'Eldoria' is not active") as inactive:
        world.check_active()
    assert inactive.value.details == {"world_id": str(world.id)}


def test_terrain_columns_and_flat_worlds():
    assert key(1, 2, 3) == "1,2,3"
    flat = heightmap(1, "flat", 0, 0)
    assert len(flat) == SIZE and all(h == FLAT_HEIGHT for column in flat for h in column)
    layer = FLAT_HEIGHT // SIZE
    blocks = generated(1, "flat", 0, layer, 0)
    assert blocks["0,0,0"] == "grass" and len(blocks) == SIZE * SIZE  # y = 64 is the top, nothing above
    below = generated(1, "flat", 0, layer - 1, 0)
    assert below["0,15,0"] == "dirt" and below["0,12,0"] == "stone" and below["0,11,0"] == "stone"
    assert generated(1, "flat", 0, 0, 0)["3,0,3"] == "bedrock" and generated(1, "flat", 0, 0, 0)["3,1,3"] == "stone"
    assert generated(1, "flat", 0, LAYERS, 0) == {} and generated(1, "flat", 0, -1, 0) == {}
    assert generated(1, "flat", 0, LAYERS - 1, 0) == {}  # sky
    standard = heightmap(3, "standard", 5, -5)
    assert all(1 <= h <= SIZE * LAYERS - 2 for column in standard for h in column)
    assert heightmap(3, "standard", 5, -5) != heightmap(4, "standard", 5, -5)  # the seed matters
    edits = {"0,0,0": {"type": "air", "metadata": {}}, "1,1,1": {"type": "torch", "metadata": {}}}
    laid = chunk_blocks(1, "flat", (0, layer, 0), edits)
    assert (
        "0,0,0" not in laid and laid["1,1,1"]["type"] == "torch" and laid["2,0,2"] == {"type": "grass", "metadata": {}}
    )


def test_chunk_coordinates_keys_and_changes_at_their_bounds():
    check_coordinates(COORDINATE_MAX, LAYERS - 1, -COORDINATE_MAX)
    for coordinates in ((COORDINATE_MAX + 1, 0, 0), (0, LAYERS, 0), (0, -1, 0), (0, 0, -COORDINATE_MAX - 1)):
        with pytest.raises(InvalidEdit, match="is outside the world"):
            check_coordinates(*coordinates)
    assert parse_key("15,0,9") == (15, 0, 9) and parse_key("01,2,3") == (1, 2, 3)
    for bad in ("1,2", "1,2,3,4", "a,b,c", "100,0,0", " 1,2,3"):
        with pytest.raises(InvalidEdit, match="is not 'x,y,z' with 0 <= x, y, z < 16"):
            parse_key(bad)
    with pytest.raises(InvalidEdit, match="outside the chunk") as outside:
        parse_key("0,16,0")
    assert outside.value.details == {"block": "0,16,0"}
    assert checked_changes({"01,2,3": {"type": "stone"}}) == {"1,2,3": {"type": "stone", "metadata": {}}}
    assert len(checked_changes({f"{i % 16},{i // 16},0": {"type": "air"} for i in range(EDIT_MAX)})) == EDIT_MAX
    with pytest.raises(InvalidEdit, match="a block is"):
        checked_changes({"0,0,0": "stone"})
    with pytest.raises(InvalidEdit, match="metadata is a JSON object at most 4 deep"):
        checked_changes({"0,0,0": {"type": "stone", "metadata": {"a": {"b": {"c": {"d": {"e": 1}}}}}}})
    with pytest.raises(InvalidEdit, match="metadata is a JSON object"):
        checked_changes({"0,0,0": {"type": "stone", "metadata": []}})
    chunk = Chunk.first_edit(uuid4(), (0, 4, 0), 1, "flat")
    chunk.edit({"0,0,0": {"type": "air"}, "1,1,1": {"type": "brick"}}, None, None)
    event = chunk.pending_events[-1]
    assert (event.placed, event.removed, chunk.structures) == (1, 1, [])
    with pytest.raises(InvalidEdit, match=f"structures: at most {STRUCTURES_MAX} JSON objects"):
        chunk.edit({"0,0,0": {"type": "air"}}, [{}] * (STRUCTURES_MAX + 1), None)
    with pytest.raises(InvalidEdit, match="structures"):
        chunk.edit({"0,0,0": {"type": "air"}}, ["hut"], None)  # type: ignore[list-item]
    chunk.edit({"0,0,0": {"type": "air"}}, [{}] * STRUCTURES_MAX, None)
    assert len(chunk.structures) == STRUCTURES_MAX
    assert chunk.blocks()["1,1,1"]["type"] == "brick" and "0,0,0" not in chunk.blocks()


def test_relationship_types_and_deltas_at_their_bounds():
    assert [relationship_type(v) for v in (-51, -50, -49, -11, -10, 10, 11, 49, 50, 51)] == [
        "hostile",
        "hostile",
        "unfriendly",
        "unfriendly",
        "neutral",
        "neutral",
        "friendly",
        "friendly",
        "ally",
        "ally",
    ]
    a, b = uuid4(), uuid4()
    pair = Relationship.between(a, b, uuid4())
    assert {pair.first_id, pair.second_id} == {a, b} and str(pair.first_id) < str(pair.second_id)
    assert pair.other(a) == b and pair.other(b) == a
    pair.interact(a, "help", DELTA_MAX, {"why": "rescue"})
    pair.interact(b, "attack", -DELTA_MAX)
    assert pair.value == 0 and pair.history[0]["detail"] == {"why": "rescue"} and "detail" not in pair.history[1]
    assert pair.history[1]["by"] == str(b) and pair.history[1]["delta"] == -DELTA_MAX
    for delta in (DELTA_MAX + 1, -DELTA_MAX - 1):
        with pytest.raises(Exception, match=f"at most {DELTA_MAX} either way"):
            pair.interact(a, "help", delta)


def test_a_characters_stats_position_and_experience_are_bounded():
    assert set(CLASS_STATS) == {"warrior", "mage", "ranger", "artisan"}
    assert all(len(stats) == 7 for stats in CLASS_STATS.values())
    assert check_position(1, 0, 2) == (1.0, 0.0, 2.0) and check_position(0, SIZE * LAYERS, 0)[1] == 256.0
    for position in ((0, -0.5, 0), (0, 256.5, 0), (3e7 + 1, 70, 0), (0, 70, -3e7 - 1)):
        with pytest.raises(InvalidCharacter, match="a position is inside the world"):
            check_position(*position)
    character = Adventurer.create(uuid4(), uuid4(), " Ada ", "mage", {}, (0, 70, 0))
    assert character.name == "Ada" and character.stats == CLASS_STATS["mage"]
    assert character.stats is not CLASS_STATS["mage"]  # a copy: a level-up does not change the class
    for amount in (0, 100_001):
        with pytest.raises(InvalidCharacter, match="experience is granted 1 to 100000 at a time"):
            character.gain_experience(amount, "quest")
    character.stats = {**character.stats, "health": STAT_MAX - 5}
    character.gain_experience(100_000, "quest")
    assert character.stats["health"] == STAT_MAX and character.level == 32
    character.move(0, 70, 0)
    assert type(character.pending_events[-1]).__name__ == "ExperienceGained"  # not moved: nothing recorded
    with pytest.raises(InvalidCharacter, match="'juggling' is not a skill"):
        character.practise("juggling", 5)
    character.practise("smithing", 5)  # locked: no experience
    character.practise("mining", 0)
    assert character.skills == {}
    character.note_relationship(uuid4(), 0)
    assert character.records == {"failing_streak": 0, "friends": 0, "enmity": 0}


def test_unmet_conditions_are_named():
    character = Adventurer.create(uuid4(), uuid4(), "Ada", "mage", {}, (0, 70, 0))
    conditions = {"level": 2, "skills": {"mining": 1}, "items": ["log"], "achievements": ["first_craft"]}
    assert unmet(conditions, facts(character)) == ["level 2", "mining 1", "holding log", "achievement first_craft"]
    assert unmet({}, facts(character)) == []
    recipe = Recipe.create(
        "Planks", [{"item_name": "log", "quantity": 1}], {"item_type": "block", "item_name": "planks"}, 1, "mining", {}
    )
    assert recipe.result_item["quantity"] == 1 and recipe.refusal(character, set()) is None


def recipe(**changes):
    base = {
        "recipe_name": "Planks",
        "ingredients": [{"item_name": "log", "quantity": 1}],
        "result_item": {"item_type": "block", "item_name": "planks", "quantity": 4},
        "required_level": 1,
        "recipe_type": "woodcutting",
        "unlock_conditions": {},
    }
    return Recipe.create(**{**base, **changes})


def test_a_recipe_is_checked_at_every_bound():
    from domain.adventure.recipes import INGREDIENTS_MAX, InvalidRecipe, odds

    made = recipe(
        ingredients=[{"item_name": f"part_{i}", "quantity": STACK_MAX} for i in range(INGREDIENTS_MAX)],
        result_item={"item_type": "weapon", "item_name": "blade", "item_data": {"durability": 7}},
        required_level=100,
        unlock_conditions={"level": 100, "skills": {"smithing": 2}, "items": ["ore"] * 8, "achievements": ["x"]},
    )
    assert made.result_item == {
        "item_type": "weapon",
        "item_name": "blade",
        "quantity": 1,
        "item_data": {"durability": 7},
    }
    assert made.unlock_conditions["skills"] == {"smithing": 2} and made.required_level == 100
    assert len(made.ingredients) == INGREDIENTS_MAX
    refusals = [
        ({"recipe_type": "juggling"}, "recipe_type is the skill it trains, not 'juggling'"),
        ({"required_level": 0}, "required_level is 1 to 100"),
        ({"required_level": 101}, "required_level is 1 to 100"),
        ({"ingredients": []}, "a recipe has 1 to 8 ingredients"),
        ({"ingredients": [{"item_name": f"p{i}", "quantity": 1} for i in range(9)]}, "1 to 8 ingredients"),
        ({"ingredients": [{"item_name": "log", "quantity": 0}]}, "an ingredient's quantity is 1 to 64"),
        ({"ingredients": [{"item_name": "log", "quantity": 65}]}, "an ingredient's quantity is 1 to 64"),
        ({"ingredients": [{"item_name": "log", "quantity": "1"}]}, "an ingredient's quantity"),
        ({"ingredients": [{"item_name": "log", "quantity": 1}] * 2}, "each ingredient is named once"),
        (
            {"result_item": {"item_type": "block", "item_name": "planks", "quantity": 65}},
            "the result's quantity is 1 to 64",
        ),
        ({"result_item": {"item_type": "block", "item_name": "planks", "quantity": 0}}, "the result's quantity"),
        ({"unlock_conditions": {"level": 0}}, r"unlock_conditions.level is 1 to 100"),
        ({"unlock_conditions": {"level": 101}}, r"unlock_conditions.level is 1 to 100"),
        ({"unlock_conditions": {"level": "2"}}, r"unlock_conditions.level"),
        ({"unlock_conditions": {"skills": {"juggling": 1}}}, r"unlock_conditions.skills maps skills to levels"),
        ({"unlock_conditions": {"skills": {"mining": "1"}}}, r"unlock_conditions.skills"),
        ({"unlock_conditions": {"skills": []}}, r"unlock_conditions.skills"),
        ({"unlock_conditions": {"items": ["a"] * 9}}, r"unlock_conditions.items is a list of at most 8 names"),
        ({"unlock_conditions": {"items": [""]}}, r"unlock_conditions.items"),
        ({"unlock_conditions": {"items": "ore"}}, r"unlock_conditions.items"),
        ({"unlock_conditions": {"achievements": [1]}}, r"unlock_conditions.achievements is a list of at most 8"),
        ({"unlock_conditions": {"moon": 1}}, r"unlock_conditions is an object of \['achievements', 'any', 'flags'"),
        ({"unlock_conditions": []}, r"unlock_conditions is an object"),
    ]
    for changes, message in refusals:
        with pytest.raises(InvalidRecipe, match=message):
            recipe(**changes)
    with pytest.raises(InvalidRecipe) as skills:
        recipe(unlock_conditions={"skills": {"juggling": 1}})
    assert skills.value.details == {"skills": sorted(skills.value.details["skills"])} and "mining" in str(
        skills.value.details
    )
    with pytest.raises(InvalidItem):
        recipe(ingredients=[{"quantity": 1}])  # no name
    with pytest.raises(InvalidItem):
        recipe(result_item={"item_name": "planks"})  # no type
    with pytest.raises(InvalidItem):
        recipe(result_item={"item_type": "block", "item_name": "planks", "item_data": {"colour": 1}})
    assert [odds(n) for n in (0, 1, 2, 9, 10, 11)] == [0.5, 0.5, 0.55, 0.9, 0.95, 0.95]


def test_unmet_conditions_are_each_checked():
    character = Adventurer.create(uuid4(), uuid4(), "Ada", "mage", {}, (0, 70, 0))
    character.level = 3
    character.skills = {"mining": {"level": 2, "experience": 50}}
    character.inventory = {"0": {**LOG, "quantity": 1}}
    met = {"level": 3, "skills": {"mining": 2}, "items": ["log"], "achievements": ["first_craft"]}
    assert unmet(met, facts(character, {"first_craft"})) == []
    assert unmet({**met, "level": 4}, facts(character, {"first_craft"})) == ["level 4"]
    assert unmet({**met, "skills": {"mining": 3}}, facts(character, {"first_craft"})) == ["mining 3"]
    assert unmet({**met, "items": ["log", "ore"]}, facts(character, {"first_craft"})) == ["holding ore"]
    assert unmet(met, facts(character, {"level_10"})) == ["achievement first_craft"]
    made = recipe(unlock_conditions={"level": 4})
    assert made.refusal(character, set()) == "Planks is not discovered yet: it needs level 4"
    character.recipes = ["Planks"]
    assert made.refusal(character, set()) is None  # discovered: its conditions are not asked again
    assert recipe(required_level=4).refusal(character, set()) == "Planks needs level 4, the character is 3"


def test_world_refusals_name_their_field_and_details():
    from domain.adventure.worlds import WorldName, world_name_id

    with pytest.raises(InvalidCommand, match=r"^settings must be a JSON object$"):
        World.create("W", "flat", 1, [], {})  # type: ignore[arg-type]
    with pytest.raises(InvalidCommand, match=r"^metadata must be a JSON object$"):
        World.create("W", "flat", 1, {}, [])  # type: ignore[arg-type]
    with pytest.raises(InvalidWorld) as kind:
        World.create("W", "cube", 1, {}, {})
    assert kind.value.details == {"world_types": ["standard", "flat"]}
    assert World.create("W", "flat", 2**63 - 1, {}, {}).seed == 2**63 - 1
    assert World.create("x" * 64, "flat", 1, {}, {}).name == "x" * 64
    with pytest.raises(InvalidCommand, match="1 to 64 characters"):
        World.create("x" * 65, "flat", 1, {}, {})
    world = World.create("W", "flat", 1, {}, {})
    with pytest.raises(InvalidCommand, match=r"^metadata must be a JSON object$"):
        world.configure(None, [])  # type: ignore[arg-type]
    with pytest.raises(InvalidCommand, match=r"^settings must be a JSON object$"):
        world.configure([], None)  # type: ignore[arg-type]
    world.configure(None, {"season": "winter"})
    assert world.metadata == {"season": "winter"} and world.settings == {}
    claim = WorldName.claim("Eldoria", world.id)
    assert claim.world_id == world.id and claim.id == world_name_id("ELDORIA")


def test_chunk_refusals_carry_their_details():
    check_coordinates(0, 0, 0)  # bedrock's layer is inside
    with pytest.raises(InvalidEdit) as long_key:
        parse_key("x" * 40)
    assert long_key.value.details == {"block": "x" * 32}
    with pytest.raises(InvalidEdit, match="outside the chunk"):
        parse_key("0,0,16")
    with pytest.raises(InvalidEdit) as too_many:
        checked_changes({})
    assert too_many.value.details == {"limit": EDIT_MAX}
    with pytest.raises(InvalidEdit, match=r"^block 0,0,0: unknown block type 'lava'$") as lava:
        checked_changes({"0,0,0": {"type": "lava"}})
    assert "stone" in lava.value.details["block_types"] and lava.value.details["block_types"] == sorted(
        lava.value.details["block_types"]
    )
    with pytest.raises(InvalidEdit, match="unknown block type '" + "y" * 40 + "'$"):
        checked_changes({"0,0,0": {"type": "y" * 50}})
    with pytest.raises(InvalidEdit, match="structures"):
        Chunk.first_edit(uuid4(), (0, 4, 0), 1, "flat").edit(
            {"0,0,0": {"type": "air"}}, [{"a": {"b": {"c": {"d": {"e": 1}}}}}], None
        )


def test_a_restore_records_the_generated_blocks_it_brings_back():
    builder = uuid4()
    chunk = Chunk.first_edit(uuid4(), (0, FLAT_HEIGHT // SIZE, 0), 1, "flat")
    assert (chunk.seed, chunk.world_type) == (1, "flat")
    chunk.edit({"0,0,0": {"type": "air"}, "0,1,0": {"type": "torch"}}, [{"type": "hut"}], builder)
    assert chunk.pending_events[-1].character_id == builder
    earlier = Chunk.first_edit(chunk.world_id, chunk.coordinates, 1, "flat")  # as at version 1
    chunk.restore(earlier)
    restored = chunk.pending_events[-1]
    assert restored.changes == {
        "0,0,0": {"type": "grass", "metadata": {}},  # a flat world's ground, generated again
        "0,1,0": {"type": "air", "metadata": {}},
    }
    assert restored.generated == ["0,0,0", "0,1,0"] and restored.structures == [] and restored.to_version == 1
    assert chunk.edits == {} and chunk.blocks()["0,0,0"]["type"] == "grass"


def test_a_roster_knows_its_player_and_says_its_limit():
    from domain.adventure.rosters import Roster, TooManyCharacters

    player, world = uuid4(), uuid4()
    roster = Roster(owner=player)
    assert roster.owner == player == roster.owner_id
    roster.join(world, uuid4(), 1)
    with pytest.raises(TooManyCharacters, match=r"^a player has at most 1 characters in this world$") as full:
        roster.join(world, uuid4(), 1)
    assert full.value.details == {"limit": 1, "world_id": str(world)}
    roster.join(uuid4(), uuid4(), 1)  # another world's limit is its own


def test_a_new_character_starts_at_zero_and_its_refusals_say_why():
    at_edge = Adventurer.create(uuid4(), uuid4(), "x" * 32, "ranger", {"hair": "red"}, (3e7, 0, -3e7))
    assert at_edge.position == (3e7, 0.0, -3e7) and at_edge.character_class == "ranger"
    assert at_edge.appearance == {"hair": "red"} and (at_edge.level, at_edge.experience) == (1, 0)
    assert at_edge.crafts == {"attempted": 0, "succeeded": 0, "failed_in_a_row": 0}
    assert (at_edge.inventory, at_edge.skills, at_edge.recipes, at_edge.relationships) == ({}, {}, [], {})
    with pytest.raises(InvalidCharacter, match=r"0 <= y <= 256$"):
        check_position(0, 257, 0)
    with pytest.raises(InvalidCharacter) as bard:
        Adventurer.create(uuid4(), uuid4(), "Ada", "bard", {}, (0, 70, 0))
    assert bard.value.details == {"classes": ["artisan", "mage", "ranger", "warrior"]}
    with pytest.raises(InvalidCommand, match="1 to 32 characters"):
        Adventurer.create(uuid4(), uuid4(), "x" * 33, "mage", {}, (0, 70, 0))
    with pytest.raises(InvalidCommand, match=r"^appearance must be a JSON object$"):
        Adventurer.create(uuid4(), uuid4(), "Ada", "mage", [], (0, 70, 0))  # type: ignore[arg-type]
    with pytest.raises(InvalidCharacter) as juggling:
        at_edge.practise("juggling", 1)
    assert "mining" in juggling.value.details["skills"] and juggling.value.details["skills"] == sorted(
        juggling.value.details["skills"]
    )
    at_edge.practise("mining", 1)
    assert at_edge.skills == {"mining": {"experience": 1, "level": 1}}
    other = uuid4()
    at_edge.note_relationship(other, 5)
    at_edge.note_relationship(other, 5)
    assert [type(e).__name__ for e in at_edge.pending_events[-2:]] == ["SkillExperienceGained", "RelationshipNoted"]
    at_edge.change_items({"10": {**LOG, "quantity": 1}, "9": {**LOG, "quantity": 2}}, "loot", uuid4())
    assert [e.slot for e in at_edge.pending_events[-2:]] == [9, 10]  # in slot order, not text order


def test_an_area_is_any_box_of_up_to_64_chunks_anywhere():
    from domain.adventure.building import AREA_MAX_CHUNKS, check_area

    assert check_area((-2, 3, -2), (-1, 3, -1)) == [(-2, 3, -2), (-2, 3, -1), (-1, 3, -2), (-1, 3, -1)]
    assert len(check_area((0, 0, 0), (3, 3, 3))) == AREA_MAX_CHUNKS
    with pytest.raises(InvalidEdit) as too_big:
        check_area((0, 0, 0), (3, 4, 3))
    assert too_big.value.details == {"limit": AREA_MAX_CHUNKS}
    with pytest.raises(InvalidEdit, match="outside the world"):
        check_area((0, 15, 0), (0, 16, 0))


def test_a_column_is_bedrock_stone_dirt_then_grass_or_sand_then_water_or_air():
    from domain.adventure.terrain import WATER_LEVEL, _column_block

    high, low = 70, WATER_LEVEL - 5
    assert [_column_block(y, high) for y in (0, 1, high - 4, high - 3, high - 1, high, high + 1)] == [
        "bedrock",
        "stone",
        "stone",
        "dirt",
        "dirt",
        "grass",
        "air",
    ]
    assert [_column_block(y, low) for y in (low, low + 1, WATER_LEVEL, WATER_LEVEL + 1)] == [
        "sand",
        "water",
        "water",
        "air",
    ]
    assert _column_block(WATER_LEVEL + 1, WATER_LEVEL + 1) == "sand"  # the shore
    assert _column_block(WATER_LEVEL + 2, WATER_LEVEL + 2) == "grass"


def test_relationship_refusals_are_exact():
    from domain.adventure.relationships import KINDS, InvalidInteraction, history_entry, pair

    a = uuid4()
    assert pair(a, a) == (a, a)
    with pytest.raises(InvalidInteraction, match=r"^a character has no relationship with itself$"):
        Relationship.between(a, a, uuid4())
    relationship = Relationship.between(a, uuid4(), uuid4())
    with pytest.raises(InvalidInteraction, match=r"^only the two characters of a relationship interact in it$"):
        relationship.interact(uuid4(), "greet", 1)
    with pytest.raises(InvalidInteraction, match=r"^'wave' is not an interaction$") as wave:
        relationship.interact(a, "wave", 1)
    assert wave.value.details == {"kinds": list(KINDS)}
    assert history_entry("t", "me", "greet", 1, {}) == {"at": "t", "by": "me", "kind": "greet", "delta": 1}
