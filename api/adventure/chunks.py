"""Chunks over HTTP: a chunk's blocks (generated base and edits, in the
seed's block-data format, ETag its version), edits by a player's character
with ``If-Match``, restores by admins, and areas of up to 64 chunks read from
the read model (docs/adventure.md)."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Annotated
from uuid import UUID

import orjson
from cachetools import LRUCache
from fastapi import Header, Query
from pydantic import BaseModel, Field, model_validator
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from api import routing
from api.adventure.worlds import Adventure, Json, admin_only
from api.compression import Part, assembled, chosen
from api.deps import CommandDep, CurrentPrincipal, IfMatch, LoopDb, ReadYourWrites
from api.openapi import problems
from api.problems import Problem
from api.responses import stored, to_response
from api.schemas import Request
from domain.adventure import AdventureUseCases
from domain.adventure.building import ChunkView, check_area
from domain.adventure.chunks import COORDINATE_MAX, EDIT_MAX, STRUCTURES_MAX, parse_key
from domain.adventure.terrain import LAYERS, chunk_blocks
from infra.idempotency import Stored
from projections.db import LoopReads

router = routing.router(prefix="/v1", tags=["adventure"])
ChunkXZ = Annotated[int, Field(ge=-COORDINATE_MAX, le=COORDINATE_MAX)]
ChunkY = Annotated[int, Field(ge=0, le=LAYERS - 1)]


class Block(Request):
    type: str = Field(max_length=40)
    metadata: Json = Field(default_factory=dict)


class EditIn(Request):
    changes: dict[Annotated[str, Field(max_length=8)], Block] = Field(
        min_length=1, max_length=EDIT_MAX, description='Chunk-local "x,y,z" (0..15) to a block; "air" removes one.'
    )
    structures: list[Json] | None = Field(None, max_length=STRUCTURES_MAX, description="Replaces the list when given.")
    character_id: UUID | None = Field(None, strict=False, description="Your character who builds (earns skills).")


class RestoreIn(Request):
    version: int | None = Field(None, ge=1, le=2**31 - 1)
    at: datetime | None = Field(None, strict=False, description="Or: as it was at this time.")

    @model_validator(mode="after")
    def one_target(self) -> RestoreIn:
        if (self.version is None) == (self.at is None):
            raise ValueError("give version or at, not both")
        return self


class ChunkOut(BaseModel):
    world_id: UUID
    chunk_x: int
    chunk_y: int
    chunk_z: int
    version: int = Field(description="0 for a chunk nobody has edited (generated).")
    block_data: Json = Field(description='{"blocks": {"x,y,z": {"type", "metadata"}}, "entities": []}, no air.')
    structures: list[Json]
    position: int | None = None


def chunk_out(world_id: UUID, coordinates: tuple[int, int, int], view: ChunkView, position: int | None) -> ChunkOut:
    version, blocks, structures = view
    x, y, z = coordinates
    return ChunkOut(
        world_id=world_id,
        chunk_x=x,
        chunk_y=y,
        chunk_z=z,
        version=version,
        block_data={"blocks": blocks, "entities": []},
        structures=structures,
        position=position,
    )


class EditOut(BaseModel):
    world_id: UUID
    chunk_x: int
    chunk_y: int
    chunk_z: int
    version: int = Field(description="The chunk's version after the edit (its new ETag).")
    changes: dict[str, Json] = Field(description='The blocks as set, canonical: "x,y,z" -> {"type", "metadata"}.')
    structures: list[Json]
    position: int | None = None


CHUNK = "/worlds/{world_id}/chunks/{chunk_x}/{chunk_y}/{chunk_z}"


@router.get(CHUNK, response_model=ChunkOut, responses=problems(404, 422))
def get_chunk(
    world_id: UUID, chunk_x: ChunkXZ, chunk_y: ChunkY, chunk_z: ChunkXZ, adventure: Adventure, _: CurrentPrincipal
) -> Response:
    """A chunk's current blocks (generated, with any edits over them), ETag its version."""
    view = adventure.building.chunk(world_id, chunk_x, chunk_y, chunk_z)
    out = chunk_out(world_id, (chunk_x, chunk_y, chunk_z), view, None)
    return to_response(stored(200, out, version=view[0]))


