"""Helpers shared by the aggregate state machines."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from domain.kernel.aggregate import Snapshot
from domain.kernel.errors import DomainError
from infra.crypto import MemoryKeys
from infra.persistence import OrjsonTranscoder, PydanticMapper

MAPPER = PydanticMapper(transcoder=OrjsonTranscoder())
MAPPER.keys = MemoryKeys()


def through_store(event: Any) -> Any:
    """The event as it comes back after being stored (mapper round trip)."""
    return MAPPER.to_domain_event(MAPPER.to_stored_event(event))


def replay(events: list[Any]) -> Any:
    aggregate = None
    for event in events:
        aggregate = through_store(event).mutate(aggregate)
    return aggregate


def restore_snapshot(aggregate: Any) -> Any:
    return through_store(Snapshot.take(aggregate)).mutate(None)


def attempt(aggregate: Any, command: Callable[[], None]) -> bool:
    """Run a command. A refusal (a domain error) must leave the aggregate
    exactly as it was, events included; a command that changes no state (a
    repeat, a no-op) must record no event."""
    before = copy.deepcopy(vars(aggregate))
    state_before = copy.deepcopy(aggregate.state())
    pending_before = len(aggregate.pending_events)
    try:
        command()
    except DomainError:
        assert vars(aggregate) == before, "a refused command changed the aggregate"
        return False
    if aggregate.state() == state_before:
        recorded = aggregate.pending_events[pending_before:]
        assert not recorded, f"a command that changed nothing recorded {[type(e).__name__ for e in recorded]}"
    return True


class RecordingMachineMixin:
    """Collects every event an aggregate emits, for replay checks."""

    recorded: list[Any]

    def collect(self, aggregate: Any) -> None:
        events = aggregate.collect_events()
        for event in events:  # events built without validation (trigger_trusted) too
            assert type(event).model_validate(event.model_dump()) == event, f"{event!r} does not validate as itself"
        self.recorded.extend(events)

    def check_replay(self, aggregate: Any) -> None:
        self.collect(aggregate)
        replayed = replay(self.recorded)
        assert replayed == aggregate, f"replay differs:\n{replayed!r}\n!=\n{aggregate!r}"
        assert restore_snapshot(aggregate) == aggregate
