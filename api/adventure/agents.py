"""AI agents (seed 002) over HTTP: admins register, configure and pause
agents, read a world's evolution log, and roll changes back, one entry (and,
with ``cascade``, what depends on it) or everything one agent did in a world
since a time (docs/adventure.md, "AI agents")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import orjson
from fastapi import Query
from pydantic import AwareDatetime, BaseModel, Field
from starlette.responses import Response

from api import routing
from api.adventure.worlds import Adventure, Json, admin_only, of_world
from api.deps import CommandDep, CurrentPrincipal, IfMatch, ReadDb, ReadYourWrites
from api.openapi import problems
from api.problems import Problem
from api.responses import stored, to_response
from api.schemas import Request
from domain.adventure import Agent, Evolution
from domain.kernel.store import Written
from infra.idempotency import Stored

router = routing.router(prefix="/v1", tags=["adventure"])
AgentType = Literal[
    "story_weaver", "world_builder", "character_master", "quest_generator", "event_coordinator", "balance_keeper"
]


class AgentIn(Request):
    agent_name: str = Field(min_length=1, max_length=64)
    agent_type: AgentType
    configuration: Json = Field(
        default_factory=dict, description='e.g. {"worlds": [...], "max_chain": 3, "weights": {"fair": 2}}'
    )


class AgentPatch(Request):
    configuration: Json | None = None
    is_active: bool | None = Field(None, description="false: paused (it takes no turns); true: resumed.")


class AgentOut(BaseModel):
    id: UUID
    agent_name: str
    agent_type: str
    configuration: Json
    current_state: Json = Field(
        description="The changes it made and rolled back, counted by the read side from the evolution log."
    )
    is_active: bool
    last_activity: datetime | None = Field(description="Its latest change or rollback (the read side's).")
    next_survey: datetime | None = Field(None, description="A surveyor's next look at its worlds.")
    version: int
    position: int | None = None


class RollbackIn(Request):
    cascade: bool = Field(False, description="Also roll back the later changes that depend on it, first.")
    reason: str = Field("", max_length=500)


class RollbackSinceIn(RollbackIn):
    since: AwareDatetime = Field(strict=False)


class RolledBackOut(BaseModel):
    rolled_back: list[UUID] = Field(description="The entries rolled back, dependents first.")
    position: int | None = Field(None, description="The last write's: pass it as min_position to read the log.")


class EvolutionRow(BaseModel):
    id: UUID
    agent_id: UUID
    agent_name: str
    evolution_type: str
    changes_made: Json
    reasoning: Json
    applied_at: datetime
    is_active: bool
    trigger: str
    depends_on: list[UUID]
    rollback: Json | None


class EvolutionOut(BaseModel):
    items: list[EvolutionRow]


class SurveyOut(BaseModel):
    evolution: list[UUID] = Field(description="The log entries the survey wrote (none: nothing called for a change).")
    position: int | None = Field(None, description="The last write's: pass it as min_position to read the log.")


def agent_out(written: Written, db: ReadDb | None = None, status: int = 200) -> Stored:
    """The agent, with what the read side counts of its changes (none yet, for a new one)."""
    a: Agent = written.aggregate
    counted = None
    if db is not None:
        with db.connection() as conn:
            counted = conn.execute(
                "SELECT current_state, last_activity FROM adventure.ai_agents WHERE id = %s", (a.id,)
            ).fetchone()
    out = AgentOut(
        id=a.id,
        agent_name=a.agent_name,
        agent_type=a.agent_type,
        configuration=a.configuration,
        current_state=counted["current_state"] if counted else {"changes": 0, "rolled_back": 0},
        is_active=a.is_active,
        last_activity=counted["last_activity"] if counted else None,
        next_survey=a.next_survey,
        version=a.version,
        position=written.position,
    )
    return stored(status, out, version=a.version, location=f"/v1/agents/{a.id}" if status == 201 else None)


@router.post("/agents", status_code=201, response_model=AgentOut, responses=problems(403, 409, 422))
def register(body: AgentIn, cmd: CommandDep, adventure: Adventure) -> Response:
    """An agent (admins): its name is unique; it takes its type's turns in every
    world, or in ``configuration.worlds``."""
    admin_only(cmd, "register agents")
    return cmd.run(
        {"agent": body.model_dump()},
        lambda: agent_out(adventure.agents.register(body.agent_name, body.agent_type, body.configuration), status=201),
    )


@router.get(
    "/agents/{agent_id}", response_model=AgentOut, dependencies=[ReadYourWrites], responses=problems(403, 404, 422)
)
def get_agent(agent_id: UUID, adventure: Adventure, principal: CurrentPrincipal, db: ReadDb) -> Response:
    """An agent (admins); ``min_position`` waits for the read side's counts to include a write."""
    if not principal.is_admin:
        raise Problem(403, "forbidden", "only admins read agents")
    return to_response(agent_out(Written(adventure.agents.agent(agent_id), None), db))


