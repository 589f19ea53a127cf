"""The rule language (docs/adventure.md, "Rules"): every key of a condition
and of consequences, checked when written (with the part that is wrong
named) and evaluated against a character's facts."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.adventure import rules
from domain.adventure.rules import (
    Facts,
    InvalidRule,
    changed_flags,
    check_condition,
    check_consequences,
    describe,
    unmet,
    with_flags,
)
from domain.kernel.errors import InvalidCommand

HELD = {"torch": 1, "arrow": 12}


def facts(**changes) -> Facts:
    base = {
        "level": 5,
        "stats": {"strength": 14, "charisma": 10},
        "skills": {"smithing": 2},
        "held": lambda name: HELD.get(name, 0),
        "flags": {"met_king": True, "chapter": 2},
        "world_flags": {"bridge": "burned"},
        "achievements": frozenset({"first_craft"}),
    }
    return Facts(**{**base, **changes})


@pytest.mark.parametrize(
    ("condition", "missing"),
    [
        ({}, []),
        ({"level": 5}, []),
        ({"level": 6}, ["level 6"]),
        ({"stats": {"strength": 14}}, []),
        ({"stats": {"strength": 15, "charisma": 10}}, ["strength 15"]),
        ({"stats": {"health": 1}}, ["health 1"]),  # a stat the facts lack counts as 0
        ({"skills": {"smithing": 2}}, []),
        ({"skills": {"smithing": 3, "mining": 1}}, ["smithing 3", "mining 1"]),
        ({"skills": {"mining": 0}}, []),
        ({"items": ["torch"]}, []),
        ({"items": ["torch", "rope"]}, ["holding rope"]),
        ({"items": {"arrow": 12}}, []),
        ({"items": {"arrow": 13}}, ["holding 13 arrow"]),
        ({"items": {"torch": 1}}, []),
        ({"flags": {"met_king": True, "chapter": 2}}, []),
        ({"flags": {"met_king": False}}, ["flag met_king = False"]),
        ({"flags": {"outlaw": False}}, []),  # unset holds as false
        ({"flags": {"outlaw": True}}, ["flag outlaw = True"]),
        ({"flags": {"chapter": 3}}, ["flag chapter = 3"]),
        ({"flags": {"chapter": "2"}}, ["flag chapter = '2'"]),
        ({"world_flags": {"bridge": "burned"}}, []),
        ({"world_flags": {"bridge": "whole"}}, ["world flag bridge = 'whole'"]),
        ({"world_flags": {"gate": False}}, []),
        ({"achievements": ["first_craft"]}, []),
        ({"achievements": ["first_craft", "level_10"]}, ["achievement level_10"]),
        ({"any": [{"level": 9}, {"items": ["torch"]}]}, []),
        ({"any": [{"level": 9}, {"items": ["rope"]}]}, ["one of: level 9 | holding rope"]),
        ({"not": {"level": 9}}, []),
        ({"not": {"flags": {"met_king": True}}}, ['not ({"flags":{"met_king":true}})']),
        ({"level": 9, "items": ["rope"]}, ["level 9", "holding rope"]),
    ],
)
def test_each_condition_holds_or_names_what_is_missing(condition, missing):
    assert unmet(check_condition(condition), facts()) == missing


def test_describe_is_the_condition_as_compact_json():
    assert describe({"level": 2, "flags": {"a": True}}) == '{"flags":{"a":true},"level":2}'


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ([], r"^conditions is an object of \['achievements', 'any'"),
        ({"moon": 1}, r"^conditions is an object of"),
        ({"level": 0}, r"^conditions.level is 1 to 100$"),
        ({"level": 101}, r"^conditions.level is 1 to 100$"),
        ({"level": True}, r"^conditions.level"),
        ({"stats": {"luck": 1}}, r"^conditions.stats maps stats to values"),
        ({"stats": {"strength": -1}}, r"^conditions.stats"),
        ({"stats": {"strength": 10_000}}, r"^conditions.stats"),
        ({"skills": {"juggling": 1}}, r"^conditions.skills maps skills to levels$"),
        ({"skills": {"smithing": 51}}, r"^conditions.skills"),
        ({"items": ["a"] * 9}, r"^conditions.items is a list of at most 8 names, or an object"),
        ({"items": {"": 1}}, r"^conditions.items"),
        ({"items": {"arrow": 0}}, r"^conditions.items"),
        ({"items": {"arrow": True}}, r"^conditions.items"),
        ({"items": {f"i{n}": 1 for n in range(9)}}, r"^conditions.items"),
        ({"achievements": "first"}, r"^conditions.achievements is a list of at most 8 names$"),
        ({"flags": []}, r"^conditions.flags is an object of at most 8 flags$"),
        ({"flags": {f"f{n}": True for n in range(9)}}, r"^conditions.flags is an object of at most 8 flags$"),
        ({"flags": {"Bad Name": True}}, r"^conditions.flags: a flag's name is 1 to 64 of"),
        ({"flags": {"x" * 65: True}}, r"^conditions.flags: a flag's name"),
        ({"flags": {"a": None}}, r"^conditions.flags.a is true, false, an integer or a text of at most 64$"),
        ({"flags": {"a": 1.5}}, r"^conditions.flags.a is true"),
        ({"flags": {"a": "x" * 65}}, r"^conditions.flags.a is true"),
        ({"world_flags": {"a": [1]}}, r"^conditions.world_flags.a is true"),
        ({"any": []}, r"^conditions.any is a list of 1 to 8 conditions$"),
        ({"any": [{}] * 9}, r"^conditions.any is a list of 1 to 8 conditions$"),
        ({"any": {"level": 1}}, r"^conditions.any is a list"),
        ({"any": [{"level": 0}]}, r"^conditions.any\[0\].level is 1 to 100$"),
        ({"not": {"moon": 1}}, r"^conditions.not is an object of"),
        ({"not": {"not": {"not": {"not": {"not": {"level": 1}}}}}}, r"nest at most 4 deep$"),
    ],
)
def test_a_condition_that_does_not_parse_names_the_part(condition, message):
    with pytest.raises(InvalidRule, match=message):
        check_condition(condition)


def test_conditions_nest_four_deep_and_keep_their_shape():
    deep = {"not": {"not": {"not": {"not": {"level": 1}}}}}
    assert check_condition(deep) == deep
    assert check_condition({"items": ["torch"] * 8}) == {"items": ["torch"] * 8}
    flags = {"a": "x" * 64, "b": 0, "c": False}
    assert check_condition({"flags": flags})["flags"] == flags


def test_a_refusal_can_be_raised_as_another_error_with_its_details():
    class Wrong(InvalidCommand):
        code = "wrong"

    with pytest.raises(Wrong, match=r"^where.skills maps skills to levels$") as raised:
        check_condition({"skills": {"juggling": 1}}, "where", Wrong)
    assert "smithing" in raised.value.details["skills"]
    with pytest.raises(InvalidRule):
        check_condition({"level": 0}, "where", InvalidRule)


def test_consequences_are_checked_and_kept():
    other = uuid4()
    given = {
        "experience": 100_000,
        "stats": {"health": -100, "charisma": 100},
        "items": [
            {"item_type": "trinket", "item_name": "seal"},
            {"item_type": "material", "item_name": "log", "quantity": 10_000},
        ],
        "take_items": {"torch": 1},
        "flags": {"met_king": True, "chapter": None},
        "world_flags": {"bridge": "burned"},
        "relationships": {str(other).upper(): -25},
    }
    checked = check_consequences(given)
    assert checked["items"][0] == {"item_type": "trinket", "item_name": "seal", "quantity": 1, "item_data": {}}
    assert checked["items"][1]["quantity"] == 10_000
    assert checked["relationships"] == {str(other): -25}  # one spelling of each id
    assert check_consequences({}) == {}


@pytest.mark.parametrize(
    ("consequences", "message"),
    [
        ([], r"^consequences is an object of \['experience'"),
        ({"gold": 1}, r"^consequences is an object of"),
        ({"experience": 0}, r"^consequences.experience is 1 to 100000$"),
        ({"experience": 100_001}, r"^consequences.experience"),
        ({"experience": True}, r"^consequences.experience"),
        ({"stats": {"health": -101}}, r"^consequences.stats moves stats by -100 to 100"),
        ({"stats": {"luck": 1}}, r"^consequences.stats"),
        ({"take_items": {"torch": 0}}, r"^consequences.take_items is an object of at most 8"),
        ({"take_items": ["torch"]}, r"^consequences.take_items"),
        ({"items": {"item_name": "seal"}}, r"^consequences.items is a list of at most 8 items$"),
        ({"items": [{"item_type": "trinket", "item_name": "seal"}] * 9}, r"^consequences.items is a list"),
        ({"items": ["seal"]}, r"^consequences.items\[0\] is an object of item_type"),
        ({"items": [{"item_name": "seal", "colour": 1}]}, r"^consequences.items\[0\] is an object"),
        ({"items": [{"item_type": "trinket", "item_name": "seal", "quantity": 0}]}, r"^consequences.items\[0\].quant"),
        ({"items": [{"item_type": "pet", "item_name": "seal"}]}, r"^consequences.items\[0\]: "),
        ({"flags": {"a": [1]}}, r"^consequences.flags.a is true"),
        ({"world_flags": {"A": 1}}, r"^consequences.world_flags: a flag's name"),
        ({"relationships": {"not-an-id": 5}}, r"^consequences.relationships maps at most 8 character ids"),
        ({"relationships": {str(uuid4()): 26}}, r"^consequences.relationships maps .* -25 to 25$"),
        ({"relationships": {str(uuid4()): -26}}, r"^consequences.relationships"),
    ],
)
def test_consequences_that_do_not_parse_name_the_part(consequences, message):
    with pytest.raises(InvalidRule, match=message):
        check_consequences(consequences)


def test_flags_change_only_where_they_differ_and_none_clears():
    assert changed_flags({"a": 1, "b": True}, {"a": 1, "b": False, "c": None, "d": "x"}) == {"b": False, "d": "x"}
    assert with_flags({"a": 1, "b": True}, {"a": None, "c": 3}) == {"b": True, "c": 3}


def test_the_facts_of_a_character_read_its_bag_flags_and_world():
    from domain.adventure import Adventurer, World

    character = Adventurer.create(uuid4(), uuid4(), "Ada", "mage", {}, (0, 70, 0))
    character.inventory = {"0": {"item_type": "material", "item_name": "log", "quantity": 3, "item_data": {}}}
    character.flags = {"met_king": True}
    world = World.create("W", "flat", 1, {}, {})
    world.flags = {"bridge": "burned"}
    known = rules.facts(character, {"first_craft"}, world)
    assert (known.level, known.held("log"), known.held("ore")) == (1, 3, 0)
    assert known.flags == {"met_king": True} and known.world_flags == {"bridge": "burned"}
    assert known.achievements == frozenset({"first_craft"}) and known.stats["intelligence"] == 18
    assert rules.facts(character).world_flags == {} and rules.facts(character).achievements == frozenset()


def test_rules_hold_exactly_eight_things_and_nest_any_four_deep():
    eight = {f"f{n}": True for n in range(8)}
    assert check_condition({"flags": eight})["flags"] == eight
    assert check_condition({"items": {f"i{n}": 1 for n in range(8)}})["items"]["i7"] == 1
    assert check_condition({"stats": {"strength": 0}}) == {"stats": {"strength": 0}}
    assert len(check_condition({"any": [{}] * 8})["any"]) == 8
    assert len(check_consequences({"items": [{"item_type": "trinket", "item_name": "seal"}] * 8})["items"]) == 8
    deep = {"any": [{"any": [{"any": [{"any": [{"level": 1}]}]}]}]}
    assert check_condition(deep) == deep
    with pytest.raises(InvalidRule, match=r"nest at most 4 deep$"):
        check_condition({"any": [deep]})
    with pytest.raises(InvalidRule) as levelled:
        check_condition({"level": 0})
    assert levelled.value.details == {}  # only a skills refusal lists the skills
    with pytest.raises(InvalidRule, match="experience"):
        check_consequences({"experience": 1.5})
    item = check_consequences(
        {"items": [{"item_type": "weapon", "item_name": "blade", "item_data": {"durability": 5}}]}
    )
    assert item["items"][0]["item_data"] == {"durability": 5}
    with pytest.raises(InvalidRule, match=r"^consequences.items\[0\]: "):
        check_consequences({"items": [{"item_name": "blade"}]})  # no item_type


def test_an_option_of_any_names_all_it_misses():
    missing = unmet({"any": [{"level": 9, "items": ["rope"]}, {"level": 8}]}, facts())
    assert missing == ["one of: level 9, holding rope | level 8"]


def test_facts_of_what_has_no_flags_and_of_a_world_without_any():
    bare = type("Bare", (), {"level": 2, "stats": {}, "inventory": {}, "skill_levels": dict})()
    known = rules.facts(bare, world=type("Old", (), {})())
    assert known.flags == {} and known.world_flags == {}


def test_consequences_befall_a_character_in_one_bag_change():
    from domain.adventure import Adventurer

    character = Adventurer.create(uuid4(), uuid4(), "Ada", "mage", {}, (0, 70, 0))
    character.inventory = {"0": {"item_type": "material", "item_name": "torch", "quantity": 2, "item_data": {}}}
    reference = uuid4()
    rules.befall(
        character,
        {
            "stats": {"charisma": 2},
            "experience": 150,
            "take_items": {"torch": 2},
            "items": [{"item_type": "weapon", "item_name": "blade", "quantity": 1, "item_data": {"durability": 5}}],
            "flags": {"met_king": True},
        },
        "quest:x",
        reference,
    )
    names = [type(e).__name__ for e in character.pending_events]
    assert names == ["Created", "StatsChanged", "ExperienceGained", "SlotChanged", "FlagsSet"]
    slot = character.pending_events[3]
    assert (slot.reason, slot.reference, slot.stack["item_name"], slot.stack["item_data"]) == (
        "quest",
        reference,
        "blade",
        {"durability": 5},
    )
    assert character.inventory == {"0": {"item_type": "weapon", "item_name": "blade", "quantity": 1,
                                         "item_data": {"durability": 5}}}  # fmt: skip
    assert character.stats["charisma"] == 14 and character.flags == {"met_king": True}
