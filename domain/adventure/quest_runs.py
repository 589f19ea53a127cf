"""A party's run of a quest (seed 002's ``quest_progress``; the quest itself is
``quests``'). A ``QuestProgress`` is one party's run (a party of one is a
character alone): who is in it, how far each objective has come, and, per
member, the last of its events counted (``seen``), so counting
(``quest_counting``) is exactly once however often it runs. **Difficulty
scales** to the leader's level when it begins: ``scale = 1 + (level -
difficulty_level) / 10``, within 0.5..2, multiplies every count and the
experience reward. Completion, with every member's rewards, is one write; an
expired run records that it expired.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.adventure.quests import Quest, QuestRefused
from domain.kernel.aggregate import Aggregate

SCALE_MIN, SCALE_MAX, SCALE_PER_LEVEL = 0.5, 2.0, 0.1
ACTIVE, COMPLETED, EXPIRED, ABANDONED = "active", "completed", "expired", "abandoned"


def progress_id(quest_id: UUID, leader_id: UUID) -> UUID:
    """A run of a quest: one per quest and character that began it."""
    return uuid5(NAMESPACE_URL, f"lorekeeper:/adventure/quest-progress/{quest_id}/{leader_id}")


def scale_for(level: int, difficulty_level: int) -> float:
    return round(min(SCALE_MAX, max(SCALE_MIN, 1 + (level - difficulty_level) * SCALE_PER_LEVEL)), 2)


class QuestProgress(Aggregate):
    """One party's run of a quest (seed 002's ``quest_progress``, a row per member)."""

    TOPIC = "lorekeeper.quest_progress"
    snapshot_types: ClassVar[dict[str, object]] = {
        "quest_id": UUID,
        "world_id": UUID,
        "leader_id": UUID,
        "expires_at": datetime | None,
        "ended_at": datetime | None,
    }

    class Created(Aggregate.Created):
        """A run begun by its leader (``seen``: the leader's version then)."""

        TOPIC: ClassVar[str] = "lorekeeper.quest_progress.Created"
        quest_id: UUID
        world_id: UUID
        leader_id: UUID
        scale: float
        targets: list[int]  # each objective's count, scaled
        seen: int  # the leader's version when it began
        expires_at: datetime | None

    class Joined(Aggregate.Event):
        """A member joined the party; with the run as it stands (what its row shows)."""

        TOPIC: ClassVar[str] = "lorekeeper.quest_progress.Joined"
        character_id: UUID
        seen: int
        quest_id: UUID
        leader_id: UUID
        scale: float
        targets: list[int]
        counts: list[int]
        current: int

        def apply(self, run: QuestProgress) -> None:
            run.members = {**run.members, str(self.character_id): self.seen}

    class Advanced(Aggregate.Event):
        """A member's events counted, up to its version ``seen``: the party's
        counts after, and the objectives (by order) this finished."""

        TOPIC: ClassVar[str] = "lorekeeper.quest_progress.Advanced"
        character_id: UUID
        seen: int
        quest_id: UUID
        counts: list[int]
        current: int  # the objective now under way (== len(targets): all done)
        completed: list[int]

        def apply(self, run: QuestProgress) -> None:
            run.members = {**run.members, str(self.character_id): self.seen}
            run.counts, run.current = self.counts, self.current

    class Ended(Aggregate.Event):
        """Completed (with every member's rewards, granted in the same write), expired or abandoned."""

        TOPIC: ClassVar[str] = "lorekeeper.quest_progress.Ended"
        status: str
        rewards_earned: dict[str, Any]

        def apply(self, run: QuestProgress) -> None:
            run.status, run.rewards_earned = self.status, self.rewards_earned
            run.ended_at = self.timestamp

    def __init__(
        self,
        quest_id: UUID,
        world_id: UUID,
        leader_id: UUID,
        scale: float,
        targets: list[int],
        seen: int,
        expires_at: datetime | None,
    ) -> None:
        self.quest_id = quest_id
        self.world_id = world_id
        self.leader_id = leader_id
        self.scale = scale
        self.targets = targets
        self.expires_at = expires_at
        self.members = {str(leader_id): seen}  # character id -> the last of its versions counted
        self.counts = [0] * len(targets)
        self.current = 0
        self.status = ACTIVE
        self.rewards_earned: dict[str, Any] = {}
        self.ended_at: datetime | None = None

    @staticmethod
    def create_id(quest_id: UUID, leader_id: UUID, **_: object) -> UUID:
        return progress_id(quest_id, leader_id)

    @classmethod
    def begin(cls, quest: Quest, leader: Any) -> QuestProgress:
        scale = scale_for(leader.level, quest.difficulty_level)
        targets = [
            o["requirements"]["level"]
            if o["requirements"]["kind"] == "reach_level"
            else max(1, round(o["requirements"].get("count", 1) * scale))
            if o["requirements"]["kind"] in ("gather", "craft", "build")
            else 1
            for o in quest.objectives
        ]
        return cls(
            quest_id=quest.id,
            world_id=quest.world_id,
            leader_id=leader.id,
            scale=scale,
            targets=targets,
            seen=leader.version,
            expires_at=quest.expires_at,
        )

    @property
    def done(self) -> bool:
        return self.current >= len(self.targets)

    def check_active(self) -> None:
        if self.status != ACTIVE:
            raise QuestRefused(f"the run of this quest has {self.status}", run_status=self.status)

    def join(self, character: Any, party_max: int) -> None:
        self.check_active()
        if str(character.id) in self.members:
            raise QuestRefused("the character is in this party already")
        if len(self.members) >= party_max:
            raise QuestRefused(f"the party is full ({party_max})", party_max=party_max)
        self.trigger_event(
            self.Joined,
            character_id=character.id,
            seen=character.version,
            quest_id=self.quest_id,
            leader_id=self.leader_id,
            scale=self.scale,
            targets=self.targets,
            counts=self.counts,
            current=self.current,
        )

    def advance(self, character_id: UUID, seen: int, counts: list[int], current: int) -> None:
        if seen != self.members[str(character_id)] or (counts, current) != (self.counts, self.current):
            self.trigger_event(
                self.Advanced,
                character_id=character_id,
                seen=seen,
                quest_id=self.quest_id,
                counts=counts,
                current=current,
                completed=list(range(self.current, current)),
            )

    def end(self, status: str, rewards_earned: dict[str, Any] | None = None) -> None:
        self.check_active()
        self.trigger_event(self.Ended, status=status, rewards_earned=rewards_earned or {})
