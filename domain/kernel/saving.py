"""What a save is made of: collecting the pending events of the aggregates a
command touched, the bound on one save, the recordings a save returns, and
which aggregates it brought to a snapshot."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.application import ProcessingEvent
from eventsourcing.persistence import Notification, Recording, StoredEvent

from domain.kernel.aggregate import Aggregate
from domain.kernel.errors import TooManyEvents

# The eventsourcing 9.5.6 PostgreSQL recorder was seen to hang on a single save of
# ~4,000 events. No use case needs more than a handful, so a save is bounded;
# work on more (erasure of a large account) is written in chunks within it.
MAX_EVENTS_PER_SAVE = 500


def collect(objs: Sequence[Any]) -> ProcessingEvent[UUID]:
    """eventsourcing's ``ProcessingEvent.collect_events``, without its runtime
    ``Protocol`` isinstance check per object: that check alone was an eighth of
    the API process's CPU per live action."""
    processing = ProcessingEvent[UUID]()
    for obj in objs:
        if isinstance(obj, Aggregate):
            processing.events.extend(obj.collect_events())
            processing.aggregates[obj.id] = obj
        elif obj is not None:
            processing.collect_events(obj)
    return processing


def check_bound(aggregates: Sequence[Aggregate]) -> None:
    pending = sum(len(a.pending_events) for a in aggregates)
    if pending > MAX_EVENTS_PER_SAVE:
        raise TooManyEvents(
            f"one save may write at most {MAX_EVENTS_PER_SAVE} events, not {pending}", limit=MAX_EVENTS_PER_SAVE
        )


def recordings_of(
    events: Sequence[Any], stored: Sequence[StoredEvent], ids: Sequence[int] | None
) -> list[Recording[UUID]]:
    """The recordings of a save that inserted ``stored`` and was given notification
    ``ids`` (one per event; none from a recorder that gives none)."""
    if ids is None:
        return []
    return [
        Recording(
            d,
            Notification(
                originator_id=s.originator_id,
                originator_version=s.originator_version,
                topic=s.topic,
                state=s.state,
                id=n,
            ),
        )
        for d, s, n in zip(events, stored, ids, strict=True)
    ]


def snapshots_due(processing: ProcessingEvent[UUID], intervals: Mapping[Any, int]) -> set[UUID]:
    """The aggregates of a write that reached a multiple of their snapshot interval."""
    aggregates: dict[UUID, Any] = dict(processing.aggregates)
    return {
        e.originator_id
        for e in processing.events
        if (i := intervals.get(type(aggregates.get(e.originator_id)))) and e.originator_version % i == 0
    }
