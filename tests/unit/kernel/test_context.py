"""A context's declaration refuses what would half-register it."""

from __future__ import annotations

import pytest

from domain.kernel.context import DomainContext
from domain.live import Character, PlayerSession
from domain.narrative.save_slots import SaveSlot


def declare(**overrides) -> DomainContext:
    return DomainContext(
        **{"name": "live", "aggregates": (Character, PlayerSession), "use_cases": lambda store, settings: None}
        | overrides
    )


def test_a_context_declares_no_policies_or_timers_unless_it_says_so():
    context = declare()
    assert context.policies(object()) == {}
    assert context.timers == {}
    assert context.snapshot_intervals == {}


def test_snapshot_intervals_may_only_name_the_contexts_own_aggregates():
    assert declare(snapshot_intervals={Character: 10}).snapshot_intervals == {Character: 10}
    with pytest.raises(ValueError, match=r"live: snapshot intervals for undeclared aggregates \{<class"):
        declare(snapshot_intervals={SaveSlot: 10})


def test_timer_kinds_are_named_after_the_context():
    assert list(declare(timers={"live.expiry": lambda subject: None}).timers) == ["live.expiry"]
    named = r"live: timer kinds are its own timers, named <context>\.<what>, not \['expiry'\]"
    with pytest.raises(ValueError, match=named):
        declare(timers={"expiry": lambda subject: None})
    with pytest.raises(ValueError, match="not"):
        declare(timers={"lives.expiry": lambda subject: None})


def test_an_ai_turn_is_one_of_the_contexts_own_timers():
    handler = lambda subject: None  # noqa: E731
    assert declare(timers={"live.turn": handler}, ai_turns=frozenset({"live.turn"})).ai_turns == {"live.turn"}
    with pytest.raises(ValueError, match=r"not \['live.other'\]"):
        declare(timers={"live.turn": handler}, ai_turns=frozenset({"live.other"}))
