"""What mutation testing showed untested in the sync rules: a repeat records
nothing, and every limit holds exactly at its boundary."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.narrative.catalogue import Catalogue
from domain.narrative.rules import MAX_CHOICES, MAX_FLAGS, MAX_NODES, ChoiceMade, FlagCleared, FlagSet, NodeReached
from domain.narrative.save_slots import SaveSlot
from domain.narrative.sync import apply_change


def recorded(slot: SaveSlot) -> int:
    return len(slot.collect_events())


@pytest.mark.parametrize(
    "change",
    [
        FlagSet(type="flag_set", flag="met_ada"),
        NodeReached(type="node_reached", node="intro"),
        ChoiceMade(type="choice_made", choice="door", option="left"),
    ],
    ids=["flag", "node", "choice"],
)
def test_a_change_already_in_the_state_records_nothing_the_second_time(change):
    slot = SaveSlot.open(uuid4(), "main")
    recorded(slot)
    assert apply_change(slot, change, Catalogue()) is None
    assert recorded(slot) == 1
    assert apply_change(slot, change, Catalogue()) is None
    assert recorded(slot) == 0, "a repeat is not recorded again"


def test_clearing_a_flag_that_is_not_set_records_nothing():
    slot = SaveSlot.open(uuid4(), "main")
    recorded(slot)
    assert apply_change(slot, FlagCleared(type="flag_cleared", flag="never_set"), Catalogue()) is None
    assert recorded(slot) == 0


def slot_with(key: str, values: object) -> SaveSlot:
    slot = SaveSlot.open(uuid4(), "main")
    slot.narrative_state = {**slot.narrative_state, key: values}
    recorded(slot)
    return slot


def test_flags_are_limited_exactly_at_the_maximum():
    almost = slot_with("flags", [f"f{i}" for i in range(MAX_FLAGS - 1)])
    assert apply_change(almost, FlagSet(type="flag_set", flag="last"), Catalogue()) is None
    full = slot_with("flags", [f"f{i}" for i in range(MAX_FLAGS)])
    reason = apply_change(full, FlagSet(type="flag_set", flag="one_more"), Catalogue())
    assert reason == f"a save holds at most {MAX_FLAGS} flags"
    assert recorded(full) == 0
    # Clearing is always possible, full or not.
    assert apply_change(full, FlagCleared(type="flag_cleared", flag="f0"), Catalogue()) is None


def test_nodes_are_limited_exactly_at_the_maximum():
    almost = slot_with("nodes", [f"n{i}" for i in range(MAX_NODES - 1)])
    assert apply_change(almost, NodeReached(type="node_reached", node="last"), Catalogue()) is None
    full = slot_with("nodes", [f"n{i}" for i in range(MAX_NODES)])
    reason = apply_change(full, NodeReached(type="node_reached", node="one_more"), Catalogue())
    assert reason == f"a save records at most {MAX_NODES} nodes"


def test_choices_are_limited_exactly_at_the_maximum_and_never_change_once_made():
    almost = slot_with("choices", {f"c{i}": "x" for i in range(MAX_CHOICES - 1)})
    assert apply_change(almost, ChoiceMade(type="choice_made", choice="last", option="x"), Catalogue()) is None
    full = slot_with("choices", {f"c{i}": "x" for i in range(MAX_CHOICES)})
    reason = apply_change(full, ChoiceMade(type="choice_made", choice="one_more", option="x"), Catalogue())
    assert reason == f"a save records at most {MAX_CHOICES} choices"
    changed = apply_change(full, ChoiceMade(type="choice_made", choice="c0", option="y"), Catalogue())
    assert changed == "choice 'c0' was already made: 'x'"
