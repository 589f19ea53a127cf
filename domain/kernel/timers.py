"""Durable timers: game time that passes with nobody connected.

A context declares *policies*: pure functions from one of its events to the
timers it sets or cancels (a session that lost its connection ends when the
reconnect window passes, unless it resumes first). Infrastructure keeps the
timers in PostgreSQL, sets them from the event log exactly once, and fires
each due one by calling the context's *handler*, a use case, exactly as a
client's command would. A handler must be safe to run again (a crash between
firing and forgetting the timer fires it twice) and decide from the state it
loads, since the world may have moved on since the timer was set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class SetTimer:
    """Fire ``kind`` for ``subject`` at ``due`` (replacing a timer of that kind and subject)."""

    kind: str
    subject: UUID
    due: datetime


@dataclass(frozen=True)
class CancelTimer:
    kind: str
    subject: UUID


TimerChange = SetTimer | CancelTimer
Policy = Callable[[Any], Iterable[TimerChange]]  # (a domain event) -> timers to set or cancel
Handler = Callable[[Any, UUID, datetime], object]  # (the context's use cases, subject, due)


def combined(*policy_sets: Callable[[Any], Mapping[str, Policy]]) -> Callable[[Any], Mapping[str, Policy]]:
    """One context's policies from several sets (achievements and quests both
    react to a craft): for each topic, every set's timers, in the order given."""

    def policies(settings: Any) -> Mapping[str, Policy]:
        maps = [make(settings) for make in policy_sets]
        topics = dict.fromkeys(topic for policy_map in maps for topic in policy_map)
        return {topic: _all([m[topic] for m in maps if topic in m]) for topic in topics}

    return policies


def _all(policies: list[Policy]) -> Policy:
    if len(policies) == 1:
        return policies[0]
    return lambda event: [change for policy in policies for change in policy(event)]
