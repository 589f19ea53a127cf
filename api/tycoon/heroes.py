"""Heroes over HTTP (seed 003): recruit into your world's guild, read one as
they are now (their time lived up to now first: the lazy catch-up), praise,
reprimand, gift and give orders, and read their decisions and relationships
from the read model."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import orjson
from fastapi import Query
from pydantic import BaseModel, Field
from starlette.responses import Response

from api import routing
from api.deps import CommandDep, CurrentPrincipal, ReadDb, ReadYourWrites
from api.openapi import problems
from api.pagination import MAX_LIMIT, decode_cursor, encode_cursor
from api.problems import Problem
from api.responses import stored, to_response
from api.schemas import Request
from api.tycoon.worlds import Json, Tycoon, player_rows, reader
from domain.kernel.store import Written
from domain.tycoon import Hero, TycoonUseCases
from domain.tycoon.heroes import GIFT_MAX, ORDERS
from infra.idempotency import Stored

router = routing.router(prefix="/v1/tycoon", tags=["tycoon"])
Trait = Annotated[int, Field(ge=0, le=100)]
HERO = "/heroes/{hero_id}"


class Personality(Request):
    courage: Trait
    greed: Trait
    loyalty: Trait
    curiosity: Trait
    ambition: Trait
    patience: Trait
    empathy: Trait


class HeroIn(Request):
    name: str = Field(min_length=1, max_length=64)
    personality: Personality | None = Field(None, description="the seven traits 0..100; rolled if absent")
    seed: int | None = Field(None, ge=0, le=2**62, description="the hero's own seed (their draws); random if absent")


class Influence(BaseModel):
    trust: int
    respect: int
    fear: int
    history: list[Json]


class HeroOut(BaseModel):
    id: UUID
    world_id: UUID
    guild_id: UUID
    name: str
    personality: dict[str, int]
    backstory: str
    motivation: str
    current_action: str
    location: str
    action_ends_game_time: int | None = Field(description="None: waiting for their master")
    energy: int
    mood: int
    level: int
    experience: int
    gold: int
    items: dict[str, int]
    influence: Influence
    decisions: int
    order: str | None = Field(description="an order the hero agreed to and will do next")
    quest: Json | None = Field(description="the quest the hero accepted or is on")
    answer: str | None = Field(None, description="what the hero said to this command")
    version: int
    position: int | None = None


def hero_out(written: Written, status: int = 200) -> Stored:
    h: Hero = written.aggregate
    out = HeroOut(
        id=h.id,
        world_id=h.world_id,
        guild_id=h.guild_id,
        name=h.name,
        personality=h.personality,
        backstory=h.backstory,
        motivation=h.motivation,
        current_action=h.current_action,
        location=h.location,
        action_ends_game_time=h.action_ends,
        energy=h.energy,
        mood=h.mood,
        level=h.level,
        experience=h.experience,
        gold=h.gold,
        items=h.items,
        influence=Influence(trust=h.trust, respect=h.respect, fear=h.fear, history=h.influence_history),
        decisions=h.decisions,
        order=h.order,
        quest=h.quest,
        answer=h.answer,
        version=h.version,
        position=written.position,
    )
    return stored(
        status, out, version=h.version, location=f"/v1/tycoon{HERO.format(hero_id=h.id)}" if status == 201 else None
    )


def in_world(hero: Hero, world_id: UUID) -> Hero:
    if hero.world_id != world_id:
        raise Problem(404, "not_found", f"hero {hero.id} is not in world {world_id}")
    return hero


@router.post(
    "/worlds/{world_id}/heroes", status_code=201, response_model=HeroOut, responses=problems(403, 404, 409, 422)
)
def recruit(world_id: UUID, body: HeroIn, cmd: CommandDep, tycoon: Tycoon) -> Response:
    """A hero joins your world's guild (100 gold); their backstory and motivation
    are written from their personality."""
    traits = body.personality.model_dump() if body.personality else None
    return cmd.run(
        {"world": str(world_id), "hero": body.model_dump()},
        lambda: hero_out(tycoon.recruit(cmd.principal.subject, world_id, body.name, traits, body.seed), 201),
    )


@router.get(HERO, response_model=HeroOut, responses=problems(403, 404))
def get_hero(hero_id: UUID, principal: CurrentPrincipal, tycoon: Tycoon) -> Response:
    """Your hero as they are now: their time is lived up to now first (what they
    did since their last turn is written before you read it)."""
    tycoon.hero(hero_id, reader(principal))
    return to_response(hero_out(tycoon.live(hero_id)))


class GestureIn(Request):
    reason: str = Field("", max_length=200)


def _gesture(hero_id: UUID, gesture: str, body: GestureIn, cmd: CommandDep, tycoon: TycoonUseCases) -> Response:
    return cmd.run(
        {"hero": str(hero_id), "gesture": gesture, "reason": body.reason},
        lambda: hero_out(tycoon.influence(cmd.principal.subject, hero_id, gesture, body.reason)),
    )


@router.post(HERO + "/praise", response_model=HeroOut, responses=problems(403, 404, 422))
def praise(hero_id: UUID, body: GestureIn, cmd: CommandDep, tycoon: Tycoon) -> Response:
    """Praise your hero: trust and respect up, fear down, mood up."""
    return _gesture(hero_id, "praise", body, cmd, tycoon)


@router.post(HERO + "/reprimand", response_model=HeroOut, responses=problems(403, 404, 422))
def reprimand(hero_id: UUID, body: GestureIn, cmd: CommandDep, tycoon: Tycoon) -> Response:
    """Reprimand your hero: fear up, trust down, mood down."""
    return _gesture(hero_id, "reprimand", body, cmd, tycoon)


class GiftIn(Request):
    amount: int = Field(ge=1, le=GIFT_MAX, description="gold from the guild")
    reason: str = Field("", max_length=200)


@router.post(HERO + "/gifts", response_model=HeroOut, responses=problems(403, 404, 409, 422))
def gift(hero_id: UUID, body: GiftIn, cmd: CommandDep, tycoon: Tycoon) -> Response:
    """Gold from the guild to your hero (trust up; the greedy value it more)."""
    return cmd.run(
        {"hero": str(hero_id), "gift": body.model_dump()},
        lambda: hero_out(tycoon.gift(cmd.principal.subject, hero_id, body.amount, body.reason)),
    )


class OrderIn(Request):
    order: Literal[ORDERS]  # type: ignore[valid-type]


@router.post(HERO + "/orders", response_model=HeroOut, responses=problems(403, 404, 409, 422))
def order(hero_id: UUID, body: OrderIn, cmd: CommandDep, tycoon: Tycoon) -> Response:
    """An order: the hero obeys (doing it next) or refuses, by their trust,
    respect, fear and loyalty; ``answer`` says which and why."""
    return cmd.run(
        {"hero": str(hero_id), "order": body.order},
        lambda: hero_out(tycoon.order(cmd.principal.subject, hero_id, body.order)),
    )


Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, strict=False)]
Cursor = Annotated[str | None, Query(max_length=512)]


def page(rows: list[dict[str, object]], limit: int, key: str) -> Response:
    """A newest-first page and the cursor after it (``key``: the time column)."""
    items = rows[:limit]
    cursor = None
    if len(rows) > limit:
        last = items[-1]
        cursor = encode_cursor([last[key].isoformat(), str(last["id"])])  # type: ignore[attr-defined]
    return Response(orjson.dumps({"items": items, "next_cursor": cursor}), media_type="application/json")


def after(cursor: str | None, key: str) -> tuple[str, list[object]]:
    if cursor is None:
        return "", []
    at, last = decode_cursor(cursor, 2)
    try:
        return f"AND ({key}, id) < (%s, %s)", [datetime.fromisoformat(at), UUID(last)]
    except (TypeError, ValueError):
        raise Problem(422, "invalid_cursor", "the cursor is not one this API issued") from None


@router.get("/worlds/{world_id}/heroes", dependencies=[ReadYourWrites], responses=problems(403, 404))
def heroes(world_id: UUID, db: ReadDb, principal: CurrentPrincipal, tycoon: Tycoon) -> Response:
    """Your world's heroes as the read model has them (at most 100 per world)."""
    tycoon.world(world_id, reader(principal))  # whose: the store knows at once, the read model a moment later
    with player_rows(db, principal) as conn:
        rows = conn.execute(
            "SELECT id, name, personality, current_action, location, energy, mood, level, experience, gold, "
            "last_decision_at, action_ends_at FROM tycoon.heroes WHERE world_id = %s ORDER BY created_at, id",
            (world_id,),
        ).fetchall()
    return Response(orjson.dumps({"items": rows}), media_type="application/json")


