"""Quests a player posts in a world and assigns heroes to (seed 003's
``quests`` and ``quest_assignments``).

A quest has a difficulty (1..10), a length in game minutes and rewards
(gold, experience, items). The player assigns up to ``PARTY_MAX`` heroes;
each accepts or refuses (``Hero.answer_quest``), and one who accepts sets
out at their next decision. How it ends is decided when it ends, from the
hero's traits, level, energy and the party's size (``decisions.outcome``).
The quest is ``in_progress`` once someone accepted, ``completed`` when every
hero who accepted is back and one of them succeeded, ``failed`` when all
came back beaten. A hero is assigned to a quest once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from domain.kernel import values
from domain.kernel.aggregate import Aggregate
from domain.kernel.errors import Conflict, InvalidCommand
from domain.kernel.text import clean_display_name

TITLE_MAX = 100
DESCRIPTION_MAX = 1_000
DIFFICULTY_MIN, DIFFICULTY_MAX = 1, 10
MINUTES_MIN, MINUTES_MAX = 30, 7 * 24 * 60
PARTY_MAX = 4
GOLD_MAX = EXPERIENCE_MAX = 10_000
ITEMS_MAX = 10
GUILD_SHARE = 0.2  # of a successful quest's gold, to the guild (with reputation)


class InvalidQuest(InvalidCommand):
    code = "invalid_quest"


class AlreadyAssigned(Conflict):
    code = "already_assigned"


class QuestClosed(Conflict):
    code = "quest_closed"


def checked_rewards(rewards: Any) -> dict[str, Any]:
    if not isinstance(rewards, dict) or not set(rewards) <= {"gold", "experience", "items"}:
        raise InvalidQuest("rewards is an object of gold, experience and items")
    gold, experience, items = rewards.get("gold", 0), rewards.get("experience", 0), rewards.get("items", {})
    for name, value, top in (("gold", gold, GOLD_MAX), ("experience", experience, EXPERIENCE_MAX)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
            raise InvalidQuest(f"rewards.{name} is a whole number 0..{top}")
    if not isinstance(items, dict) or len(items) > ITEMS_MAX:
        raise InvalidQuest(f"rewards.items maps at most {ITEMS_MAX} item names to counts")
    for name, n in items.items():
        if (
            not 1 <= len(name) <= 64
            or values.problem(name)
            or isinstance(n, bool)
            or not isinstance(n, int)
            or not 1 <= n <= 100
        ):
            raise InvalidQuest("an item reward is a name (1..64 characters) and a count 1..100")
    return {"gold": gold, "experience": experience, "items": dict(items)}


class Quest(Aggregate):
    TOPIC = "lorekeeper.tycoon_quest"
    snapshot_types: ClassVar[dict[str, object]] = {"world_id": UUID, "owner": UUID}
    SHALLOW: ClassVar[frozenset[str]] = frozenset({"assignments"})

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.tycoon_quest.Created"
        world_id: UUID
        owner: UUID
        title: str
        description: str
        difficulty: int
        duration_minutes: int
        rewards: dict[str, Any]

    class Assigned(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.tycoon_quest.Assigned"
        hero_id: UUID
        accepted: bool
        reason: str
        status: str

        def apply(self, quest: Quest) -> None:
            quest.assignments[str(self.hero_id)] = "accepted" if self.accepted else "refused"
            quest.status = self.status

    class Started(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.tycoon_quest.Started"
        hero_id: UUID
        started_at: datetime

        def apply(self, quest: Quest) -> None:
            quest.assignments[str(self.hero_id)] = "started"

    class Finished(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.tycoon_quest.Finished"
        hero_id: UUID
        success: bool
        outcome: dict[str, Any]
        completed_at: datetime
        status: str

        def apply(self, quest: Quest) -> None:
            quest.assignments[str(self.hero_id)] = "succeeded" if self.success else "failed"
            quest.status = self.status

    def __init__(
        self,
        world_id: UUID,
        owner: UUID,
        title: str,
        description: str,
        difficulty: int,
        duration_minutes: int,
        rewards: dict[str, Any],
    ) -> None:
        self.world_id = world_id
        self.owner = owner
        self.title = title
        self.description = description
        self.difficulty = difficulty
        self.duration_minutes = duration_minutes
        self.rewards = rewards
        self.status = "open"
        self.assignments: dict[str, str] = {}  # hero id -> accepted, refused, started, succeeded, failed

    @property
    def owner_id(self) -> UUID:
        return self.owner

    @classmethod
    def post(
        cls,
        world_id: UUID,
        owner: UUID,
        title: str,
        description: str,
        difficulty: int,
        duration_minutes: int,
        rewards: Any,
    ) -> Quest:
        title = clean_display_name(title, TITLE_MAX)
        if len(description) > DESCRIPTION_MAX or values.problem(description):
            raise InvalidQuest(f"a description is at most {DESCRIPTION_MAX} characters")
        if isinstance(difficulty, bool) or not DIFFICULTY_MIN <= difficulty <= DIFFICULTY_MAX:
            raise InvalidQuest(f"difficulty is {DIFFICULTY_MIN}..{DIFFICULTY_MAX}")
        if isinstance(duration_minutes, bool) or not MINUTES_MIN <= duration_minutes <= MINUTES_MAX:
            raise InvalidQuest(f"duration_minutes is {MINUTES_MIN}..{MINUTES_MAX} game minutes")
        return cls(
            world_id=world_id,
            owner=owner,
            title=title,
            description=description,
            difficulty=difficulty,
            duration_minutes=duration_minutes,
            rewards=checked_rewards(rewards),
        )

    def terms(self, party: int) -> dict[str, Any]:
        """What a hero is asked to take on (what ``Hero.answer_quest`` weighs)."""
        return {
            "quest_id": str(self.id),
            "title": self.title,
            "difficulty": self.difficulty,
            "duration_minutes": self.duration_minutes,
            "rewards": self.rewards,
            "party": party,
        }

    def check_assignable(self, hero_ids: list[UUID]) -> None:
        if self.status in ("completed", "failed"):
            raise QuestClosed(f"the quest is {self.status}", status=self.status)
        if not 1 <= len(hero_ids) <= PARTY_MAX or len(set(hero_ids)) != len(hero_ids):
            raise InvalidQuest(f"assign 1..{PARTY_MAX} different heroes")
        twice = [str(h) for h in hero_ids if str(h) in self.assignments]
        if twice:
            raise AlreadyAssigned("a hero is assigned to a quest once", hero_ids=twice)
        if sum(1 for s in self.assignments.values() if s != "refused") + len(hero_ids) > PARTY_MAX:
            raise InvalidQuest(f"a quest's party has at most {PARTY_MAX} heroes")

    def assign(self, hero_id: UUID, accepted: bool, reason: str) -> None:
        status = "in_progress" if accepted or self.status == "in_progress" else self.status
        self.trigger_event(self.Assigned, hero_id=hero_id, accepted=accepted, reason=reason, status=status)

    def start(self, hero_id: UUID, at: datetime) -> None:
        self.trigger_event(self.Started, hero_id=hero_id, started_at=at)

    def finish(self, hero_id: UUID, success: bool, outcome: dict[str, Any], at: datetime) -> None:
        states = {**self.assignments, str(hero_id): "succeeded" if success else "failed"}
        out = [s for s in states.values() if s != "refused"]
        status = self.status
        if all(s in ("succeeded", "failed") for s in out):
            status = "completed" if "succeeded" in out else "failed"
        self.trigger_event(
            self.Finished, hero_id=hero_id, success=success, outcome=outcome, completed_at=at, status=status
        )
