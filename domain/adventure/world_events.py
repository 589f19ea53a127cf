"""World events (seed 002's ``world_events``): seasons, festivals, storms,
invasions: a time window in a world, with **effects** the game reads while
it is active.

An event has a type, a name, a description, a window (``start_time`` to
``end_time``), optionally a period (``every_seconds``: a season that comes
back), who set it off (an admin, a player's character, an agent), and
effects (``event_data.effects``):

    {"craft_odds": 0.1, "recipe_types": ["smithing"]}   crafts of those types (all, if none named)
                                                         succeed more (or less) often: -0.5..0.5
    {"quest_experience": 1.5}                            quests completed meanwhile give x0.5..3 experience

``is_active`` flips on time: durable timers start and end each window, and
each start and end is written with the world's list of active events in
one write, so what a craft or a quest reads is always whole. A periodic
event, once ended, is scheduled again one period later.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, ClassVar
from uuid import UUID, uuid4, uuid5

from domain.adventure.skills import SKILL_TREE
from domain.adventure.stories import TEXT_MAX, TITLE_MAX
from domain.kernel.aggregate import Aggregate
from domain.kernel.errors import Conflict, InvalidCommand
from domain.kernel.text import clean_display_name
from domain.kernel.timers import Policy, SetTimer, TimerChange

EVENT_TYPES = ("season", "festival", "storm", "invasion", "market", "player", "agent")
TRIGGERS = ("admin", "player", "agent")
WINDOW_MAX = timedelta(days=90)
PLAYER_WINDOW_MAX = timedelta(hours=1)
PERIOD_MIN = timedelta(minutes=1)
CRAFT_ODDS_MAX = 0.5
QUEST_EXPERIENCE_MIN, QUEST_EXPERIENCE_MAX = 0.5, 3.0
SCHEDULED, ACTIVE, ENDED, CANCELLED = "scheduled", "active", "ended", "cancelled"
WORLD_EVENT_START = "adventure.world_event_start"
WORLD_EVENT_END = "adventure.world_event_end"


class InvalidWorldEvent(InvalidCommand):
    code = "invalid_world_event"


class WorldEventRefused(Conflict):
    code = "world_event_refused"


def event_made_by(origin: UUID) -> UUID:
    return uuid5(origin, "world-event")


def check_effects(effects: Any) -> dict[str, Any]:
    """Effects as stored, or InvalidWorldEvent saying what is wrong."""
    if not isinstance(effects, dict) or set(effects) - {"craft_odds", "recipe_types", "quest_experience"}:
        raise InvalidWorldEvent("effects is an object of craft_odds, recipe_types, quest_experience")
    odds = effects.get("craft_odds", 0)
    if not (type(odds) in (int, float) and -CRAFT_ODDS_MAX <= odds <= CRAFT_ODDS_MAX):
        raise InvalidWorldEvent(f"effects.craft_odds is -{CRAFT_ODDS_MAX} to {CRAFT_ODDS_MAX}")
    types = effects.get("recipe_types", [])
    if not (isinstance(types, list) and all(t in SKILL_TREE for t in types)):
        raise InvalidWorldEvent("effects.recipe_types names recipe types (skills)", skills=sorted(SKILL_TREE))
    multiplier = effects.get("quest_experience", 1)
    if not (type(multiplier) in (int, float) and QUEST_EXPERIENCE_MIN <= multiplier <= QUEST_EXPERIENCE_MAX):
        raise InvalidWorldEvent(f"effects.quest_experience is {QUEST_EXPERIENCE_MIN} to {QUEST_EXPERIENCE_MAX}")
    return dict(effects)


def craft_bonus(active: Mapping[str, Mapping[str, Any]], recipe_type: str) -> float:
    """What the world's active events add to a craft's odds."""
    return sum(
        float(e.get("craft_odds", 0))
        for e in active.values()
        if recipe_type in e.get("recipe_types", ()) or not e.get("recipe_types")
    )


def quest_experience(active: Mapping[str, Mapping[str, Any]]) -> float:
    """What the world's active events multiply a completed quest's experience by."""
    product = 1.0
    for effects in active.values():
        product *= effects.get("quest_experience", 1)
    return product


class WorldEvent(Aggregate):
    TOPIC = "lorekeeper.world_event"
    snapshot_types: ClassVar[dict[str, object]] = {
        "world_id": UUID,
        "start_time": datetime,
        "end_time": datetime,
        "triggered_by": UUID | None,
    }

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.world_event.Created"
        world_id: UUID
        event_type: str
        event_name: str
        description: str
        effects: dict[str, Any]
        start_time: datetime
        end_time: datetime
        every_seconds: int | None
        trigger: str
        triggered_by: UUID | None

    class Started(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.world_event.Started"
        end_time: datetime  # when this window closes (its timer's due)

        def apply(self, happening: WorldEvent) -> None:
            happening.status = ACTIVE

    class Ended(Aggregate.Event):
        """The window closed (``cancelled``: an admin ended it early, or before it began)."""

        TOPIC: ClassVar[str] = "lorekeeper.world_event.Ended"
        cancelled: bool

        def apply(self, happening: WorldEvent) -> None:
            happening.status = CANCELLED if self.cancelled else ENDED

    class Rescheduled(Aggregate.Event):
        """A periodic event's next window."""

        TOPIC: ClassVar[str] = "lorekeeper.world_event.Rescheduled"
        start_time: datetime
        end_time: datetime

        def apply(self, happening: WorldEvent) -> None:
            happening.start_time, happening.end_time = self.start_time, self.end_time
            happening.status = SCHEDULED

    @staticmethod
    def create_id(trigger: str = "admin", triggered_by: UUID | None = None, **_: object) -> UUID:
        """An agent's event is named by its evolution entry (``triggered_by``):
        scheduling it again finds it."""
        return event_made_by(triggered_by) if trigger == "agent" and triggered_by is not None else uuid4()

    def __init__(
        self,
        world_id: UUID,
        event_type: str,
        event_name: str,
        description: str,
        effects: dict[str, Any],
        start_time: datetime,
        end_time: datetime,
        every_seconds: int | None,
        trigger: str,
        triggered_by: UUID | None,
    ) -> None:
        self.world_id = world_id
        self.event_type = event_type
        self.event_name = event_name
        self.description = description
        self.effects = effects
        self.start_time = start_time
        self.end_time = end_time
        self.every_seconds = every_seconds
        self.trigger = trigger
        self.triggered_by = triggered_by
        self.status = SCHEDULED

    @classmethod
    def create(
        cls,
        world_id: UUID,
        event_type: str,
        event_name: str,
        description: str,
        effects: dict[str, Any],
        start_time: datetime,
        end_time: datetime,
        every_seconds: int | None = None,
        trigger: str = "admin",
        triggered_by: UUID | None = None,
    ) -> WorldEvent:
        if event_type not in EVENT_TYPES:
            raise InvalidWorldEvent(f"{event_type!r} is not an event type", event_types=list(EVENT_TYPES))
        if trigger not in TRIGGERS:
            raise InvalidWorldEvent(f"{trigger!r} is not a trigger", triggers=list(TRIGGERS))
        if not isinstance(description, str) or len(description) > TEXT_MAX:
            raise InvalidWorldEvent(f"description is a text of at most {TEXT_MAX} characters")
        window = end_time - start_time
        if not timedelta(0) < window <= (PLAYER_WINDOW_MAX if trigger == "player" else WINDOW_MAX):
            longest = "an hour" if trigger == "player" else "90 days"
            raise InvalidWorldEvent(f"an event ends after it starts, at most {longest} later")
        if every_seconds is not None and not (
            type(every_seconds) is int
            and window <= timedelta(seconds=every_seconds) <= 366 * timedelta(days=1)
            and timedelta(seconds=every_seconds) >= PERIOD_MIN
        ):
            raise InvalidWorldEvent("every_seconds is at least the window and a minute, at most a year")
        if trigger == "player" and (effects or every_seconds is not None or event_type != "player"):
            raise InvalidWorldEvent("a player's event is of type player, has no effects and does not come back")
        return cls(
            world_id=world_id,
            event_type=event_type,
            event_name=clean_display_name(event_name, TITLE_MAX),
            description=description,
            effects=check_effects(effects),
            start_time=start_time,
            end_time=end_time,
            every_seconds=every_seconds,
            trigger=trigger,
            triggered_by=triggered_by,
        )

    def start(self, now: datetime) -> bool:
        """Begin the window if it is due (and not begun, ended or cancelled)."""
        if self.status != SCHEDULED or now < self.start_time:
            return False
        self.trigger_event(self.Started, end_time=self.end_time)
        return True

    def end(self, now: datetime, cancel: bool = False) -> bool:
        """Close the window if it is over (or cancel it now); a periodic one comes back."""
        if self.status in (ENDED, CANCELLED) or (not cancel and (self.status != ACTIVE or now < self.end_time)):
            return False
        self.trigger_event(self.Ended, cancelled=cancel)
        if self.every_seconds is not None and not cancel:
            period = timedelta(seconds=self.every_seconds)
            start, end = self.start_time + period, self.end_time + period
            while end <= now:  # windows missed while nothing ran are skipped, not replayed
                start, end = start + period, end + period
            self.trigger_event(self.Rescheduled, start_time=start, end_time=end)
        return True

    def check_cancellable(self) -> None:
        if self.status in (ENDED, CANCELLED):
            raise WorldEventRefused(f"the event {self.event_name!r} has {self.status}", event_status=self.status)


def policies(_: Any) -> Mapping[str, Policy]:
    """Each window's start and end are timers (domain/kernel/timers.py)."""

    def start(event: Any) -> Iterable[TimerChange]:
        return [SetTimer(WORLD_EVENT_START, event.originator_id, event.start_time)]

    def end(event: Any) -> Iterable[TimerChange]:
        return [SetTimer(WORLD_EVENT_END, event.originator_id, event.end_time)]

    return {
        WorldEvent.Created.TOPIC: start,
        WorldEvent.Rescheduled.TOPIC: start,
        WorldEvent.Started.TOPIC: end,
    }
