"""For every registered projection: applying any sequence of its events in
batches of any sizes gives the same tables (and sets aside the same events)
as applying them one at a time, and as applying them all at once (a rebuild).

The events are drawn from the projection's own topics with narrow pools of
ids and names, so they collide on the same rows: created, changed, deleted
and created again within one batch (the item that reached zero and was
picked up again, issue 11's second critical defect). A new context's
projections get this test by registering."""

from __future__ import annotations

from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.kernel.aggregate import event_classes
from infra.entrypoints.contexts import domain_contexts, read_models
from projections import engine
from projections.model import Event, Projection
from tests.strategies import event_strategy

EVENT_CLASSES = {cls.TOPIC: cls for c in domain_contexts() for a in c.aggregates for cls in event_classes(a)}
# Projections made only of set-based statements (the static universe) are PostgreSQL's to apply;
# the in-memory replay leaves statements out, so it has nothing of theirs to compare.
PROJECTIONS = [p for model in read_models() for p in model.projections if p.handlers]
IDS = st.sampled_from([UUID(int=i) for i in range(1, 4)])
NARROW = {
    "item_id": st.sampled_from(["potion", "gem"]),
    "quest_id": st.sampled_from(["q1", "q2"]),
    "flag": st.sampled_from(["f1", "f2"]),
    "node": st.sampled_from(["n1", "n2"]),
    "quantity": st.integers(1, 2),
    "action_id": IDS,
    "status": st.sampled_from(["connecting", "active", "reconnecting", "terminating"]),
    "progression_version": st.integers(0, 3),
}


@st.composite
def histories(draw: st.DrawFn, projection: Projection) -> list[Event]:
    topics = sorted(t for t in projection.handlers if t in EVENT_CLASSES)
    drawn = draw(st.lists(st.sampled_from(topics), min_size=1, max_size=25))
    events = []
    for position, topic in enumerate(drawn, start=1):
        event = draw(event_strategy(EVENT_CLASSES[topic], fields=NARROW, ids=IDS))
        data = event.model_dump(mode="json")
        events.append(Event(position, event.originator_id, event.originator_version, topic, data))
    return events


@pytest.mark.parametrize("projection", PROJECTIONS, ids=lambda p: p.name)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_projections_tables_do_not_depend_on_where_batches_begin_and_end(projection, data):
    events = data.draw(histories(projection))
    sizes = data.draw(st.lists(st.integers(1, 6), min_size=1, max_size=len(events)))
    all_at_once = engine.replay(projection, events)
    one_at_a_time = engine.replay(projection, events, lambda _: 1)
    in_batches = engine.replay(projection, events, lambda i: sizes[i % len(sizes)])
    assert one_at_a_time == all_at_once
    assert in_batches == all_at_once


def test_an_item_that_reaches_zero_and_comes_back_in_one_batch_is_counted():
    """The batch that stopped the whole read side (issue 11, critical 2)."""
    from domain.narrative.save_slots import SaveSlot
    from projections.narrative.progress import INVENTORY_ITEMS, PROJECTION

    slot = UUID(int=9)

    def item(position: int, change: str, quantity: int) -> Event:
        data = {"item_id": "potion", "quantity": quantity, "metadata": {}, "source": "pickup"}
        data.update({"timestamp": "2026-11-22T10:00:00+00:00"})
        return Event(position, slot, position, getattr(SaveSlot, change).TOPIC, data)

    events = [item(1, "ItemAdded", 1), item(2, "ItemRemoved", 1), item(3, "ItemAdded", 1)]
    tables, failed = engine.replay(PROJECTION, events)
    assert failed == []
    assert [row["quantity"] for row in tables[INVENTORY_ITEMS].values()] == [1]
    assert engine.replay(PROJECTION, events, lambda _: 1) == (tables, failed)
