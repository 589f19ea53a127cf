"""SaveSlot rules, without I/O."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.progression import InvalidSlotName, SaveSlot


def test_a_new_slot_is_at_progression_zero_and_owned():
    owner = uuid4()
    slot = SaveSlot.open(owner, " main ", {"chapter": 1})
    assert slot.owner_id == owner
    assert slot.name == "main"
    assert slot.narrative_state == {"chapter": 1}
    assert slot.progression_version == 0


def test_saving_replaces_the_state_and_moves_progression_on_by_one():
    slot = SaveSlot.open(uuid4(), "main")
    slot.save_progress({"chapter": 2})
    slot.save_progress({"chapter": 3, "flags": ["met_ada"]})
    assert slot.narrative_state == {"chapter": 3, "flags": ["met_ada"]}
    assert slot.progression_version == 2
    assert slot.version == 3


@pytest.mark.parametrize("name", ["", "  ", "n" * 65])
def test_a_slot_needs_a_short_name(name):
    with pytest.raises(InvalidSlotName):
        SaveSlot.open(uuid4(), name)
