"""For analysts: the event history as a stream, and any aggregate as it was.

``GET /v1/events`` streams the selected history as NDJSON (infra/history.py),
for the roles ``analyst`` and ``admin``; only ``admin`` reads personal fields
opened. ``GET /v1/aggregates/{id}`` rebuilds one aggregate at a version or a
time (infra/time_travel.py); a player may travel only through their own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import Query
from pydantic import BaseModel
from starlette.responses import Response, StreamingResponse

from api import routing
from api.deps import CurrentPrincipal, wired
from api.openapi import problems
from api.problems import Problem
from infra.history import History
from infra.selection import BadSelection, Selection, parse_cut, parse_globs, parse_time
from infra.time_travel import TimeTravel

router = routing.router(tags=["analysts"])

HISTORY_ROLES = frozenset({"analyst", "admin"})
NDJSON = "application/x-ndjson"
LIMIT_MAX = 2**63 - 1

LINE_SCHEMA: dict[str, Any] = {
    "description": "One JSON object per line, in position order.",
    "type": "object",
    "required": ["position", "topic", "aggregate_id", "aggregate_type", "aggregate_version", "recorded_at", "data"],
    "properties": {
        "position": {"type": "integer"},
        "topic": {"type": "string"},
        "aggregate_id": {"type": "string", "format": "uuid"},
        "aggregate_type": {"type": "string"},
        "aggregate_version": {"type": "integer"},
        "recorded_at": {"type": "string", "format": "date-time"},
        "data": {"type": "object", "additionalProperties": True},
    },
}


class AggregateAt(BaseModel):
    aggregate_id: UUID
    aggregate_type: str
    version: int
    state: dict[str, Any]


def _selection_problem(error: BadSelection) -> Problem:
    return Problem(422, "invalid_selection", str(error))


@router.get(
    "/v1/events",
    response_class=StreamingResponse,
    responses={200: {"description": "The selected events as NDJSON", "content": {NDJSON: {"schema": LINE_SCHEMA}}}},
)
def stream_events(
    principal: CurrentPrincipal,
    history: Annotated[History, wired(History)],
    after: Annotated[
        int, Query(ge=0, le=LIMIT_MAX, strict=False, description="Start after this position (exclusive).")
    ] = 0,
    until: Annotated[
        str | None,
        Query(
            max_length=64,
            description="End at this position (inclusive), or at the last event stamped at or before this "
            "ISO 8601 time (UTC without a zone). Default: the last event when the stream began.",
        ),
    ] = None,
    topics: Annotated[
        str | None,
        Query(
            max_length=4000,
            description="Comma-separated topic globs (`*` any run, `?` one character), e.g. "
            "`lorekeeper.save_slot.*,lorekeeper.player.Created`.",
        ),
    ] = None,
    aggregate_id: Annotated[UUID | None, Query(description="Only this aggregate's events.")] = None,
    limit: Annotated[int | None, Query(ge=1, le=LIMIT_MAX, strict=False, description="At most this many.")] = None,
) -> Response:
    """The event history as NDJSON, streamed in position order (memory stays flat
    whatever the range). Personal fields are sealed unless the caller is an admin;
    an erased player's never open. A stream cut short ends without its final
    newline: resume with `after` set to the last complete line's position."""
    if not principal.roles & HISTORY_ROLES:
        raise Problem(403, "forbidden", "the event history is for the analyst and admin roles")
    try:
        selection = Selection(
            after=after,
            until=parse_cut(until) if until is not None else None,
            topics=parse_globs(topics),
            aggregate_id=aggregate_id,
            limit=limit,
        )
    except BadSelection as error:
        raise _selection_problem(error) from None
    return StreamingResponse(history.ndjson(selection, open_personal=principal.is_admin), media_type=NDJSON)


@router.get("/v1/aggregates/{aggregate_id}", response_model=AggregateAt, responses=problems(403, 404))
def aggregate_at(
    aggregate_id: UUID,
    principal: CurrentPrincipal,
    travel: Annotated[TimeTravel, wired(TimeTravel)],
    at_version: Annotated[
        int | None, Query(ge=1, le=LIMIT_MAX, strict=False, description="The version to rebuild.")
    ] = None,
    at: Annotated[
        str | None,
        Query(max_length=64, description="An ISO 8601 time: the last version stamped at or before it."),
    ] = None,
) -> Response:
    """Any aggregate as it was at a version or a time (now, without either),
    rebuilt from its nearest snapshot and the events after it. Analysts and
    admins may read any; a player only their own. Personal attributes read as
    `[sealed]` unless the caller is an admin or their owner."""
    if at_version is not None and at is not None:
        raise Problem(422, "invalid_selection", "give at_version or at, not both")
    try:
        when: datetime | None = parse_time(at) if at is not None else None
    except BadSelection as error:
        raise _selection_problem(error) from None
    past = travel.at(aggregate_id, version=at_version, when=when)
    owner = past.owner_id or aggregate_id  # a player's own aggregate is its owner
    if not principal.can_read(owner):
        raise Problem(403, "forbidden", "a player may only travel through their own aggregates")
    body = past.body(open_personal=principal.is_admin or owner == principal.subject)
    return Response(AggregateAt(**body).model_dump_json(), media_type="application/json")