@router.patch(CHUNK, response_model=EditOut, responses=problems(403, 404, 409, 412, 422))
def edit_chunk(
    world_id: UUID,
    chunk_x: ChunkXZ,
    chunk_y: ChunkY,
    chunk_z: ChunkXZ,
    body: EditIn,
    cmd: CommandDep,
    adventure: Adventure,
    if_match: IfMatch = None,
) -> Response:
    """Change up to 256 blocks in one write (If-Match: the version you read; "0": never
    edited). The answer is the new version and the blocks as set, not the whole chunk."""
    if body.character_id is None and not cmd.principal.is_admin:
        raise Problem(422, "invalid_edit", "say which of your characters builds (character_id)")
    coordinates = (chunk_x, chunk_y, chunk_z)

    def command() -> Stored:
        written = adventure.building.edit_chunk(
            cmd.principal.subject,
            world_id,
            coordinates,
            {k: b.model_dump() for k, b in body.changes.items()},
            body.structures,
            body.character_id,
            if_match,
        )
        chunk = written.aggregate
        x, y, z = coordinates
        out = EditOut(
            world_id=world_id,
            chunk_x=x,
            chunk_y=y,
            chunk_z=z,
            version=chunk.version,
            changes={k: chunk.edit_at(k) for k in sorted(",".join(map(str, parse_key(k))) for k in body.changes)},
            structures=chunk.structures,
            position=written.position,
        )
        return stored(200, out, version=chunk.version)

    return cmd.run({"chunk": [str(world_id), *coordinates], **body.model_dump(mode="json")}, command)


@router.post(CHUNK + "/restore", response_model=ChunkOut, responses=problems(403, 404, 422))
def restore_chunk(
    world_id: UUID,
    chunk_x: ChunkXZ,
    chunk_y: ChunkY,
    chunk_z: ChunkXZ,
    body: RestoreIn,
    cmd: CommandDep,
    adventure: Adventure,
) -> Response:
    """The chunk as it was at a version or time, written as new events (admins)."""
    admin_only(cmd, "restore chunks")
    coordinates = (chunk_x, chunk_y, chunk_z)

    def command() -> Stored:
        written = adventure.building.restore_chunk(world_id, coordinates, body.version, body.at)
        chunk = written.aggregate
        out = chunk_out(world_id, coordinates, (chunk.version, chunk.blocks(), chunk.structures), written.position)
        return stored(200, out, version=chunk.version)

    return cmd.run({"restore": [str(world_id), *coordinates], **body.model_dump(mode="json")}, command)


class AreaOut(BaseModel):
    chunks: list[ChunkOut]


XZ = Annotated[int, Query(ge=-COORDINATE_MAX, le=COORDINATE_MAX, strict=False)]
Y = Annotated[int, Query(ge=0, le=LAYERS - 1, strict=False)]


Coordinates = tuple[int, int, int]


@lru_cache(maxsize=1024)
def generated(world_id: UUID, seed: int, world_type: str, x: int, y: int, z: int) -> Part:
    """An untouched chunk in an area's answer (terrain is a pure function: kept)."""
    blocks = orjson.dumps({"blocks": chunk_blocks(seed, world_type, (x, y, z), {}), "entities": []})
    return fragment(world_id, x, y, z, 0, blocks, b"[]")


FRAGMENT_BYTES = 64 * 2**20
"""What the area reads keep of chunks' JSON (plain and compressed), by size: an
edited chunk at a version never changes, so its part of an answer is kept by
(world, coordinates, version); the read model is asked for versions, and for
block data only on a miss. Only the event loop touches it (no lock)."""
_fragments: LRUCache[tuple[UUID, int, int, int, int], Part] = LRUCache(FRAGMENT_BYTES, getsizeof=len)
_terrains: LRUCache[UUID, tuple[int, str]] = LRUCache(4096)  # a world's seed and type never change
KEY = "chunk_x, chunk_y, chunk_z, version"


def fragment(world_id: UUID, x: int, y: int, z: int, version: int, block_data: bytes, structures: bytes) -> Part:
    """One chunk of an area's answer (a ``ChunkOut``), from JSON already written."""
    head = f'{{"world_id":"{world_id}","chunk_x":{x},"chunk_y":{y},"chunk_z":{z},"version":{version},"block_data":'
    return Part.of(head.encode() + block_data + b',"structures":' + structures + b',"position":null}')


