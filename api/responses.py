"""Turning command results into responses (and back, for idempotent replays)."""

from __future__ import annotations

from uuid import UUID

from psycopg import sql
from pydantic import BaseModel
from starlette.responses import Response

from api.auth import Principal
from api.problems import Problem
from infra.idempotency import Stored
from projections.db import Pool, statements
from projections.model import Table


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
    db: Pool,
    principal: Principal,
    table: Table,
    *,
    key: str,
    value: UUID,
    model: type[BaseModel],
    noun: str,
) -> Response:
    """One row of a read table as ``model``, with its ETag: 404 if absent,
    403 unless the caller may read the owner's data (the table's ``owner``)."""
    assert table.owner is not None and table.owner.via == "player", f"{table.qualified} is not a player's table"
    query = sql.SQL("SELECT * FROM {}.{} WHERE {} = %s").format(
        sql.Identifier(table.schema), sql.Identifier(table.name), sql.Identifier(key)
    )
    with statements(db) as conn:  # one statement: no transaction around it
        row = conn.execute(query, (value,)).fetchone()
    if row is None:
        raise Problem(404, "not_found", f"{noun} {value} not found")
    if not principal.can_read(row[table.owner.column]):
        raise Problem(403, "forbidden", f"this {noun} belongs to another player")
    body = model(**row)
    return Response(body.model_dump_json(), media_type="application/json", headers={"ETag": etag(row["version"])})
