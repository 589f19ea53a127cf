"""Restoring a save slot, and what a client sees of one (``view``): what
mutation testing showed no test stated."""

from __future__ import annotations

import copy
from uuid import uuid4

import pytest

from domain.kernel.errors import InvalidCommand
from domain.narrative.save_slots import SaveSlot


def add(slot: SaveSlot, item_id: str, quantity: int, **metadata: object) -> None:
    slot.trigger_event(slot.ItemAdded, item_id=item_id, quantity=quantity, metadata=metadata, source="pickup")


def remove(slot: SaveSlot, item_id: str, quantity: int) -> None:
    slot.trigger_event(slot.ItemRemoved, item_id=item_id, quantity=quantity, source="spent")


def quest(slot: SaveSlot, quest_id: str, status: str) -> None:
    slot.trigger_event(slot.QuestStatusChanged, quest_id=quest_id, status=status)


def events(slot: SaveSlot) -> list[tuple[str, dict]]:
    return [
        (type(e).__name__, e.model_dump(exclude={"originator_id", "originator_version", "timestamp"}))
        for e in slot.collect_events()
    ]


def played() -> tuple[SaveSlot, SaveSlot]:
    """A slot, and a copy of it at an earlier version, after which it moved on."""
    slot = SaveSlot.open(uuid4(), "main", {"chapter": 1})
    add(slot, "gold", 10, minted="mine")
    add(slot, "potion", 2, colour="red")
    quest(slot, "q1", "active")
    slot.save_progress({"chapter": 2, "party": ["ada"]})
    past = copy.deepcopy(slot)
    add(slot, "gold", 5)
    remove(slot, "potion", 2)
    add(slot, "sword", 1)
    quest(slot, "q1", "completed")
    quest(slot, "q2", "active")
    slot.save_progress({"chapter": 3})
    slot.collect_events()
    return slot, past


def test_a_restore_records_each_difference_in_order_then_the_state():
    slot, past = played()
    slot.restore(past)
    assert events(slot) == [
        ("ItemRemoved", {"item_id": "gold", "quantity": 5, "source": "restore"}),
        (
            "ItemAdded",
            {"item_id": "potion", "quantity": 2, "metadata": {"colour": "red"}, "source": "restore", "quest_id": None},
        ),
        ("ItemRemoved", {"item_id": "sword", "quantity": 1, "source": "restore"}),
        ("QuestStatusChanged", {"quest_id": "q1", "status": "active"}),
        ("QuestStatusChanged", {"quest_id": "q2", "status": "locked"}),
        (
            "Restored",
            {"progression_version": 3, "restored_from": 1, "narrative_state": {"chapter": 2, "party": ["ada"]}},
        ),
    ]


def test_after_a_restore_the_slot_holds_what_it_held_then():
    slot, past = played()
    slot.restore(past)
    assert slot.inventory == past.inventory
    assert slot.held("gold") == 10 and slot.held("potion") == 2 and slot.held("sword") == 0
    assert {q: s for q, s in slot.quests.items() if s != "locked"} == past.quests
    assert slot.narrative_state == past.narrative_state
    assert slot.progression_version == past.progression_version + 2
    past.narrative_state["party"].append("mallory")
    assert slot.narrative_state["party"] == ["ada"], "the restored state is a copy, not the past's own"


def test_restoring_the_current_version_records_only_the_restore():
    slot, _ = played()
    slot.restore(copy.deepcopy(slot))
    assert [name for name, _ in events(slot)] == ["Restored"]


def test_a_slot_restores_only_its_own_earlier_versions():
    slot, _ = played()
    other = SaveSlot.open(uuid4(), "other")
    future = copy.deepcopy(slot)
    future.save_progress({"chapter": 4})
    for wrong in (other, future):
        with pytest.raises(InvalidCommand, match="a slot restores only its own earlier versions"):
            slot.restore(wrong)
    assert events(slot) == []


def test_the_view_is_the_clients_state_and_a_copy():
    slot, _ = played()
    view = slot.view()
    assert view == {
        "slot_id": str(slot.id),
        "progression_version": 2,
        "narrative_state": {"chapter": 3},
        "quests": {"q1": "completed", "q2": "active"},
        "inventory": {
            "gold": {"quantity": 15, "metadata": {"minted": "mine"}},
            "sword": {"quantity": 1, "metadata": {}},
        },
    }
    view["narrative_state"]["chapter"] = 99
    view["inventory"]["gold"]["quantity"] = 0
    view["quests"]["q1"] = "failed"
    assert slot.narrative_state == {"chapter": 3} and slot.held("gold") == 15 and slot.quests["q1"] == "completed"


def test_nothing_held_reads_as_zero():
    slot = SaveSlot.open(uuid4(), "main")
    assert slot.held("anything") == 0
    add(slot, "gold", 3)
    assert slot.held("gold") == 3
