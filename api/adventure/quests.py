"""Quests (seed 002) over HTTP: admins post a quest and open or close it;
anyone signed in reads a world's quests and one quest; a player's character
begins one, joins a party's run of it, or (its leader) abandons it, and
reads its runs (docs/adventure.md, "Quests"). Progress is never posted: the
game's own events move it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import orjson
from fastapi import Query
from pydantic import AwareDatetime, BaseModel, Field
from starlette.responses import Response

from api import routing
from api.adventure.characters import CHARACTER, in_world
from api.adventure.worlds import Adventure, Json, admin_only, of_world
from api.deps import CommandDep, CurrentPrincipal, IfMatch, ReadDb, ReadYourWrites
from api.openapi import problems
from api.problems import Problem
from api.responses import stored, to_response
from api.schemas import Request
from domain.adventure import Quest, QuestProgress
from domain.adventure.quests import OBJECTIVES_MAX, PARTY_MAX
from domain.adventure.stories import TEXT_MAX, TITLE_MAX
from domain.kernel.store import Written
from infra.idempotency import Stored

router = routing.router(prefix="/v1", tags=["adventure"])
QUEST = "/worlds/{world_id}/quests/{quest_id}"


class ObjectiveIn(Request):
    objective_text: str = Field(min_length=1, max_length=TITLE_MAX)
    requirements: Json = Field(
        description='What the game must see: {"kind": "gather", "item_name", "count"}, {"kind": "craft", '
        '"recipe_name", "count"}, {"kind": "build", "count"}, {"kind": "reach_branch", "branch_id"}, '
        '{"kind": "reach_level", "level"}; "unlock": a condition (docs/adventure.md#quests).'
    )


class QuestIn(Request):
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    description: str = Field("", max_length=TEXT_MAX)
    quest_type: Literal["main", "side", "daily", "party", "event"] = "side"
    requirements: Json = Field(default_factory=dict, description="A condition: who may take it on.")
    rewards: Json = Field(default_factory=dict, description="experience, stats, items, flags, world_flags.")
    difficulty_level: int = Field(1, ge=1, le=100)
    objectives: list[ObjectiveIn] = Field(min_length=1, max_length=OBJECTIVES_MAX)
    party_max: int = Field(1, ge=1, le=PARTY_MAX)
    expires_at: AwareDatetime | None = Field(
        None, strict=False, description="When the quest closes and its runs expire."
    )


class QuestPatch(Request):
    is_active: bool


class QuestOut(BaseModel):
    id: UUID
    world_id: UUID
    title: str
    description: str
    quest_type: str
    requirements: Json
    rewards: Json
    difficulty_level: int
    objectives: list[Json]
    party_max: int
    is_active: bool
    expires_at: datetime | None
    version: int
    position: int | None = None


class BeginIn(Request):
    quest_id: UUID = Field(strict=False)
    party_id: UUID | None = Field(None, strict=False, description="Join this run (a party) instead of beginning one.")


class RunOut(BaseModel):
    party_id: UUID = Field(description="The run: others join it with this id.")
    quest_id: UUID
    leader_id: UUID
    members: list[UUID]
    status: str
    scale: float = Field(description="Counts and experience scaled to the leader's level when it began.")
    targets: list[int]
    counts: list[int]
    current: int = Field(description="The objective under way (its order_index); all done when it is their number.")
    rewards_earned: Json
    version: int
    position: int | None = None


class QuestRow(BaseModel):
    id: UUID
    title: str
    description: str
    quest_type: str
    requirements: Json
    rewards: Json
    difficulty_level: int
    party_max: int
    expires_at: datetime | None
    objectives: list[Json] = Field(description="objective_text, requirements, order_index, progress_data, is_completed")


class QuestsOut(BaseModel):
    items: list[QuestRow]


class RunRow(BaseModel):
    quest_id: UUID
    title: str
    status: str
    progress_data: Json
    started_at: datetime
    completed_at: datetime | None
    rewards_earned: Json


class RunsOut(BaseModel):
    items: list[RunRow]


def quest_out(written: Written, status: int = 200) -> Stored:
    quest: Quest = written.aggregate
    out = QuestOut(
        id=quest.id,
        world_id=quest.world_id,
        title=quest.title,
        description=quest.description,
        quest_type=quest.quest_type,
        requirements=quest.requirements,
        rewards=quest.rewards,
        difficulty_level=quest.difficulty_level,
        objectives=quest.objectives,
        party_max=quest.party_max,
        is_active=quest.is_active,
        expires_at=quest.expires_at,
        version=quest.version,
        position=written.position,
    )
    location = f"/v1/worlds/{quest.world_id}/quests/{quest.id}" if status == 201 else None
    return stored(status, out, version=quest.version, location=location)


def run_out(written: Written, status: int = 200) -> Stored:
    run: QuestProgress = written.aggregate
    out = RunOut(
        party_id=run.id,
        quest_id=run.quest_id,
        leader_id=run.leader_id,
        members=list(run.members),
        status=run.status,
        scale=run.scale,
        targets=run.targets,
        counts=run.counts,
        current=run.current,
        rewards_earned=run.rewards_earned,
        version=run.version,
        position=written.position,
    )
    return stored(status, out, version=run.version)


def quest_in(adventure: Adventure, world_id: UUID, quest_id: UUID) -> Quest:
    return of_world(adventure.quests.quest(quest_id), world_id, "quest")


QuestAnswers = problems(403, 404, 409, 412, 422)


@router.post("/worlds/{world_id}/quests", status_code=201, response_model=QuestOut, responses=QuestAnswers)
def create_quest(world_id: UUID, body: QuestIn, cmd: CommandDep, adventure: Adventure) -> Response:
    """A quest in the world (admins): ordered objectives the game's events complete."""
    admin_only(cmd, "post quests")
    data = body.model_dump()
    data["objectives"] = [o.model_dump() for o in body.objectives]
    return cmd.run(
        {"world": str(world_id), "quest": body.model_dump(mode="json")},
        lambda: quest_out(adventure.quests.create_quest(world_id, **data), 201),
    )


