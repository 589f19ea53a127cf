"""Quests (seed 002's ``quests``, ``quest_objectives``, ``quest_progress``):
multi-objective quests a character, or a party of characters, takes on.

A ``Quest`` belongs to a world: a title, a ``quest_type``, ``requirements``
(a condition of the rule language, ``rules``: who may take it on),
``rewards`` (consequences: experience, stats, items, flags, the world's
flags), a ``difficulty_level``, a party size, and an optional
``expires_at``. Its **objectives** are done in order; each says what the
game must see happen (never a client saying "done"):

    {"kind": "gather", "item_name": "log", "count": 10}        items found (loot, gathering)
    {"kind": "craft", "recipe_name": "Planks", "count": 2}     successful crafts of a recipe
    {"kind": "build", "count": 50}                             blocks placed in chunks
    {"kind": "reach_branch", "branch_id": "<id>"}              a story branch chosen
    {"kind": "reach_level", "level": 5}                        a level reached

and may carry ``"unlock"``, a condition that must hold of the character
before anything counts toward it.

A party's run of a quest is ``quest_runs``' ``QuestProgress``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID, uuid5

from domain.adventure.rules import check_condition, check_consequences
from domain.adventure.skills import LEVEL_MAX
from domain.adventure.stories import TEXT_MAX, TITLE_MAX
from domain.kernel.aggregate import Aggregate
from domain.kernel.errors import Conflict, InvalidCommand
from domain.kernel.text import clean_display_name

QUEST_TYPES = ("main", "side", "daily", "party", "event")
OBJECTIVE_KINDS = ("gather", "craft", "build", "reach_branch", "reach_level")
OBJECTIVES_MAX = 10
COUNT_MAX = 10_000
PARTY_MAX = 5
REWARDS = ("experience", "stats", "items", "flags", "world_flags")


class InvalidQuest(InvalidCommand):
    code = "invalid_quest"


class QuestClosed(Conflict):
    code = "quest_closed"


class QuestRefused(Conflict):
    code = "quest_refused"


def quest_made_by(origin: UUID) -> UUID:
    """The quest an agent's evolution entry posts (one per entry: posting it again finds it)."""
    return uuid5(origin, "quest")


def _objective(given: Any, where: str) -> dict[str, Any]:
    if not isinstance(given, dict):
        raise InvalidQuest(f"{where} is an object")
    text = given.get("objective_text", "")
    if not isinstance(text, str) or not 0 < len(text) <= TITLE_MAX:
        raise InvalidQuest(f"{where}.objective_text is 1 to {TITLE_MAX} characters")
    wanted = given.get("requirements")
    if not isinstance(wanted, dict) or wanted.get("kind") not in OBJECTIVE_KINDS:
        raise InvalidQuest(f"{where}.requirements.kind is one of {list(OBJECTIVE_KINDS)}", kinds=list(OBJECTIVE_KINDS))
    kind = wanted["kind"]
    shape = {
        "gather": {"kind", "item_name", "count", "unlock"},
        "craft": {"kind", "recipe_name", "count", "unlock"},
        "build": {"kind", "count", "unlock"},
        "reach_branch": {"kind", "branch_id", "unlock"},
        "reach_level": {"kind", "level", "unlock"},
    }[kind]
    if set(wanted) - shape:
        raise InvalidQuest(f"{where}.requirements of a {kind} objective are {sorted(shape)}")
    checked: dict[str, Any] = {"kind": kind}
    for name in ("item_name", "recipe_name"):
        if name in shape:
            value = wanted.get(name)
            if not isinstance(value, str) or not 0 < len(value) <= 64:
                raise InvalidQuest(f"{where}.requirements.{name} is 1 to 64 characters")
            checked[name] = value
    if "count" in shape:
        count = wanted.get("count", 1)
        if not (type(count) is int and 1 <= count <= COUNT_MAX):
            raise InvalidQuest(f"{where}.requirements.count is 1 to {COUNT_MAX}")
        checked["count"] = count
    if kind == "reach_branch":
        try:
            checked["branch_id"] = str(UUID(str(wanted.get("branch_id"))))
        except ValueError:
            raise InvalidQuest(f"{where}.requirements.branch_id is a story branch's id") from None
    if kind == "reach_level":
        level = wanted.get("level")
        if not (type(level) is int and 1 <= level <= LEVEL_MAX):
            raise InvalidQuest(f"{where}.requirements.level is 1 to {LEVEL_MAX}")
        checked["level"] = level
    if "unlock" in wanted:
        checked["unlock"] = check_condition(wanted["unlock"], f"{where}.requirements.unlock")
    return {"objective_text": text, "requirements": checked}


