"""The offline report (seed 003: "offline progress is calculable from activity
logs"): what each hero of a world did in a window of real time, computed from
``activity_log``, ``hero_decisions`` and ``hero_relationships``.

``POST .../visits`` is the player coming back: every hero's time is lived up
to now, the visit recorded, and the report covers the time since the
previous visit. ``GET .../report?since=`` reads any window without writing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

import orjson
from fastapi import Query
from psycopg import Connection
from starlette.responses import Response

from api import routing
from api.deps import CommandDep, CurrentPrincipal, ReadDb, Reads, ReadYourWrites, read_your_writes
from api.openapi import problems
from api.problems import Problem
from api.tycoon.worlds import Tycoon, player_rows, reader
from domain.tycoon.decisions import level_for
from infra.selection import BadSelection, parse_time

router = routing.router(prefix="/v1/tycoon", tags=["tycoon"])
NOTABLE_MAX = 20


def report(conn: Connection[Any], world_id: UUID, since: datetime, until: datetime) -> dict[str, Any]:
    window = {"w": world_id, "since": since, "until": until}
    heroes = conn.execute(
        "SELECT id, name, level, experience, gold, current_action FROM tycoon.heroes WHERE world_id = %(w)s "
        "ORDER BY created_at, id",
        window,
    ).fetchall()
    totals = {
        r["hero_id"]: r
        for r in conn.execute(
            "SELECT hero_id, count(*) AS activities, sum(gold_change) AS gold, sum(experience_change) AS experience, "
            "sum(mood_impact) AS mood "
            "FROM tycoon.activity_log WHERE world_id = %(w)s AND real_time >= %(since)s AND real_time < %(until)s "
            "GROUP BY hero_id",
            window,
        ).fetchall()
    }
    by_type: dict[UUID, dict[str, int]] = {}
    for r in conn.execute(
        "SELECT hero_id, activity_type, count(*) AS n FROM tycoon.activity_log WHERE world_id = %(w)s "
        "AND real_time >= %(since)s AND real_time < %(until)s GROUP BY hero_id, activity_type",
        window,
    ).fetchall():
        by_type.setdefault(r["hero_id"], {})[r["activity_type"]] = r["n"]
    quests = conn.execute(
        "SELECT a.hero_id, a.activity_data->>'quest_id' AS quest_id, q.title, "
        "(a.activity_data->>'success')::boolean AS success, a.gold_change AS gold, a.real_time "
        "FROM tycoon.activity_log a LEFT JOIN tycoon.quests q ON q.id = (a.activity_data->>'quest_id')::uuid "
        "WHERE a.world_id = %(w)s AND a.activity_type = 'quest' AND a.real_time >= %(since)s "
        "AND a.real_time < %(until)s ORDER BY a.real_time",
        window,
    ).fetchall()
    bonds = conn.execute(
        "SELECT r.hero_id, r.other_hero_id, r.relationship_type, r.strength, r.interaction_count "
        "FROM tycoon.hero_relationships r JOIN tycoon.heroes h ON h.id = r.hero_id "
        "WHERE h.world_id = %(w)s AND r.last_interaction_at >= %(since)s AND r.last_interaction_at < %(until)s "
        "ORDER BY abs(r.strength) DESC LIMIT 50",
        window,
    ).fetchall()
    notable = conn.execute(
        "SELECT hero_id, decided_at, chosen_option, reasoning, satisfaction FROM tycoon.hero_decisions "
        "WHERE world_id = %(w)s AND decided_at >= %(since)s AND decided_at < %(until)s "
        "AND (chosen_option IN ('quest', 'wait') OR context ? 'ordered' OR satisfaction >= 80 OR satisfaction <= 20) "
        "ORDER BY decided_at DESC LIMIT %(n)s",
        {**window, "n": NOTABLE_MAX},
    ).fetchall()
    out = []
    for h in heroes:
        t = totals.get(h["id"], {})
        experience = int(t.get("experience") or 0)
        out.append(
            {
                "hero_id": h["id"],
                "name": h["name"],
                "doing_now": h["current_action"],
                "activities": int(t.get("activities") or 0),
                "by_type": by_type.get(h["id"], {}),
                "gold": int(t.get("gold") or 0),
                "experience": experience,
                "mood": int(t.get("mood") or 0),
                "level": h["level"],
                "levels_gained": h["level"] - level_for(max(0, h["experience"] - experience)),
            }
        )
    return {
        "world_id": world_id,
        "since": since,
        "until": until,
        "heroes": out,
        "totals": {
            "gold": sum(h["gold"] for h in out),
            "experience": sum(h["experience"] for h in out),
            "levels_gained": sum(h["levels_gained"] for h in out),
            "quests_completed": sum(1 for q in quests if q["success"]),
            "quests_failed": sum(1 for q in quests if not q["success"]),
        },
        "quests": quests,
        "relationships": bonds,
        "notable_decisions": notable,
    }


@router.post("/worlds/{world_id}/visits", responses=problems(403, 404, 503))
def visit(world_id: UUID, cmd: CommandDep, tycoon: Tycoon, reads: Reads, db: ReadDb) -> Response:
    """You are back: your heroes' time is lived up to now, and the report covers
    what happened since your previous visit (or the world's founding)."""

    # Not through the idempotent unit of work: the report reads what the visit
    # wrote once it is projected, so the writes must commit first. A retried
    # visit is harmless: it reports the (short) time since the first.
    written, since = tycoon.visit(cmd.principal.subject, world_id)
    read_your_writes(reads, written.position)
    with player_rows(db, cmd.principal) as conn:
        body = report(conn, world_id, since, written.aggregate.last_visit)
    return Response(orjson.dumps(body), media_type="application/json")


Since = Annotated[
    str | None,
    Query(max_length=64, description="An ISO 8601 time, the window's start (default: a day ago; UTC without a zone)"),
]


@router.get("/worlds/{world_id}/report", dependencies=[ReadYourWrites], responses=problems(403, 404, 422))
def get_report(
    world_id: UUID, db: ReadDb, principal: CurrentPrincipal, tycoon: Tycoon, since: Since = None
) -> Response:
    """What your heroes did since ``since`` as the read model has it (no catch-up)."""
    tycoon.world(world_id, reader(principal))  # whose: the store knows at once, the read model a moment later
    until = tycoon.now()
    try:
        start = parse_time(since) if since is not None else until - timedelta(days=1)
    except BadSelection:
        raise Problem(422, "invalid_since", "since is an ISO 8601 time (e.g. 2026-12-04T08:00:00Z)") from None
    with player_rows(db, principal) as conn:
        body = report(conn, world_id, start, until)
    return Response(orjson.dumps(body), media_type="application/json")