@router.patch("/agents/{agent_id}", response_model=AgentOut, responses=problems(403, 404, 412, 422))
def configure(
    agent_id: UUID, body: AgentPatch, cmd: CommandDep, adventure: Adventure, db: ReadDb, if_match: IfMatch = None
) -> Response:
    """New configuration, or pause and resume (admins)."""
    admin_only(cmd, "configure agents")
    return cmd.run(
        {"agent": str(agent_id), **body.model_dump()},
        lambda: agent_out(adventure.agents.configure(agent_id, body.configuration, body.is_active, if_match), db),
    )


@router.post("/agents/{agent_id}/survey", response_model=SurveyOut, responses=problems(403, 404, 409))
def survey(agent_id: UUID, cmd: CommandDep, adventure: Adventure) -> Response:
    """A surveyor (``world_builder``, ``balance_keeper``) looks at the worlds it
    serves now (admins), as it does on its schedule; 409 ``not_a_surveyor``
    for the agents that answer events."""
    admin_only(cmd, "ask agents to survey")

    def command() -> Stored:
        written = [w for w in adventure.agents.survey_now(agent_id) if w.position is not None]
        made = [w.aggregate.id for w in written if isinstance(w.aggregate, Evolution)]
        last = max((w.position for w in written if w.position is not None), default=None)
        return stored(200, SurveyOut(evolution=made, position=last), version=0)

    return cmd.run({"survey": str(agent_id)}, command)


@router.get(
    "/worlds/{world_id}/evolution", response_model=EvolutionOut, dependencies=[ReadYourWrites], responses=problems(422)
)
def evolution_log(
    world_id: UUID,
    db: ReadDb,
    _: CurrentPrincipal,
    agent_id: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Response:
    """The world's evolution log, newest first (``idx_world_evolution_world``): every
    change an agent made, with its reasoning, and whether it was rolled back."""
    with db.connection() as conn:
        rows = conn.execute(
            "SELECT e.id, e.agent_id, a.agent_name, e.evolution_type, e.changes_made, e.reasoning, e.applied_at, "
            "e.is_active, e.trigger, e.depends_on, e.rollback FROM adventure.world_evolution_log e "
            "JOIN adventure.ai_agents a ON a.id = e.agent_id WHERE e.world_id = %s "
            "AND (%s::uuid IS NULL OR e.agent_id = %s) ORDER BY e.applied_at DESC, e.id LIMIT %s",
            (world_id, agent_id, agent_id, limit),
        ).fetchall()
    return Response(orjson.dumps({"items": rows}), media_type="application/json")


@router.post(
    "/worlds/{world_id}/evolution/{entry_id}/rollback",
    response_model=RolledBackOut,
    responses=problems(403, 404, 409, 422),
)
def roll_back(world_id: UUID, entry_id: UUID, body: RollbackIn, cmd: CommandDep, adventure: Adventure) -> Response:
    """Undo one change by compensating events (admins): 409
    ``evolution_has_dependents`` names the later changes that depend on it,
    unless ``cascade``; 409 ``evolution_rolled_back`` the second time."""
    admin_only(cmd, "roll changes back")
    of_world(adventure.agents.entry(entry_id), world_id, "entry")

    def command() -> Stored:
        undone = adventure.agents.roll_back(entry_id, body.cascade, body.reason)
        return stored(200, RolledBackOut(rolled_back=undone, position=undone.position), version=0)

    return cmd.run({"rollback": str(entry_id), **body.model_dump()}, command)


@router.post(
    "/worlds/{world_id}/agents/{agent_id}/rollback",
    response_model=RolledBackOut,
    dependencies=[ReadYourWrites],
    responses=problems(403, 404, 409, 422),
)
def roll_back_since(
    world_id: UUID, agent_id: UUID, body: RollbackSinceIn, cmd: CommandDep, adventure: Adventure, db: ReadDb
) -> Response:
    """Undo everything one agent did in the world since a time (admins), newest
    first (at most 500 changes a request)."""
    admin_only(cmd, "roll changes back")
    adventure.agents.agent(agent_id)
    with db.connection() as conn:
        found = conn.execute(
            "SELECT id FROM adventure.world_evolution_log WHERE world_id = %s AND agent_id = %s AND is_active "
            "AND applied_at >= %s ORDER BY applied_at DESC, id LIMIT 500",
            (world_id, agent_id, body.since),
        ).fetchall()
    entries = [r["id"] for r in found]

    def command() -> Stored:
        undone = adventure.agents.roll_back_since(agent_id, world_id, body.since, entries, body.cascade, body.reason)
        return stored(200, RolledBackOut(rolled_back=undone, position=undone.position), version=0)

    return cmd.run({"rollback": str(agent_id), **body.model_dump(mode="json")}, command)
