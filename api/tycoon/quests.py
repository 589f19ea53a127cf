"""Quests over HTTP (seed 003): post one in your world, assign heroes (each
accepts or refuses at once, with their reason), read it with its assignments."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field
from starlette.responses import Response

from api import routing
from api.deps import CommandDep, CurrentPrincipal
from api.openapi import problems
from api.responses import stored, to_response
from api.schemas import Request
from api.tycoon.worlds import Json, Tycoon, reader
from domain.kernel.store import Written
from domain.tycoon import Quest
from domain.tycoon.quests import (
    DIFFICULTY_MAX,
    DIFFICULTY_MIN,
    EXPERIENCE_MAX,
    GOLD_MAX,
    ITEMS_MAX,
    MINUTES_MAX,
    MINUTES_MIN,
    PARTY_MAX,
)
from infra.idempotency import Stored

router = routing.router(prefix="/v1/tycoon", tags=["tycoon"])


class Rewards(Request):
    gold: int = Field(0, ge=0, le=GOLD_MAX)
    experience: int = Field(0, ge=0, le=EXPERIENCE_MAX)
    items: dict[Annotated[str, Field(min_length=1, max_length=64)], Annotated[int, Field(ge=1, le=100)]] = Field(
        default_factory=dict, max_length=ITEMS_MAX
    )


class QuestIn(Request):
    title: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=1000)
    difficulty: int = Field(ge=DIFFICULTY_MIN, le=DIFFICULTY_MAX)
    duration_minutes: int = Field(ge=MINUTES_MIN, le=MINUTES_MAX, description="game minutes")
    rewards: Rewards


class AssignmentsIn(Request):
    hero_ids: list[Annotated[UUID, Field(strict=False)]] = Field(min_length=1, max_length=PARTY_MAX)


class QuestOut(BaseModel):
    id: UUID
    world_id: UUID
    title: str
    description: str
    difficulty: int
    duration_minutes: int
    rewards: Json
    status: str
    assignments: dict[str, str] = Field(description="hero id: accepted, refused, started, succeeded or failed")
    answers: dict[str, str] = Field(default_factory=dict, description="what each hero just asked said")
    version: int
    position: int | None = None


def quest_out(written: Written, status: int = 200, answers: dict[str, str] | None = None) -> Stored:
    q: Quest = written.aggregate
    out = QuestOut(
        id=q.id,
        world_id=q.world_id,
        title=q.title,
        description=q.description,
        difficulty=q.difficulty,
        duration_minutes=q.duration_minutes,
        rewards=q.rewards,
        status=q.status,
        assignments=q.assignments,
        answers=answers or {},
        version=q.version,
        position=written.position,
    )
    return stored(status, out, version=q.version, location=f"/v1/tycoon/quests/{q.id}" if status == 201 else None)


@router.post("/worlds/{world_id}/quests", status_code=201, response_model=QuestOut, responses=problems(403, 404, 422))
def post_quest(world_id: UUID, body: QuestIn, cmd: CommandDep, tycoon: Tycoon) -> Response:
    """A quest in your world, for your heroes to take on."""
    return cmd.run(
        {"world": str(world_id), "quest": body.model_dump()},
        lambda: quest_out(
            tycoon.post_quest(
                cmd.principal.subject,
                world_id,
                body.title,
                body.description,
                body.difficulty,
                body.duration_minutes,
                body.rewards.model_dump(),
            ),
            201,
        ),
    )


@router.get("/quests/{quest_id}", response_model=QuestOut, responses=problems(403, 404))
def get_quest(quest_id: UUID, principal: CurrentPrincipal, tycoon: Tycoon) -> Response:
    return to_response(quest_out(Written(tycoon.quest(quest_id, reader(principal)), None)))


@router.post("/quests/{quest_id}/assignments", response_model=QuestOut, responses=problems(403, 404, 409, 422))
def assign(quest_id: UUID, body: AssignmentsIn, cmd: CommandDep, tycoon: Tycoon) -> Response:
    """Ask up to four of your heroes to take the quest: each accepts (setting
    out at their next decision) or refuses, and says why. A hero is asked once
    (409 ``already_assigned``)."""

    def run() -> Stored:
        written = tycoon.assign(cmd.principal.subject, quest_id, body.hero_ids)
        answers = {str(h): tycoon.hero(h).answer or "" for h in body.hero_ids}
        return quest_out(written, answers=answers)

    return cmd.run({"quest": str(quest_id), "heroes": [str(h) for h in body.hero_ids]}, run)
