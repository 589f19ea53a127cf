"""Achievements (seed 002's ``achievements``): rules over a character's
state, unlocked exactly once per player.

A policy (``policies``) reacts, in store order, to the events that can
unlock one (a craft, experience, a relationship's new value) by setting a
durable timer due at once for that character (``kernel/timers``: set from the
log exactly once); its handler (``AdventureUseCases.check_achievements``)
loads the character and unlocks, in the player's ``Achievements`` aggregate,
every rule that now holds and was not unlocked before. However often an
event is replayed or a timer fires, an achievement is unlocked once: the
aggregate records each name once, and its (id, version) key settles a race.

Rules read what a character has done and its *records* (the highest a
measure ever reached: a failing streak, friends at once, enmity), never a
passing state, so a check that runs after later events still sees what an
earlier one achieved. Hidden achievements are not listed until unlocked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.adventure.characters import FRIEND_VALUE, Adventurer
from domain.kernel.aggregate import Aggregate
from domain.kernel.timers import Policy, SetTimer, TimerChange

ACHIEVEMENT_CHECK = "adventure.achievement_check"
FRIENDS_NEEDED = 10


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    points: int
    hidden: bool
    holds: Callable[[Adventurer], dict[str, Any] | None]  # the unlock data, or None


RULES = (
    Rule(
        "first_craft",
        "Craft something for the first time",
        10,
        False,
        lambda c: {"crafts": c.crafts["succeeded"]} if c.crafts["succeeded"] >= 1 else None,
    ),
    Rule(
        "master_crafter",
        "Craft successfully ten times",
        25,
        False,
        lambda c: {"crafts": c.crafts["succeeded"]} if c.crafts["succeeded"] >= 10 else None,
    ),
    Rule("level_10", "Reach level 10", 50, False, lambda c: {"level": c.level} if c.level >= 10 else None),
    Rule(
        "beloved",
        f"Have {FRIENDS_NEEDED} relationships above {FRIEND_VALUE} at once",
        100,
        False,
        lambda c: {"friends": c.records["friends"]} if c.records["friends"] >= FRIENDS_NEEDED else None,
    ),
    Rule(
        "unlucky",
        "Fail three crafts in a row",
        5,
        True,
        lambda c: {"streak": c.records["failing_streak"]} if c.records["failing_streak"] >= 3 else None,
    ),
    Rule(
        "sworn_enemy",
        "Make someone hate you as much as anyone can",
        15,
        True,
        lambda c: {"value": -c.records["enmity"]} if c.records["enmity"] >= 100 else None,
    ),
)
BY_NAME = {rule.name: rule for rule in RULES}


def meets_any(character: Adventurer) -> bool:
    """True if the character meets a rule at all: only then can a check
    unlock anything, so only then is the player's record worth reading."""
    return any(rule.holds(character) is not None for rule in RULES)


def achievements_id(player_id: UUID) -> UUID:
    return uuid5(NAMESPACE_URL, f"lorekeeper:/adventure/achievements/{player_id}")


class Achievements(Aggregate):
    """The achievements one player has unlocked."""

    TOPIC = "lorekeeper.achievements"
    snapshot_types: ClassVar[dict[str, object]] = {"owner": UUID}
    SHALLOW: ClassVar[frozenset[str]] = frozenset({"unlocked"})  # names to points, inserted only

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.achievements.Created"
        owner: UUID

    class Unlocked(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.achievements.Unlocked"
        owner: UUID  # the player's, for the read side
        achievement_name: str
        description: str
        points: int
        hidden: bool
        unlock_data: dict[str, Any]

        def apply(self, achievements: Achievements) -> None:
            achievements.unlocked[self.achievement_name] = self.points

    def __init__(self, owner: UUID) -> None:
        self.owner = owner
        self.unlocked: dict[str, int] = {}

    @staticmethod
    def create_id(owner: UUID, **_: object) -> UUID:
        return achievements_id(owner)

    @property
    def owner_id(self) -> UUID:
        return self.owner

    def check(self, character: Adventurer) -> None:
        """Unlock every rule ``character`` now meets that this player has not unlocked."""
        for rule in RULES:
            if rule.name in self.unlocked:
                continue
            data = rule.holds(character)
            if data is not None:
                self.trigger_event(
                    self.Unlocked,
                    owner=self.owner,
                    achievement_name=rule.name,
                    description=rule.description,
                    points=rule.points,
                    hidden=rule.hidden,
                    unlock_data={**data, "character_id": str(character.id)},
                )


def policies(_: Any) -> Mapping[str, Policy]:
    def check(event: Any) -> Iterable[TimerChange]:
        return [SetTimer(ACHIEVEMENT_CHECK, event.originator_id, event.timestamp)]

    return {
        topic: check
        for topic in (
            Adventurer.CraftAttempted.TOPIC,
            Adventurer.ExperienceGained.TOPIC,
            Adventurer.RelationshipNoted.TOPIC,
        )
    }
