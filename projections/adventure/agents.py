"""Read models of AI agents, their memory and the world evolution log (seed
002), in the ``adventure`` schema, with the seed's names:

- ``ai_agents``: one row per agent; ``current_state`` counts its changes and
  rollbacks (from the evolution log's own events: the agent aggregate is not
  written at each change), ``last_activity`` its latest, ``next_survey``
  when a surveyor (``world_builder``, ``balance_keeper``) looks next.
- ``agent_memory``: one row per agent, world and memory type while it is
  remembered; forgotten (at ``expires_at``, by a timer), the row goes.
- ``world_evolution_log``: one row per change an agent made: what
  (``changes_made``), why (``reasoning``), ``is_active`` false once rolled
  back, with the trigger, what it depends on, and the rollback beside the
  seed's columns.
"""

from __future__ import annotations

from uuid import UUID

from domain.adventure import Agent, AgentMemory, Evolution
from projections.model import (
    DELETE,
    Apply,
    Event,
    Handler,
    Key,
    Projection,
    Row,
    Table,
    _Delete,
    copy_fields,
    fresh,
    updated,
)

SCHEMA = "adventure"

AI_AGENTS = Table(
    "ai_agents",
    SCHEMA,
    owner=None,
    columns=(
        ("id", "uuid NOT NULL"),
        ("agent_name", "text NOT NULL"),
        ("agent_type", "text NOT NULL"),
        ("configuration", "jsonb NOT NULL"),
        ("current_state", "jsonb NOT NULL"),
        ("is_active", "boolean NOT NULL"),
        ("created_at", "timestamptz NOT NULL"),
        ("last_activity", "timestamptz"),
        ("next_survey", "timestamptz"),
        ("version", "int NOT NULL"),
    ),
    key=("id",),
    unique=("agent_name",),
)

AGENT_MEMORY = Table(
    "agent_memory",
    SCHEMA,
    owner=None,
    columns=(
        ("id", "uuid NOT NULL"),
        ("agent_id", "uuid NOT NULL"),
        ("world_id", "uuid NOT NULL"),
        ("memory_type", "text NOT NULL"),
        ("memory_data", "jsonb NOT NULL"),
        ("created_at", "timestamptz NOT NULL"),
        ("expires_at", "timestamptz"),
    ),
    key=("id",),
    indexes=("idx_agent_memory_world (world_id, agent_id)", "(expires_at)"),
)

WORLD_EVOLUTION_LOG = Table(
    "world_evolution_log",
    SCHEMA,
    owner=None,
    columns=(
        ("id", "uuid NOT NULL"),
        ("world_id", "uuid NOT NULL"),
        ("agent_id", "uuid NOT NULL"),
        ("evolution_type", "text NOT NULL"),
        ("changes_made", "jsonb NOT NULL"),
        ("reasoning", "jsonb NOT NULL"),
        ("applied_at", "timestamptz NOT NULL"),
        ("is_active", "boolean NOT NULL"),
        ("trigger", "text NOT NULL"),
        ("depends_on", "jsonb NOT NULL"),
        ("rollback", "jsonb"),
    ),
    key=("id",),
    indexes=("idx_world_evolution_world (world_id, applied_at)", "(agent_id, applied_at)"),
)


@fresh
def agent_created(event: Event, _: Row | None) -> Row:
    data = event.data
    return {
        "id": event.originator_id,
        "agent_name": data["agent_name"],
        "agent_type": data["agent_type"],
        "configuration": data["configuration"],
        "current_state": {"changes": 0, "rolled_back": 0},
        "is_active": True,
        "created_at": event.timestamp,
        "last_activity": None,
        "next_survey": None,
        "version": event.originator_version,
    }


def acted(event: Event, row: Row | None) -> Row | None:
    """What earlier versions recorded on the agent at each change (its counts, whole)."""
    if row is None:
        return None
    return updated(event, row, {"current_state": event.data["current_state"], "last_activity": event.timestamp})


def the_agent(event: Event) -> Key:
    """The agent whose change an evolution event is (a rollback of earlier versions' names none)."""
    agent = event.data.get("agent_id")
    return (UUID(agent),) if agent else (event.originator_id,)


def counted(what: str) -> Apply:
    """One more change made (``changes``) or rolled back (``rolled_back``) by the agent."""

    def apply(event: Event, row: Row | None) -> Row | None:
        if row is None:
            return None
        state = {**row["current_state"], what: row["current_state"].get(what, 0) + 1}
        return {**row, "current_state": state, "last_activity": event.timestamp}

    return apply


def remembered(event: Event, row: Row | None) -> Row:
    data = event.data
    return {
        "id": event.originator_id,
        "agent_id": UUID(data["agent_id"]),
        "world_id": UUID(data["world_id"]),
        "memory_type": data["memory_type"],
        "memory_data": data["memory_data"],
        "created_at": row["created_at"] if row else event.timestamp,
        "expires_at": data["expires_at"],
    }


def forgotten(event: Event, row: Row | None) -> _Delete | None:
    return DELETE if row is not None else None


@fresh
def entry_created(event: Event, _: Row | None) -> Row:
    data = event.data
    return {
        "id": event.originator_id,
        "world_id": UUID(data["world_id"]),
        "agent_id": UUID(data["agent_id"]),
        "evolution_type": data["evolution_type"],
        "changes_made": data["changes_made"],
        "reasoning": data["reasoning"],
        "applied_at": event.timestamp,
        "is_active": True,
        "trigger": data["trigger"],
        "depends_on": data["depends_on"],
        "rollback": None,
    }


def rolled_back(event: Event, row: Row | None) -> Row | None:
    if row is None:
        return None
    data = event.data
    rollback = {
        "at": event.timestamp.isoformat(),
        "reason": data["reason"],
        "cascaded_from": data["cascaded_from"],
        "compensation": data["compensation"],
    }
    return {**row, "is_active": False, "rollback": rollback}


PROJECTION = Projection(
    name="adventure_agents",
    schema_version=3,  # 2: ai_agents.next_survey; 3: counts from the evolution log
    tables=(AI_AGENTS, AGENT_MEMORY, WORLD_EVOLUTION_LOG),
    handlers={
        Agent.Created.TOPIC: (Handler(AI_AGENTS, agent_created),),
        Agent.Configured.TOPIC: (Handler(AI_AGENTS, copy_fields(configuration="configuration")),),
        Agent.ActivityChanged.TOPIC: (Handler(AI_AGENTS, copy_fields(is_active="is_active")),),
        Agent.Acted.TOPIC: (Handler(AI_AGENTS, acted),),
        Agent.Surveyed.TOPIC: (Handler(AI_AGENTS, copy_fields(next_survey="next_survey")),),
        AgentMemory.Remembered.TOPIC: (Handler(AGENT_MEMORY, remembered),),
        AgentMemory.Forgotten.TOPIC: (Handler(AGENT_MEMORY, forgotten),),
        Evolution.Created.TOPIC: (
            Handler(WORLD_EVOLUTION_LOG, entry_created),
            Handler(AI_AGENTS, counted("changes"), the_agent),
        ),
        Evolution.RolledBack.TOPIC: (
            Handler(WORLD_EVOLUTION_LOG, rolled_back),
            Handler(AI_AGENTS, counted("rolled_back"), the_agent),
        ),
    },
)

__all__ = ["AGENT_MEMORY", "AI_AGENTS", "PROJECTION", "WORLD_EVOLUTION_LOG"]
