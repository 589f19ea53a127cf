"""The catalogue's limits at their boundary, repeats that record nothing, and
refusals with what clients show."""

from __future__ import annotations

import pytest

from domain.kernel.errors import InvalidCommand
from domain.narrative.catalogue import MAX_ITEMS, MAX_QUESTS, Catalogue, ItemDefinition, QuestDefinition


def item(n: int | str) -> ItemDefinition:
    return ItemDefinition(item_id=f"item{n}", name=f"Item {n}")


def quest(n: int | str, **fields) -> QuestDefinition:
    return QuestDefinition(quest_id=f"quest{n}", title=f"Quest {n}", **fields)


def fresh() -> Catalogue:
    catalogue = Catalogue()
    catalogue.collect_events()
    return catalogue


def test_an_item_defined_again_unchanged_records_nothing_and_a_change_is_recorded():
    catalogue = fresh()
    catalogue.define_item(item(1))
    assert len(catalogue.collect_events()) == 1
    catalogue.define_item(item(1))
    assert catalogue.collect_events() == []
    catalogue.define_item(ItemDefinition(item_id="item1", name="Renamed"))
    assert len(catalogue.collect_events()) == 1
    assert catalogue.item("item1").name == "Renamed"


def test_items_are_limited_exactly_at_the_maximum_but_a_defined_one_can_change():
    catalogue = fresh()
    catalogue.items = {f"item{i}": item(i).model_dump(mode="json") for i in range(MAX_ITEMS - 1)}
    catalogue.define_item(item("last"))
    with pytest.raises(InvalidCommand, match=f"a catalogue holds at most {MAX_ITEMS} items"):
        catalogue.define_item(item("one_more"))
    catalogue.define_item(ItemDefinition(item_id="item0", name="Changed"))
    assert catalogue.item("item0").name == "Changed"


def test_a_quest_published_again_unchanged_records_nothing():
    catalogue = fresh()
    catalogue.publish_quest(quest(1))
    assert len(catalogue.collect_events()) == 1
    catalogue.publish_quest(quest(1))
    assert catalogue.collect_events() == []
    assert catalogue.quest("quest1").title == "Quest 1"


def test_quests_are_limited_exactly_at_the_maximum_but_a_published_one_can_change():
    catalogue = fresh()
    catalogue.quests = {f"quest{i}": quest(i).model_dump(mode="json") for i in range(MAX_QUESTS - 1)}
    catalogue.publish_quest(quest("last"))
    with pytest.raises(InvalidCommand, match=f"a catalogue holds at most {MAX_QUESTS} quests"):
        catalogue.publish_quest(quest("one_more"))
    catalogue.publish_quest(quest(0, description="changed"))
    assert catalogue.quest("quest0").description == "changed"


def test_a_reward_naming_undefined_items_is_refused_listing_them():
    catalogue = fresh()
    catalogue.define_item(item("known"))
    with pytest.raises(InvalidCommand) as refused:
        catalogue.publish_quest(quest(1, reward_bundle={"items": {"itemknown": 1, "zz": 1, "aa": 2}}))
    assert refused.value.message == "a reward names items that are not defined"
    assert refused.value.details == {"unknown_items": ["aa", "zz"]}
