"""When a hero's turn comes, and what the world adds to it: the timer the
heroes' decisions set (``HERO_TURN``, its ``policies``) and the score changes
of the world events active at a game minute (``effects_at``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.kernel.timers import CancelTimer, Policy, SetTimer, TimerChange
from domain.tycoon.heroes import Hero
from domain.tycoon.worlds import EVENT_EFFECTS, TycoonWorld

HERO_TURN = "tycoon.hero_turn"


def effects_at(world: TycoonWorld) -> Callable[[int], dict[str, int]]:
    """The score changes of the world events active at a game minute."""
    windows = list(world.events)

    def at(minute: int) -> dict[str, int]:
        total: dict[str, int] = {}
        for window in windows:
            if window["starts"] <= minute < window["ends"]:
                for action, change in EVENT_EFFECTS[window["event_type"]].items():
                    total[action] = total.get(action, 0) + change
        return total

    return at


def policies(_: Any) -> dict[str, Policy]:
    """A hero's timer follows what they are doing: due when the action ends."""

    def decided(event: Any) -> list[TimerChange]:
        if event.ends_at is None:
            return [CancelTimer(HERO_TURN, event.originator_id)]
        return [SetTimer(HERO_TURN, event.originator_id, event.ends_at)]

    def arrived(event: Any) -> list[TimerChange]:
        return [SetTimer(HERO_TURN, event.originator_id, event.timestamp)]

    return {Hero.Decided.TOPIC: decided, Hero.Created.TOPIC: arrived}
