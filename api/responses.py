"""Turning command results into responses (and back, for idempotent replays)."""

from __future__ import annotations

from pydantic import BaseModel
from starlette.responses import Response

from api.idempotency import Stored


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
