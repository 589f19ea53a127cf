"""Turning command results into responses (and back, for idempotent replays)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import sql
from pydantic import BaseModel
from starlette.responses import Response

from api.idempotency import Stored
from api.problems import Problem


def etag(version: int) -> str:
    return f'"{version}"'


def stored(status: int, body: BaseModel, *, version: int, location: str | None = None) -> Stored:
    headers = {"content-type": "application/json", "etag": etag(version)}
    if location:
        headers["location"] = location
    return Stored(status, body.model_dump_json().encode(), headers)


def to_response(result: Stored) -> Response:
    headers = {k: v for k, v in result.headers.items() if k.lower() != "content-type"}
    media_type = result.headers.get("content-type", "application/json")
    return Response(result.body, status_code=result.status, headers=headers, media_type=media_type)


def read_one(
    container: Any,
    principal: Any,
    *,
    table: str,
    key: str,
    value: UUID,
    owner: str,
    model: type[BaseModel],
    noun: str,
) -> Response:
    """One row of a read table as ``model``, with its ETag: 404 if absent,
    403 unless the caller may read the owner's data."""
    query = sql.SQL("SELECT * FROM {} WHERE {} = %s").format(sql.Identifier(table), sql.Identifier(key))
    with container.pool.connection() as conn:
        row = conn.execute(query, (value,)).fetchone()
    if row is None:
        raise Problem(404, "not_found", f"{noun} {value} not found")
    if not principal.can_read(row[owner]):
        raise Problem(403, "forbidden", f"this {noun} belongs to another player")
    body = model(**row)
    return Response(body.model_dump_json(), media_type="application/json", headers={"ETag": etag(row["version"])})
