"""The kernel's aggregate base, its events and snapshots: what each one keeps,
copies and seals. Mutation testing showed these stated only end to end."""

from __future__ import annotations

import copy
from datetime import datetime
from uuid import UUID, uuid4

from domain.accounts.players import Player
from domain.kernel.aggregate import ERASED, DomainEvent, Personal, Snapshot, event_classes
from domain.narrative.catalogue import Catalogue
from domain.narrative.save_slots import SaveSlot


def test_event_classes_are_the_concrete_events_in_declaration_order():
    found = event_classes(SaveSlot)
    names = [cls.__name__ for cls in found]
    assert names[0] == "Created" and "Event" not in names
    assert names == [
        n for n, v in vars(SaveSlot).items() if isinstance(v, type) and issubclass(v, DomainEvent) and n != "Event"
    ]
    assert {"ProgressSaved", "ItemAdded", "ItemRemoved", "Restored", "Synced"} <= set(names)
    assert all(issubclass(cls, DomainEvent) for cls in found)
    assert event_classes(Catalogue)[0].__name__ == "Created"


def test_the_state_is_the_domains_attributes_without_bookkeeping():
    slot = SaveSlot.open(uuid4(), "main", {"chapter": 1})
    state = slot.state()
    assert state["name"] == "main" and state["narrative_state"] == {"chapter": 1}
    assert not [k for k in state if k.startswith("_")]
    assert set(state) == {k for k in vars(slot) if not k.startswith("_")}


def test_an_event_names_its_personal_fields_and_their_subject():
    player = Player(display_name="Ada")
    created = player.collect_events()[0]
    assert created.personal() == Personal(player.id, {"display_name": ERASED})
    owner = uuid4()
    slot_created = SaveSlot.open(owner, "main").collect_events()[0]
    assert slot_created.personal() == Personal(owner, {"name": ERASED})  # PERSONAL_SUBJECT: the owner
    slot = SaveSlot.open(owner, "main")
    slot.save_progress({"chapter": 2})
    assert slot.collect_events()[-1].personal() is None  # no personal fields


def test_a_snapshot_keeps_the_state_and_names_whose_it_is():
    owner = uuid4()
    slot = SaveSlot.open(owner, "main", {"chapter": 1})
    slot.save_progress({"chapter": 2})
    snapshot = Snapshot.take(slot)
    assert (snapshot.originator_id, snapshot.originator_version) == (slot.id, slot.version)
    assert not {"_id", "_version", "_pending_events"} & set(snapshot.state)
    assert {"_created_on", "_modified_on", "name", "inventory"} <= set(snapshot.state)
    assert snapshot.subject == owner
    assert snapshot.personal() == Personal(owner, {"name": ERASED}, within="state")
    catalogue = Catalogue()
    assert Snapshot.take(catalogue).subject is None and Snapshot.take(catalogue).personal() is None


def test_a_snapshot_of_erased_personal_data_has_nothing_to_seal():
    slot = SaveSlot.open(uuid4(), "main")
    slot.name = ERASED
    assert Snapshot.take(slot).personal() is None


def test_a_snapshot_rebuilds_the_aggregate_with_its_types():
    slot = SaveSlot.open(uuid4(), "main", {"chapter": 1})
    slot.save_progress({"chapter": 2})
    stored = Snapshot.model_validate_json(Snapshot.take(slot).model_dump_json())  # as the store keeps it
    rebuilt = stored.mutate(None)
    assert isinstance(rebuilt, SaveSlot)
    assert (rebuilt.id, rebuilt.version, rebuilt.pending_events) == (slot.id, slot.version, [])
    assert isinstance(rebuilt.owner_id, UUID) and rebuilt.owner_id == slot.owner_id
    assert isinstance(rebuilt.created_on, datetime) and rebuilt.created_on == slot.created_on
    assert rebuilt.state() == slot.state()


def test_a_copy_shares_what_cannot_change_and_copies_the_rest():
    slot = SaveSlot.open(uuid4(), "main", {"chapter": 1, "party": ["ada"]})
    slot.collect_events()
    shared = ["a", "list", "held", "twice"]
    slot.first = shared
    slot.second = shared
    clone = copy.deepcopy(slot)
    assert clone.name is slot.name and clone.id is slot.id  # immutable: the same object
    assert clone.narrative_state == slot.narrative_state and clone.narrative_state is not slot.narrative_state
    assert clone.narrative_state["party"] is not slot.narrative_state["party"]
    assert clone.inventory == {} and clone.inventory is not slot.inventory  # empty: a fresh one
    assert clone.first is clone.second and clone.first is not shared  # one object stays one object
    clone.inventory["gold"] = {"quantity": 1, "metadata": {}}
    assert slot.inventory == {}


def test_a_snapshot_taken_before_state_was_added_restores_it_fresh():
    """A character snapshotted before stories and quests (issue 14) restores
    with empty flags, paths and quests, each its own (never one shared dict)."""
    from uuid import uuid4

    from domain.adventure import Adventurer
    from domain.kernel.aggregate import Snapshot

    character = Adventurer.create(uuid4(), uuid4(), "Ada", "mage", {}, (0, 70, 0))
    old = Snapshot.take(character)
    state = {k: v for k, v in old.state.items() if k not in ("flags", "stories", "quests")}
    first = old.model_copy(update={"state": state}).mutate(None)
    second = old.model_copy(update={"state": state}).mutate(None)
    assert (first.flags, first.stories, first.quests) == ({}, {}, {})
    first.flags["x"] = True
    assert second.flags == {} and Adventurer.added_state["flags"] == {}


