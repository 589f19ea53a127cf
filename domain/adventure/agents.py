"""AI agents (seed 002's ``ai_agents``, ``agent_memory``): who they are and
what they remember (the interface their policies sit behind is ``decisions``).

An ``Agent`` is registered by an admin with a unique ``agent_name``, one of
the seed's six ``agent_type``s, a ``configuration`` (bounded JSON; ``worlds``
limits it to some worlds) and ``is_active`` (a paused agent does nothing).
What it has done is the evolution log's (the read model's ``ai_agents``
counts it there: writing each change to the agent too would make every
turn of one agent contend for it).

A **policy** (``decisions.AgentPolicy``) decides, from a trigger and what it
may see (the world, the triggering aggregate, its memory, a seed), whether
to change the world and how: a ``Decision`` naming the change (a use case's
arguments), the ``evolution_type``, and the ``reasoning`` (the factors and scores that chose it, in words a person can
read). Built-in policies are rules and utilities; a studio plugs a language
model in by writing another ``AgentPolicy`` (docs/adventure.md, "AI agents").
Policies never write: ``stewardship`` carries a decision out through the
same use cases an admin uses, and records it in the evolution log.

**Memory** (``AgentMemory``): one entry per agent, world and memory type,
with ``expires_at``; expired entries are forgotten by a timer.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.adventure.worlds import checked_json
from domain.kernel.aggregate import Aggregate
from domain.kernel.errors import Conflict, InvalidCommand
from domain.kernel.text import clean_display_name

AGENT_TYPES = (
    "story_weaver",
    "world_builder",
    "character_master",
    "quest_generator",
    "event_coordinator",
    "balance_keeper",
)
NAME_MAX = 64
MEMORY_TTL_MAX = timedelta(days=365)


class InvalidAgent(InvalidCommand):
    code = "invalid_agent"


class AgentNameTaken(Conflict):
    code = "agent_name_taken"


def agent_id(agent_name: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"lorekeeper:/adventure/agents/{agent_name.casefold()}")


def memory_id(agent: UUID, world_id: UUID, memory_type: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"lorekeeper:/adventure/agent-memory/{agent}/{world_id}/{memory_type}")


SURVEY_MINUTES = (5, 24 * 60, 60)  # the least, the most, and the usual minutes between a surveyor's turns


class Agent(Aggregate):
    TOPIC = "lorekeeper.agent"
    snapshot_types: ClassVar[dict[str, object]] = {"next_survey": datetime | None}
    added_state: ClassVar[dict[str, object]] = {"next_survey": None}

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.agent.Created"
        agent_name: str
        agent_type: str
        configuration: dict[str, Any]

    class Configured(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.agent.Configured"
        configuration: dict[str, Any]

        def apply(self, agent: Agent) -> None:
            agent.configuration = self.configuration

    class ActivityChanged(Aggregate.Event):
        """Paused (``is_active`` false) or resumed."""

        TOPIC: ClassVar[str] = "lorekeeper.agent.ActivityChanged"
        is_active: bool

        def apply(self, agent: Agent) -> None:
            agent.is_active = self.is_active

    class Acted(Aggregate.Event):
        """An evolution it made or rolled back, as earlier versions recorded it
        on the agent (the read model now counts the log's own events)."""

        TOPIC: ClassVar[str] = "lorekeeper.agent.Acted"
        evolution_id: UUID
        world_id: UUID
        undone: bool
        current_state: dict[str, Any]

        def apply(self, agent: Agent) -> None:
            pass

    class Surveyed(Aggregate.Event):
        """A surveyor took its turn over the worlds it serves; its next is due at ``next_survey``."""

        TOPIC: ClassVar[str] = "lorekeeper.agent.Surveyed"
        next_survey: datetime

        def apply(self, agent: Agent) -> None:
            agent.next_survey = self.next_survey

    def __init__(self, agent_name: str, agent_type: str, configuration: dict[str, Any]) -> None:
        self.agent_name = agent_name
        self.agent_type = agent_type
        self.configuration = configuration
        self.is_active = True
        self.next_survey: datetime | None = None

    @staticmethod
    def create_id(agent_name: str, **_: object) -> UUID:
        return agent_id(agent_name)

    @classmethod
    def register(cls, agent_name: str, agent_type: str, configuration: dict[str, Any]) -> Agent:
        if agent_type not in AGENT_TYPES:
            raise InvalidAgent(f"{agent_type!r} is not an agent type", agent_types=list(AGENT_TYPES))
        return cls(
            agent_name=clean_display_name(agent_name, NAME_MAX),
            agent_type=agent_type,
            configuration=check_configuration(configuration),
        )

    def configure(self, configuration: dict[str, Any] | None, is_active: bool | None) -> None:
        if configuration is not None and check_configuration(configuration) != self.configuration:
            self.trigger_event(self.Configured, configuration=configuration)
        if is_active is not None and is_active != self.is_active:
            self.trigger_event(self.ActivityChanged, is_active=is_active)

    def serves(self, world_id: UUID) -> bool:
        worlds = self.configuration.get("worlds")
        return self.is_active and (not worlds or str(world_id) in worlds)

    def survey_interval(self) -> timedelta:
        """How often it surveys (``configuration.survey_minutes``, 5 to 1,440; 60 if not given)."""
        low, high, usual = SURVEY_MINUTES
        minutes = self.configuration.get("survey_minutes")
        if isinstance(minutes, int) and not isinstance(minutes, bool) and low <= minutes <= high:
            return timedelta(minutes=minutes)
        return timedelta(minutes=usual)

    def surveyed(self, due: datetime, now: datetime) -> None:
        """Its survey due at ``due`` is done: the next is one interval on (from now, if it ran late)."""
        self.trigger_event(self.Surveyed, next_survey=max(due, now) + self.survey_interval())


def check_configuration(configuration: Any) -> dict[str, Any]:
    checked = checked_json(configuration, "configuration")
    worlds = checked.get("worlds")
    if worlds is not None:
        try:
            checked["worlds"] = [str(UUID(str(w))) for w in worlds]
        except (TypeError, ValueError):
            raise InvalidAgent("configuration.worlds is a list of world ids") from None
    return checked


class AgentMemory(Aggregate):
    """What one agent remembers of one world, of one kind; forgotten at ``expires_at``."""

    TOPIC = "lorekeeper.agent_memory"
    snapshot_types: ClassVar[dict[str, object]] = {
        "agent_id": UUID,
        "world_id": UUID,
        "expires_at": datetime | None,
    }

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.agent_memory.Created"
        agent_id: UUID
        world_id: UUID
        memory_type: str

    class Remembered(Aggregate.Event):
        """What is remembered, until when (with whose memory it is: its row, once
        forgotten and cleaned up, comes back)."""

        TOPIC: ClassVar[str] = "lorekeeper.agent_memory.Remembered"
        agent_id: UUID
        world_id: UUID
        memory_type: str
        memory_data: dict[str, Any]
        expires_at: datetime

        def apply(self, memory: AgentMemory) -> None:
            memory.memory_data, memory.expires_at = self.memory_data, self.expires_at

    class Forgotten(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.agent_memory.Forgotten"

        def apply(self, memory: AgentMemory) -> None:
            memory.memory_data, memory.expires_at = {}, None

    def __init__(self, agent_id: UUID, world_id: UUID, memory_type: str) -> None:
        self.agent_id = agent_id
        self.world_id = world_id
        self.memory_type = memory_type
        self.memory_data: dict[str, Any] = {}
        self.expires_at: datetime | None = None

    @staticmethod
    def create_id(agent_id: UUID, world_id: UUID, memory_type: str, **_: object) -> UUID:
        return memory_id(agent_id, world_id, memory_type)

    def remember(self, memory_data: dict[str, Any], expires_at: datetime) -> None:
        self.trigger_event(
            self.Remembered,
            agent_id=self.agent_id,
            world_id=self.world_id,
            memory_type=self.memory_type,
            memory_data=checked_json(memory_data, "memory_data"),
            expires_at=expires_at,
        )

    def forget(self, now: datetime) -> None:
        if self.expires_at is not None and self.expires_at <= now:
            self.trigger_event(self.Forgotten)

    def recall(self, now: datetime) -> dict[str, Any]:
        return self.memory_data if self.expires_at is not None and now < self.expires_at else {}


REGISTRY = uuid5(NAMESPACE_URL, "lorekeeper:/adventure/agent-registry")


class AgentRegistry(Aggregate):
    """Every registered agent by type: who takes a type's turns."""

    TOPIC = "lorekeeper.agent_registry"

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.agent_registry.Created"

    class Listed(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.agent_registry.Listed"
        agent_id: UUID
        agent_type: str

        def apply(self, registry: AgentRegistry) -> None:
            registry.agents = {**registry.agents, str(self.agent_id): self.agent_type}

    def __init__(self) -> None:
        self.agents: dict[str, str] = {}

    @staticmethod
    def create_id(**_: object) -> UUID:
        return REGISTRY

    def of_type(self, agent_type: str) -> list[UUID]:
        return [UUID(a) for a, t in self.agents.items() if t == agent_type]
