"""SaveSlot rules, without I/O."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.kernel.errors import InvalidCommand
from domain.narrative.catalogue import Catalogue
from domain.narrative.save_slots import InvalidSlotName, SaveSlot


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
    slot.save_progress({"chapter": 3, "scene": "met_ada"})
    assert slot.narrative_state == {"chapter": 3, "scene": "met_ada"}
    assert slot.progression_version == 2
    assert slot.version == 3


def test_a_put_replaces_the_clients_keys_and_keeps_the_servers():
    slot = SaveSlot.open(uuid4(), "main", {"chapter": 1})
    slot.sync(0, [{"type": "flag_set", "flag": "met_ada"}], Catalogue())
    slot.save_progress({"chapter": 2})
    assert slot.narrative_state == {"chapter": 2, "flags": ["met_ada"]}
    for reserved in ("flags", "nodes", "choices"):
        with pytest.raises(InvalidCommand):
            slot.save_progress({reserved: []})


@pytest.mark.parametrize("name", ["", "  ", "n" * 65])
def test_a_slot_needs_a_short_name(name):
    with pytest.raises(InvalidSlotName):
        SaveSlot.open(uuid4(), name)