OPEN, COMMA, CLOSE = Part.of(b'{"chunks":['), Part.of(b","), Part.of(b"]}")


async def terrain_of(adventure: AdventureUseCases, world_id: UUID) -> tuple[int, str]:
    """A world's seed and type (404 if there is none), kept once read: the
    domain is asked (on a thread) only the first time."""
    if (kept := _terrains.get(world_id)) is None:
        world = await run_in_threadpool(adventure.world, world_id)
        _terrains[world_id] = kept = (world.seed, world.world_type)
    return kept


async def edited_fragments(
    db: LoopReads, world_id: UUID, low: Coordinates, high: Coordinates
) -> dict[Coordinates, Part]:
    """The area's edited chunks, each as its answer's bytes: one indexed query for
    their versions, a second for the JSON of those not already kept."""
    (x0, y0, z0), (x1, y1, z1) = low, high
    box = (world_id, x0, x1, y0, y1, z0, z1)
    where = "world_id = %s AND chunk_x BETWEEN %s AND %s AND chunk_y BETWEEN %s AND %s AND chunk_z BETWEEN %s AND %s"
    async with db.connection() as conn:  # a chunk's row at a version never changes: no snapshot needed
        cursor = await conn.execute(f"SELECT {KEY} FROM adventure.world_chunks WHERE {where}", box)
        versions = await cursor.fetchall()
        found = {
            (r["chunk_x"], r["chunk_y"], r["chunk_z"]): _fragments.get(
                (world_id, r["chunk_x"], r["chunk_y"], r["chunk_z"], r["version"])
            )
            for r in versions
        }
        if missing := [xyz for xyz, part in found.items() if part is None]:
            cursor = await conn.execute(
                f"SELECT {KEY}, block_data::text AS block_data, structures::text AS structures FROM"
                " adventure.world_chunks WHERE world_id = %s AND (chunk_x, chunk_y, chunk_z) IN "
                f"({', '.join(['(%s, %s, %s)'] * len(missing))})",
                (world_id, *(c for xyz in missing for c in xyz)),
            )
            for r in await cursor.fetchall():  # at the version read now: an edit may have landed in between
                xyz, version = (r["chunk_x"], r["chunk_y"], r["chunk_z"]), r["version"]
                found[xyz] = _fragments[(world_id, *xyz, version)] = fragment(
                    world_id, *xyz, version, r["block_data"].encode(), r["structures"].encode()
                )
    return {xyz: part for xyz, part in found.items() if part is not None}


@router.get(
    "/worlds/{world_id}/area", response_model=AreaOut, dependencies=[ReadYourWrites], responses=problems(404, 422)
)
async def get_area(
    world_id: UUID,
    adventure: Adventure,
    db: LoopDb,
    _: CurrentPrincipal,
    x0: XZ,
    y0: Y,
    z0: XZ,
    x1: XZ,
    y1: Y,
    z1: XZ,
    accept_encoding: Annotated[str | None, Header(max_length=1000)] = None,
) -> Response:
    """Every chunk in the box from (x0, y0, z0) to (x1, y1, z1), at most 64 chunks,
    in (x, y, z) order. From the read model (``world_chunks``: one indexed
    query for the edited chunks' versions, their JSON read only at a version not
    kept yet; pass ``min_position`` to read your own edits), untouched chunks
    generated; the bytes are assembled, not re-encoded. Compressed (``deflate``
    or ``gzip``, about a twelfth of the size) when ``Accept-Encoding`` allows it.
    Served on the event loop (no thread per request)."""
    low, high = (x0, y0, z0), (x1, y1, z1)
    boxes = check_area(low, high)
    seed, world_type = await terrain_of(adventure, world_id)
    edited = await edited_fragments(db, world_id, low, high)
    parts = [OPEN]
    for xyz in boxes:
        parts += (edited.get(xyz) or generated(world_id, seed, world_type, *xyz), COMMA)
    parts[-1] = CLOSE
    encoding = chosen(accept_encoding)
    headers = {"vary": "Accept-Encoding"} | ({"content-encoding": encoding} if encoding else {})
    return Response(assembled(parts, encoding), media_type="application/json", headers=headers)