class Quest(Aggregate):
    TOPIC = "lorekeeper.quest"
    snapshot_types: ClassVar[dict[str, object]] = {
        "world_id": UUID,
        "expires_at": datetime | None,
        "origin": UUID | None,
    }
    added_state: ClassVar[dict[str, object]] = {"origin": None}

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.quest.Created"
        world_id: UUID
        title: str
        description: str
        quest_type: str
        requirements: dict[str, Any]
        rewards: dict[str, Any]
        difficulty_level: int
        objectives: list[dict[str, Any]]  # each: objective_id, objective_text, requirements, order_index
        party_max: int
        expires_at: datetime | None
        origin: UUID | None = None  # the evolution entry of the agent that posted it

    class ActivityChanged(Aggregate.Event):
        """Opened or closed to new runs (``expired``: closed because its time ran out)."""

        TOPIC: ClassVar[str] = "lorekeeper.quest.ActivityChanged"
        is_active: bool
        expired: bool

        def apply(self, quest: Quest) -> None:
            quest.is_active = self.is_active

    def __init__(
        self,
        world_id: UUID,
        title: str,
        description: str,
        quest_type: str,
        requirements: dict[str, Any],
        rewards: dict[str, Any],
        difficulty_level: int,
        objectives: list[dict[str, Any]],
        party_max: int,
        expires_at: datetime | None,
        origin: UUID | None = None,
    ) -> None:
        self.world_id = world_id
        self.title = title
        self.description = description
        self.quest_type = quest_type
        self.requirements = requirements
        self.rewards = rewards
        self.difficulty_level = difficulty_level
        self.objectives = objectives
        self.party_max = party_max
        self.expires_at = expires_at
        self.origin = origin
        self.is_active = True

    @classmethod
    def create(
        cls,
        world_id: UUID,
        title: str,
        description: str,
        quest_type: str,
        requirements: dict[str, Any],
        rewards: dict[str, Any],
        difficulty_level: int,
        objectives: list[dict[str, Any]],
        party_max: int = 1,
        expires_at: datetime | None = None,
        now: datetime | None = None,
        origin: UUID | None = None,
    ) -> Quest:
        if quest_type not in QUEST_TYPES:
            raise InvalidQuest(f"{quest_type!r} is not a quest type", quest_types=list(QUEST_TYPES))
        if not isinstance(description, str) or len(description) > TEXT_MAX:
            raise InvalidQuest(f"description is a text of at most {TEXT_MAX} characters")
        if not (type(difficulty_level) is int and 1 <= difficulty_level <= LEVEL_MAX):
            raise InvalidQuest(f"difficulty_level is 1 to {LEVEL_MAX}")
        if not (type(party_max) is int and 1 <= party_max <= PARTY_MAX):
            raise InvalidQuest(f"party_max is 1 to {PARTY_MAX}")
        if not isinstance(objectives, list) or not 1 <= len(objectives) <= OBJECTIVES_MAX:
            raise InvalidQuest(f"a quest has 1 to {OBJECTIVES_MAX} objectives")
        checked_rewards = check_consequences(rewards, "rewards")
        if set(checked_rewards) - set(REWARDS):
            raise InvalidQuest(f"rewards are of {list(REWARDS)}")
        if expires_at is not None and now is not None and expires_at <= now:
            raise InvalidQuest("expires_at is in the future")
        quest_id = quest_made_by(origin) if origin is not None else Quest.create_id()
        return cls._create(
            cls.Created,
            id=quest_id,
            world_id=world_id,
            title=clean_display_name(title, TITLE_MAX),
            description=description,
            quest_type=quest_type,
            requirements=check_condition(requirements, "requirements"),
            rewards=checked_rewards,
            difficulty_level=difficulty_level,
            objectives=[
                {
                    "objective_id": str(uuid5(quest_id, str(n))),
                    **_objective(given, f"objectives[{n}]"),
                    "order_index": n,
                }
                for n, given in enumerate(objectives)
            ],
            party_max=party_max,
            expires_at=expires_at,
            origin=origin,
        )

    def set_active(self, is_active: bool, expired: bool = False) -> None:
        if is_active != self.is_active:
            self.trigger_event(self.ActivityChanged, is_active=is_active, expired=expired)

    def check_open(self, now: datetime) -> None:
        if not self.is_active or (self.expires_at is not None and self.expires_at <= now):
            raise QuestClosed(f"the quest {self.title!r} is closed", quest_id=str(self.id))