@router.get(
    "/worlds/{world_id}/quests", dependencies=[ReadYourWrites], responses=problems(422), response_model=QuestsOut
)
def list_quests(
    world_id: UUID, db: ReadDb, _: CurrentPrincipal, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> Response:
    """The world's open quests, oldest first, at most ``limit``, each with its objectives."""
    with db.connection() as conn:
        rows = conn.execute(
            "SELECT q.id, q.title, q.description, q.quest_type, q.requirements, q.rewards, q.difficulty_level, "
            "q.party_max, q.expires_at, coalesce(jsonb_agg(jsonb_build_object('objective_text', o.objective_text, "
            "'requirements', o.requirements, 'order_index', o.order_index, 'progress_data', o.progress_data, "
            "'is_completed', o.is_completed) ORDER BY o.order_index) FILTER (WHERE o.id IS NOT NULL), '[]') "
            "AS objectives FROM adventure.quests q LEFT JOIN adventure.quest_objectives o ON o.quest_id = q.id "
            "WHERE q.world_id = %s AND q.is_active GROUP BY q.id ORDER BY q.created_at, q.id LIMIT %s",
            (world_id, limit),
        ).fetchall()
    return Response(orjson.dumps({"items": rows}), media_type="application/json")


@router.get(QUEST, response_model=QuestOut, responses=problems(404))
def get_quest(world_id: UUID, quest_id: UUID, adventure: Adventure, _: CurrentPrincipal) -> Response:
    return to_response(quest_out(Written(quest_in(adventure, world_id, quest_id), None)))


@router.patch(QUEST, response_model=QuestOut, responses=QuestAnswers)
def set_quest_active(
    world_id: UUID, quest_id: UUID, body: QuestPatch, cmd: CommandDep, adventure: Adventure, if_match: IfMatch = None
) -> Response:
    """Open or close a quest to new runs (admins)."""
    admin_only(cmd, "open and close quests")
    quest_in(adventure, world_id, quest_id)
    return cmd.run(
        {"quest": str(quest_id), **body.model_dump()},
        lambda: quest_out(adventure.quests.set_quest_active(quest_id, body.is_active, if_match)),
    )


@router.post(CHARACTER + "/quests", status_code=201, response_model=RunOut, responses=QuestAnswers)
def begin(world_id: UUID, character_id: UUID, body: BeginIn, cmd: CommandDep, adventure: Adventure) -> Response:
    """Your character begins a quest (its counts scale to the character's level),
    or joins a party's run of it (``party_id``) while there is room."""
    player = cmd.principal.subject
    in_world(adventure.character(character_id), world_id)
    if body.party_id is None:
        act = lambda: adventure.quests.begin(player, character_id, body.quest_id)  # noqa: E731
    else:
        party = body.party_id
        act = lambda: adventure.quests.join(player, character_id, body.quest_id, party)  # noqa: E731
    return cmd.run({"character": str(character_id), "quest": body.model_dump(mode="json")}, lambda: run_out(act(), 201))


@router.post(CHARACTER + "/quests/{quest_id}/abandon", response_model=RunOut, responses=QuestAnswers)
def abandon(world_id: UUID, character_id: UUID, quest_id: UUID, cmd: CommandDep, adventure: Adventure) -> Response:
    """The party's leader gives its run up, for every member."""
    player = cmd.principal.subject
    in_world(adventure.character(character_id), world_id)
    return cmd.run(
        {"character": str(character_id), "abandon": str(quest_id)},
        lambda: run_out(adventure.quests.abandon(player, character_id, quest_id)),
    )


@router.get(
    CHARACTER + "/quests", response_model=RunsOut, dependencies=[ReadYourWrites], responses=problems(403, 404, 422)
)
def runs(
    world_id: UUID,
    character_id: UUID,
    adventure: Adventure,
    db: ReadDb,
    principal: CurrentPrincipal,
    status: Literal["active", "completed", "expired", "abandoned"] | None = None,
) -> Response:
    """Your character's runs (``idx_quest_progress_character``), newest first, at most 100."""
    in_world(adventure.character(character_id, None if principal.is_admin else principal.subject), world_id)
    with db.connection() as conn:
        rows = conn.execute(
            "SELECT p.quest_id, q.title, p.status, p.progress_data, p.started_at, p.completed_at, p.rewards_earned "
            "FROM adventure.quest_progress p JOIN adventure.quests q ON q.id = p.quest_id "
            "WHERE p.character_id = %s AND (%s::text IS NULL OR p.status = %s) ORDER BY p.started_at DESC LIMIT 100",
            (character_id, status, status),
        ).fetchall()
    return Response(orjson.dumps({"items": rows}), media_type="application/json")


@router.get(CHARACTER + "/quests/{quest_id}", response_model=RunOut, responses=problems(403, 404))
def run(
    world_id: UUID, character_id: UUID, quest_id: UUID, adventure: Adventure, principal: CurrentPrincipal
) -> Response:
    """Your character's run of a quest under way, as it stands (from the aggregate)."""
    character = in_world(adventure.character(character_id, None if principal.is_admin else principal.subject), world_id)
    run_id = character.quests.get(str(quest_id))
    if run_id is None:
        raise Problem(404, "not_found", f"character {character_id} has no run of quest {quest_id} under way")
    return to_response(run_out(Written(adventure.quests.run(UUID(run_id)), None)))
