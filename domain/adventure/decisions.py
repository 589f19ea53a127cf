"""What an agent's policy sees and decides (docs/adventure.md, "AI agents",
The interface): a ``Trigger`` (the world, the triggering aggregate(s), the
agent's memory, the time, dice seeded by the agent and the trigger) in, a
``Decision`` out (one change, a use case's arguments: ``PostQuest``,
``ScheduleEvent``, ``PostStory`` or ``SetWorldFlags``; the evolution type;
the reasoning; what to remember). ``AgentPolicy`` is the one small
interface a studio implements to plug in its own (a language model's);
``Census`` what the surveyors see of a whole world."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID, uuid5

if TYPE_CHECKING:
    from domain.adventure.agents import Agent


@dataclass(frozen=True)
class PostQuest:
    """``QuestUseCases.create_quest``'s arguments (the id comes from the evolution)."""

    title: str
    description: str
    quest_type: str
    requirements: dict[str, Any]
    rewards: dict[str, Any]
    difficulty_level: int
    objectives: list[dict[str, Any]]
    party_max: int = 1


@dataclass(frozen=True)
class ScheduleEvent:
    """``Seasons.schedule``'s arguments (the id comes from the evolution)."""

    event_type: str
    event_name: str
    description: str
    effects: dict[str, Any]
    start_time: datetime
    end_time: datetime


@dataclass(frozen=True)
class PostStory:
    """``Storytelling.create_story``'s arguments (the id comes from the evolution)."""

    title: str
    description: str
    story_type: str
    metadata: dict[str, Any]
    branches: list[dict[str, Any]]


@dataclass(frozen=True)
class SetWorldFlags:
    """``AdventureUseCases.set_world_flags``' arguments (None clears a flag)."""

    flags: dict[str, Any]
    reason: str


Change = PostQuest | ScheduleEvent | PostStory | SetWorldFlags


@dataclass(frozen=True)
class Decision:
    evolution_type: str
    change: Change
    reasoning: dict[str, Any]  # ``reasoned``: {"summary": "...", "factors": {...}, "scores": {...}, "chosen": "..."}
    remember: dict[str, Any] | None = None  # what to remember of the world, and for how long
    remember_for: timedelta = timedelta(days=7)


@dataclass(frozen=True)
class Trigger:
    """What set an agent off: the triggering aggregate, its world, and a key
    that names the trigger (one evolution per agent and key: exactly once)."""

    key: str
    world: Any
    subject: Any
    now: datetime
    memory: dict[str, Any] = field(default_factory=dict)

    def seed(self, agent: UUID) -> int:
        """The decision's seed: from the agent and the trigger (its entry records it)."""
        return uuid5(agent, self.key).int

    def rng(self, agent: UUID) -> random.Random:
        """The decision's dice, from its seed: replayed, the same."""
        return random.Random(self.seed(agent))


def reasoned(summary: str, factors: dict[str, Any], scores: dict[str, float], chosen: str) -> dict[str, Any]:
    """An entry's ``reasoning``: a summary a person reads, the factors seen, each option's score, the one chosen."""
    return {"summary": summary, "factors": factors, "scores": scores, "chosen": chosen}


def scored(scores: dict[str, float]) -> str:
    """The option with the highest score (ties: the first named): what a utility policy chooses."""
    return max(scores, key=lambda option: (scores[option], -list(scores).index(option)))


class Census(Protocol):
    """What surveyors (``world_builder``, ``balance_keeper``) see of a world as a
    whole: the read side's answer, which their entry's reasoning records."""

    def worlds(self) -> list[UUID]:
        """The active worlds (at most a bounded number)."""
        ...

    def crowds(self, world_id: UUID) -> list[dict[str, Any]]:
        """The chunk columns most characters stand in: ``{"chunk_x", "chunk_z", "characters"}``, most first."""
        ...

    def products(self, world_id: UUID) -> list[dict[str, Any]]:
        """What the world's characters hold of each recipe's product:
        ``{"recipe_name", "recipe_type", "quantity"}``, most first."""
        ...


@dataclass(frozen=True)
class Turn:
    """A trigger to answer: its key (one entry per agent and key: exactly once),
    its world, what set it off (the policy's ``subject``), the entries that
    made that (the answer depends on them), and the memory the agent reads
    and writes (its type's in the world, unless named: one per pair, say,
    so that turns in one world do not contend for it)."""

    key: str
    world_id: UUID
    subject: Any
    depends: tuple[UUID, ...] = ()
    memory_type: str | None = None


class AgentPolicy(Protocol):
    """One agent type's policy: a pure function of what it sees. A studio's
    own (a language model's) implements the same two members."""

    agent_type: str

    def decide(self, agent: Agent, trigger: Trigger) -> Decision | None: ...