@router.get(HERO + "/decisions", dependencies=[ReadYourWrites], responses=problems(403, 404, 422))
def decisions(
    hero_id: UUID, db: ReadDb, principal: CurrentPrincipal, tycoon: Tycoon, limit: Limit = 50, cursor: Cursor = None
) -> Response:
    """The hero's decisions, newest first: every option with its score and parts,
    the choice, the reasoning, and (once the action ended) outcome and satisfaction."""
    tycoon.hero(hero_id, reader(principal))
    where, params = after(cursor, "decided_at")
    with player_rows(db, principal) as conn:
        rows = conn.execute(
            f"SELECT * FROM tycoon.hero_decisions WHERE hero_id = %s {where} "
            "ORDER BY decided_at DESC, id DESC LIMIT %s",
            [hero_id, *params, limit + 1],
        ).fetchall()
    return page(rows, limit, "decided_at")


@router.get(HERO + "/relationships", dependencies=[ReadYourWrites], responses=problems(403, 404))
def relationships(hero_id: UUID, db: ReadDb, principal: CurrentPrincipal, tycoon: Tycoon) -> Response:
    """The hero's bonds with other heroes (friendship, rivalry, romantic, mentor), strongest first."""
    tycoon.hero(hero_id, reader(principal))
    with player_rows(db, principal) as conn:
        rows = conn.execute(
            "SELECT r.*, h.name AS other_hero_name FROM tycoon.hero_relationships r "
            "JOIN tycoon.heroes h ON h.id = r.other_hero_id WHERE r.hero_id = %s "
            "ORDER BY abs(r.strength) DESC, r.other_hero_id, r.relationship_type LIMIT 400",
            (hero_id,),
        ).fetchall()
    return Response(orjson.dumps({"items": rows}), media_type="application/json")
