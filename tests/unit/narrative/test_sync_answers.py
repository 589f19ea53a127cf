"""What a client reads back from a sync: the messages, codes and details of a
refusal, and whether the sync was rebased. Mutation testing showed no test
stated them."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.narrative.catalogue import Catalogue, ItemDefinition
from domain.narrative.rules import MAX_CHANGES_PER_SYNC
from domain.narrative.save_slots import InvalidChanges, SaveSlot, SyncConflict

FLAG = {"type": "flag_set", "flag": "met_ada"}
REMOVE_POTION = {"type": "item_removed", "item_id": "potion", "quantity": 1}


def catalogue() -> Catalogue:
    found = Catalogue()
    found.define_item(ItemDefinition(item_id="potion", name="Potion", max_stack=5, pickup_limit=5))
    return found


def slot_at(progression: int) -> SaveSlot:
    slot = SaveSlot.open(uuid4(), "main")
    for chapter in range(progression):
        slot.save_progress({"chapter": chapter})
    slot.collect_events()
    return slot


@pytest.mark.parametrize("base", [-1, 3])
def test_a_base_version_the_slot_never_had_is_refused_with_the_range(base):
    slot = slot_at(2)
    with pytest.raises(InvalidChanges) as refused:
        slot.sync(base, [FLAG], Catalogue())
    assert str(refused.value) == "base_version must be 0 to 2, the slot's progression version"
    assert refused.value.details == {"progression_version": 2}
    assert refused.value.code == "invalid_changes"
    assert slot.collect_events() == []


def test_the_number_of_changes_is_bounded_exactly():
    slot = slot_at(0)
    slot.sync(0, [FLAG] * MAX_CHANGES_PER_SYNC, Catalogue())
    assert slot.progression_version == 1
    with pytest.raises(InvalidChanges) as refused:
        slot.sync(1, [FLAG] * (MAX_CHANGES_PER_SYNC + 1), Catalogue())
    assert str(refused.value) == f"at most {MAX_CHANGES_PER_SYNC} changes per sync"


def test_changes_never_allowed_are_listed_with_their_index():
    slot = slot_at(0)
    unknown = {"type": "item_added", "item_id": "dragon", "quantity": 1}
    with pytest.raises(InvalidChanges) as refused:
        slot.sync(0, [FLAG, unknown], Catalogue())
    assert str(refused.value) == "some changes are never allowed"
    (refusal,) = refused.value.details["refusals"]
    assert refusal["index"] == 1 and refusal["change"]["item_id"] == "dragon" and refusal["reason"]
    assert slot.collect_events() == []


def test_changes_that_do_not_apply_to_the_seen_state_are_invalid_not_a_conflict():
    slot = slot_at(1)
    with pytest.raises(InvalidChanges) as refused:
        slot.sync(1, [FLAG, REMOVE_POTION], catalogue())
    assert str(refused.value) == "some changes do not apply to this save"
    details = refused.value.details
    assert [c["index"] for c in details["conflicts"]] == [1]
    assert details["server_state"] == slot.view()
    assert "met_ada" not in str(slot.narrative_state), "a refused sync changes nothing"


def test_changes_that_no_longer_apply_after_the_slot_moved_on_are_a_conflict():
    slot = slot_at(2)
    with pytest.raises(SyncConflict) as refused:
        slot.sync(1, [REMOVE_POTION], catalogue())
    assert str(refused.value) == "the save moved on and some changes conflict with it"
    assert refused.value.code == "sync_conflict"
    assert [c["index"] for c in refused.value.details["conflicts"]] == [0]
    assert refused.value.details["server_state"] == slot.view()


@pytest.mark.parametrize(("base", "rebased"), [(2, False), (1, True), (0, True)])
def test_a_sync_says_whether_it_was_rebased(base, rebased):
    slot = slot_at(2)
    slot.sync(base, [FLAG], Catalogue())
    synced = slot.collect_events()[-1]
    assert type(synced).__name__ == "Synced"
    assert (synced.base_version, synced.rebased, synced.change_count, synced.progression_version) == (
        base,
        rebased,
        1,
        3,
    )
