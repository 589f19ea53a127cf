"""The sync rules for items and quests, change by change: the events each
records (with their source), its limits exactly at the boundary, the quest
states it walks through and the rewards a completion grants. Mutation testing
showed these reached only through the end-to-end demo."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.narrative.catalogue import Catalogue, ItemDefinition, QuestDefinition, RewardBundle
from domain.narrative.rules import FlagCleared, FlagSet, ItemAdded, ItemRemoved, QuestChange
from domain.narrative.save_slots import SaveSlot
from domain.narrative.sync import apply_change, never_allowed, update_availability


def catalogue() -> Catalogue:
    found = Catalogue()
    found.define_item(ItemDefinition(item_id="potion", name="Potion", max_stack=5, pickup_limit=3))
    found.define_item(ItemDefinition(item_id="crown", name="Crown", max_stack=1, pickup_limit=0))
    found.define_item(ItemDefinition(item_id="medal", name="Medal", max_stack=2, pickup_limit=0))
    found.publish_quest(
        QuestDefinition(
            quest_id="audience",
            title="Audience",
            required_flags=["met_herald"],
            reward_bundle=RewardBundle(items={"crown": 1, "medal": 3, "potion": 2}, flags=["courtier"]),
        )
    )
    found.publish_quest(QuestDefinition(quest_id="petition", title="Petition", required_flags=["courtier"]))
    found.collect_events()
    return found


def fresh() -> SaveSlot:
    slot = SaveSlot.open(uuid4(), "main")
    slot.collect_events()
    return slot


def recorded(slot: SaveSlot) -> list[tuple[str, dict]]:
    return [
        (type(e).__name__, e.model_dump(exclude={"originator_id", "originator_version", "timestamp"}))
        for e in slot.collect_events()
    ]


def add(quantity: int, item_id: str = "potion", **metadata) -> ItemAdded:
    return ItemAdded(type="item_added", item_id=item_id, quantity=quantity, metadata=metadata)


def remove(quantity: int, item_id: str = "potion") -> ItemRemoved:
    return ItemRemoved(type="item_removed", item_id=item_id, quantity=quantity)


def quest(kind: str, quest_id: str = "audience") -> QuestChange:
    return QuestChange(type=kind, quest_id=quest_id)


def test_the_anti_cheat_rules_name_what_is_never_allowed():
    found = catalogue()
    assert never_allowed(add(1, "dragon"), found) == "there is no item 'dragon'"
    assert never_allowed(remove(1, "dragon"), found) == "there is no item 'dragon'"
    assert never_allowed(quest("quest_progressed", "nope"), found) == "there is no quest 'nope'"
    assert never_allowed(add(1, "crown"), found) == "'crown' is only granted as a quest reward"
    assert never_allowed(add(3), found) is None  # exactly the pickup limit
    assert never_allowed(add(4), found) == "at most 3 'potion' can be picked up at once"
    assert never_allowed(remove(1, "crown"), found) is None  # spending a reward is fine
    assert never_allowed(FlagSet(type="flag_set", flag="x"), found) is None


def test_picking_up_records_its_source_and_respects_the_stack_exactly():
    found, slot = catalogue(), fresh()
    assert apply_change(slot, add(3, colour="red"), found) is None
    assert apply_change(slot, add(2), found) is None  # 5: exactly the stack
    assert recorded(slot) == [
        (
            "ItemAdded",
            {"item_id": "potion", "quantity": 3, "metadata": {"colour": "red"}, "source": "pickup", "quest_id": None},
        ),
        ("ItemAdded", {"item_id": "potion", "quantity": 2, "metadata": {}, "source": "pickup", "quest_id": None}),
    ]
    assert apply_change(slot, add(1), found) == "holding 5, 1 more 'potion' exceeds the stack of 5"
    assert recorded(slot) == [] and slot.held("potion") == 5


def test_spending_records_what_was_spent_and_never_more_than_is_held():
    found, slot = catalogue(), fresh()
    apply_change(slot, add(3), found)
    slot.collect_events()
    assert apply_change(slot, remove(4), found) == "holding 3 'potion', cannot spend 4"
    assert apply_change(slot, remove(3), found) is None  # exactly what is held
    assert recorded(slot) == [("ItemRemoved", {"item_id": "potion", "quantity": 3, "source": "spent"})]
    assert slot.held("potion") == 0
    assert apply_change(slot, remove(1), found) == "holding 0 'potion', cannot spend 1"


def test_a_quest_walks_locked_available_active_completed_with_its_rewards():
    found, slot = catalogue(), fresh()
    assert apply_change(slot, quest("quest_progressed"), found) == "quest 'audience' is locked, not available"
    assert apply_change(slot, quest("quest_completed"), found) == "quest 'audience' is locked, not active"
    assert apply_change(slot, FlagSet(type="flag_set", flag="met_herald"), found) is None
    assert recorded(slot)[-1] == ("QuestStatusChanged", {"quest_id": "audience", "status": "available"})
    assert apply_change(slot, quest("quest_failed"), found) == "quest 'audience' is available, not active"
    assert apply_change(slot, quest("quest_progressed"), found) is None
    assert apply_change(slot, quest("quest_progressed"), found) is None  # again: nothing more
    assert recorded(slot) == [("QuestStatusChanged", {"quest_id": "audience", "status": "active"})]
    apply_change(slot, add(4), found)
    slot.collect_events()
    assert apply_change(slot, quest("quest_completed"), found) is None
    assert recorded(slot) == [
        ("QuestStatusChanged", {"quest_id": "audience", "status": "completed"}),
        ("ItemAdded", {"item_id": "crown", "quantity": 1, "metadata": {}, "source": "reward", "quest_id": "audience"}),
        ("ItemAdded", {"item_id": "medal", "quantity": 2, "metadata": {}, "source": "reward", "quest_id": "audience"}),
        ("ItemAdded", {"item_id": "potion", "quantity": 1, "metadata": {}, "source": "reward", "quest_id": "audience"}),
        ("FlagChanged", {"flag": "courtier", "holds": True}),
        ("QuestStatusChanged", {"quest_id": "petition", "status": "available"}),
    ]
    assert apply_change(slot, quest("quest_completed"), found) is None and recorded(slot) == []


def test_a_full_stack_gets_no_reward_and_a_flag_already_set_is_not_set_again():
    found, slot = catalogue(), fresh()
    apply_change(slot, FlagSet(type="flag_set", flag="met_herald"), found)
    apply_change(slot, FlagSet(type="flag_set", flag="courtier"), found)
    apply_change(slot, add(3), found)
    apply_change(slot, add(2), found)
    apply_change(slot, quest("quest_progressed"), found)
    slot.collect_events()
    apply_change(slot, quest("quest_failed"), found)
    assert recorded(slot) == [("QuestStatusChanged", {"quest_id": "audience", "status": "failed"})]
    slot2 = fresh()
    for change in (
        FlagSet(type="flag_set", flag="met_herald"),
        FlagSet(type="flag_set", flag="courtier"),
        add(3),
        add(2),
    ):
        apply_change(slot2, change, found)
    apply_change(slot2, quest("quest_progressed"), found)
    slot2.collect_events()
    apply_change(slot2, quest("quest_completed"), found)
    names = [(n, d.get("item_id") or d.get("flag")) for n, d in recorded(slot2)]
    assert ("ItemAdded", "potion") not in names, "a full stack gets nothing"
    assert ("FlagChanged", "courtier") not in names, "a flag already set is not set again"


def test_availability_follows_the_required_flags_both_ways():
    found, slot = catalogue(), fresh()
    update_availability(slot, found)
    assert recorded(slot) == []
    apply_change(slot, FlagSet(type="flag_set", flag="met_herald"), found)
    assert slot.quests == {"audience": "available"}
    slot.collect_events()
    apply_change(slot, FlagCleared(type="flag_cleared", flag="met_herald"), found)
    assert recorded(slot)[-1] == ("QuestStatusChanged", {"quest_id": "audience", "status": "locked"})
    assert slot.quests == {"audience": "locked"}


@pytest.mark.parametrize("kind", ["quest_completed", "quest_failed"])
def test_only_an_active_quest_ends(kind):
    found, slot = catalogue(), fresh()
    apply_change(slot, FlagSet(type="flag_set", flag="met_herald"), found)
    assert apply_change(slot, quest(kind), found) == "quest 'audience' is available, not active"