def test_a_trusted_event_is_the_event_validation_would_build():
    from domain.echoes.market import OrderBook

    book = OrderBook.open(60003760, 2000)
    book.collect_events()
    now, order, pilot = datetime.fromisoformat("2026-12-04T20:00:00+00:00"), uuid4(), uuid4()
    fields = dict(order_id=order, side="buy", character_id=pilot, price=5, quantity=2, expires_at=now)
    fields |= dict(broker_fee=1, station_id=60003760, module_type_id=2000)
    OrderPlaced = OrderBook.OrderPlaced
    book.trigger_trusted(OrderPlaced, timestamp=now, **fields)
    (event,) = book.collect_events()
    validated = OrderBook.OrderPlaced(originator_id=book.id, originator_version=2, timestamp=now, **fields)
    assert event == validated and event.model_dump() == validated.model_dump()
    assert event.model_fields_set == validated.model_fields_set == set(OrderPlaced.model_fields)
    assert event.__pydantic_private__ is None and event.__pydantic_extra__ is None
    assert set(vars(event)) == set(OrderPlaced.model_fields)  # nothing but the fields
    assert book.version == 2 and book.modified_on == now and str(order) in book.orders
    assert book.pending_events == [] and book.collect_events() == []


def test_a_trusted_event_missing_a_field_is_refused_before_it_changes_anything():
    import pytest

    from domain.echoes.market import OrderBook

    book = OrderBook.open(60003760, 2000)
    before = copy.deepcopy(vars(book))
    with pytest.raises(TypeError, match="OrderPlaced needs"):
        book.trigger_trusted(OrderBook.OrderPlaced, order_id=uuid4(), side="buy")
    assert vars(book) == before


def test_a_trusted_event_is_stamped_now_unless_given_its_time():
    from domain.echoes.market import OrderBook

    book = OrderBook.open(60003760, 2000)
    started = datetime.now().astimezone()
    fields = dict(order_id=uuid4(), side="sell", character_id=uuid4(), price=5, quantity=2, expires_at=started)
    book.trigger_trusted(OrderBook.OrderPlaced, broker_fee=1, station_id=60003760, module_type_id=2000, **fields)
    stamped = book.pending_events[-1].timestamp
    assert started <= stamped <= datetime.now().astimezone() and book.modified_on == stamped


def test_collected_events_are_all_the_pending_ones_oldest_first():
    slot = SaveSlot.open(uuid4(), "main", {"chapter": 1})
    slot.save_progress({"chapter": 2})
    pending = list(slot.pending_events)
    assert slot.collect_events() == pending and [e.originator_version for e in pending] == [1, 2]
    assert slot.pending_events == [] and slot.collect_events() == []


def test_a_snapshot_of_an_older_shape_is_brought_up_to_date():
    """An order book snapshotted while its queues were ``bids``/``asks``, best
    first, restores with the same queues best last."""
    from domain.echoes.market import OrderBook
    from domain.echoes.orders import Fees

    book = OrderBook.open(60003760, 2000)
    expires = datetime.fromisoformat("2027-01-01T00:00:00+00:00")
    for side, price in (("buy", 90), ("buy", 95), ("buy", 95), ("sell", 110), ("sell", 105)):
        book.place(side, uuid4(), price, 1, expires, Fees())  # type: ignore[arg-type]
    book.collect_events()
    new = Snapshot.take(book)
    old_state = {k: v for k, v in new.state.items() if k not in ("bid_queue", "ask_queue")}
    old_state["bids"] = [[-p, -s, i] for p, s, i in reversed(book.bid_queue)]  # as they were stored
    old_state["asks"] = [[-k, -s, i] for k, s, i in reversed(book.ask_queue)]
    assert old_state["bids"][0][0] == -95 and old_state["asks"][0][0] == 105  # best first, as it was
    restored = new.model_copy(update={"state": old_state}).mutate(None)
    assert restored == book and "bids" not in vars(restored)
    assert isinstance(restored.bid_queue[0], tuple) and isinstance(restored.bid_levels["95"], tuple)


def test_a_chunk_snapshotted_with_its_edits_in_the_seeds_format_restores_them_kept():
    """A chunk snapshotted while it kept ``edits`` (every block in the seed's
    format) restores with ``laid``: a block without metadata as its type alone."""
    from domain.adventure.chunks import Chunk

    chunk = Chunk.first_edit(uuid4(), (0, 4, 0), 7, "standard")
    chunk.edit({"0,0,0": {"type": "stone"}, "1,0,0": {"type": "chest", "metadata": {"items": 3}}}, None, None)
    chunk.edit({"2,0,0": {"type": "air"}}, [{"name": "tower"}], None)
    chunk.collect_events()
    new = Snapshot.take(chunk)
    assert chunk.laid == {"0,0,0": "stone", "1,0,0": {"type": "chest", "metadata": {"items": 3}}, "2,0,0": "air"}
    assert new.state["laid_packed"]["blocks"] == {"1,0,0": {"type": "chest", "metadata": {"items": 3}}}
    assert "laid" not in new.state and new.mutate(None) == chunk
    old_state = {k: v for k, v in new.state.items() if k != "laid_packed"}
    old_state["edits"] = chunk.edits  # as they were stored
    assert old_state["edits"]["0,0,0"] == {"type": "stone", "metadata": {}}
    restored = new.model_copy(update={"state": old_state}).mutate(None)
    assert restored == chunk and "edits" not in vars(restored)
    assert restored.laid == chunk.laid and restored.blocks() == chunk.blocks()
