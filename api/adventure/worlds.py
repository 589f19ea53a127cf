"""Worlds, chunks and recipes (seed 002) over HTTP: admins create worlds and
recipes and restore chunks; players read chunks and areas (generated base and
edits, in the seed's block-data format) and edit chunks as one of their
characters, with ``If-Match`` on the chunk's version (docs/adventure.md)."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any, Literal
from uuid import UUID

import orjson
from fastapi import Query
from pydantic import BaseModel, Field, model_validator
from starlette.responses import Response

from api import routing
from api.deps import CommandDep, CurrentPrincipal, IfMatch, ReadDb, ReadYourWrites, wired
from api.openapi import problems
from api.problems import Problem
from api.responses import stored, to_response
from api.schemas import Request
from domain.adventure import AdventureUseCases, Recipe, World
from domain.adventure.building import ChunkView, check_area
from domain.adventure.chunks import COORDINATE_MAX, EDIT_MAX, STRUCTURES_MAX, parse_key
from domain.adventure.terrain import LAYERS, chunk_blocks
from domain.kernel.store import Written
from infra.idempotency import Stored

router = routing.router(prefix="/v1", tags=["adventure"])
Adventure = Annotated[AdventureUseCases, wired(AdventureUseCases)]
ChunkXZ = Annotated[int, Field(ge=-COORDINATE_MAX, le=COORDINATE_MAX)]
ChunkY = Annotated[int, Field(ge=0, le=LAYERS - 1)]
Json = dict[str, Any]


def admin_only(cmd: CommandDep, what: str) -> None:
    if not cmd.principal.is_admin:
        raise Problem(403, "forbidden", f"only admins {what}")


class WorldIn(Request):
    name: str = Field(min_length=1, max_length=64)
    world_type: Literal["standard", "flat"] = "standard"
    seed: int = Field(ge=-(2**63), le=2**63 - 1)
    settings: Json = Field(default_factory=dict, description='e.g. {"characters_per_player": 5}')
    metadata: Json = Field(default_factory=dict)


class WorldPatch(Request):
    settings: Json | None = None
    metadata: Json | None = None
    is_active: bool | None = None


class WorldOut(BaseModel):
    id: UUID
    name: str
    world_type: str
    seed: int
    settings: Json
    metadata: Json
    is_active: bool
    version: int
    position: int | None = None


def world_out(written: Written, status: int = 200) -> Stored:
    world: World = written.aggregate
    out = WorldOut(
        id=world.id,
        name=world.name,
        world_type=world.world_type,
        seed=world.seed,
        settings=world.settings,
        metadata=world.metadata,
        is_active=world.is_active,
        version=world.version,
        position=written.position,
    )
    return stored(status, out, version=world.version, location=f"/v1/worlds/{world.id}" if status == 201 else None)


@router.post("/worlds", status_code=201, response_model=WorldOut, responses=problems(403, 409, 422))
def create_world(body: WorldIn, cmd: CommandDep, adventure: Adventure) -> Response:
    """A new world (admins): its name is unique, its seed generates its terrain."""
    admin_only(cmd, "create worlds")
    return cmd.run(
        {"world": body.model_dump()},
        lambda: world_out(
            adventure.create_world(body.name, body.world_type, body.seed, body.settings, body.metadata), 201
        ),
    )


@router.get("/worlds/{world_id}", response_model=WorldOut, responses=problems(404))
def get_world(world_id: UUID, adventure: Adventure, _: CurrentPrincipal) -> Response:
    return to_response(world_out(Written(adventure.world(world_id), None)))


@router.patch("/worlds/{world_id}", response_model=WorldOut, responses=problems(403, 404, 412, 422))
def configure_world(
    world_id: UUID, body: WorldPatch, cmd: CommandDep, adventure: Adventure, if_match: IfMatch = None
) -> Response:
    """New settings or metadata (each replaced whole), or (in)active (admins)."""
    admin_only(cmd, "configure worlds")
    return cmd.run(
        {"world": str(world_id), **body.model_dump()},
        lambda: world_out(adventure.configure_world(world_id, body.settings, body.metadata, body.is_active, if_match)),
    )


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
            changes={k: chunk.edits[k] for k in sorted(",".join(map(str, parse_key(k))) for k in body.changes)},
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


@lru_cache(maxsize=1024)
def generated_json(seed: int, world_type: str, x: int, y: int, z: int) -> bytes:
    """An untouched chunk's block data as JSON (terrain is a pure function: cached)."""
    return orjson.dumps({"blocks": chunk_blocks(seed, world_type, (x, y, z), {}), "entities": []})


@router.get(
    "/worlds/{world_id}/area", response_model=AreaOut, dependencies=[ReadYourWrites], responses=problems(404, 422)
)
def get_area(
    world_id: UUID,
    adventure: Adventure,
    db: ReadDb,
    _: CurrentPrincipal,
    x0: XZ,
    y0: Y,
    z0: XZ,
    x1: XZ,
    y1: Y,
    z1: XZ,
) -> Response:
    """Every chunk in the box from (x0, y0, z0) to (x1, y1, z1), at most 64 chunks,
    in (x, y, z) order. From the read model (``world_chunks``: one
    indexed query; pass ``min_position`` to read your own edits), untouched chunks
    generated; the bytes are assembled, not re-encoded."""
    low, high = (x0, y0, z0), (x1, y1, z1)
    boxes = check_area(low, high)
    world = adventure.world(world_id)
    with db.connection() as conn:
        rows = conn.execute(
            "SELECT chunk_x, chunk_y, chunk_z, version, block_data::text AS block_data, "
            "structures::text AS structures FROM adventure.world_chunks WHERE world_id = %s "
            "AND chunk_x BETWEEN %s AND %s AND chunk_y BETWEEN %s AND %s AND chunk_z BETWEEN %s AND %s",
            (world_id, x0, x1, y0, y1, z0, z1),
        ).fetchall()
    edited = {(r["chunk_x"], r["chunk_y"], r["chunk_z"]): r for r in rows}
    parts = []
    for x, y, z in boxes:
        row = edited.get((x, y, z))
        head = f'{{"world_id":"{world_id}","chunk_x":{x},"chunk_y":{y},"chunk_z":{z},"version":'
        if row is None:
            body = generated_json(world.seed, world.world_type, x, y, z)
            parts.append(f'{head}0,"block_data":'.encode() + body + b',"structures":[],"position":null}')
        else:
            tail = f',"structures":{row["structures"]},"position":null}}'
            parts.append(f'{head}{row["version"]},"block_data":{row["block_data"]}{tail}'.encode())
    return Response(b'{"chunks":[' + b",".join(parts) + b"]}", media_type="application/json")


class Ingredient(Request):
    item_name: str = Field(min_length=1, max_length=64)
    quantity: int = Field(ge=1, le=64)


class ResultItem(Request):
    item_type: str = Field(max_length=20)
    item_name: str = Field(min_length=1, max_length=64)
    quantity: int = Field(1, ge=1, le=64)
    item_data: Json = Field(default_factory=dict)


class RecipeIn(Request):
    recipe_name: str = Field(min_length=1, max_length=64)
    ingredients: list[Ingredient] = Field(min_length=1, max_length=8)
    result_item: ResultItem
    required_level: int = Field(1, ge=1, le=100)
    recipe_type: str = Field(max_length=20, description="The skill it trains and is gated by.")
    unlock_conditions: Json = Field(
        default_factory=dict, description="docs/adventure.md: level, skills, items, achievements."
    )


class RecipeOut(BaseModel):
    id: UUID
    recipe_name: str
    ingredients: list[Json]
    result_item: Json
    required_level: int
    recipe_type: str
    unlock_conditions: Json
    position: int | None = None


def recipe_out(written: Written, status: int = 200) -> Stored:
    recipe: Recipe = written.aggregate
    out = RecipeOut(
        id=recipe.id,
        recipe_name=recipe.recipe_name,
        ingredients=recipe.ingredients,
        result_item=recipe.result_item,
        required_level=recipe.required_level,
        recipe_type=recipe.recipe_type,
        unlock_conditions=recipe.unlock_conditions,
        position=written.position,
    )
    return stored(status, out, version=recipe.version)


@router.post("/recipes", status_code=201, response_model=RecipeOut, responses=problems(403, 409, 422))
def create_recipe(body: RecipeIn, cmd: CommandDep, adventure: Adventure) -> Response:
    """A crafting recipe (admins); its name is unique."""
    admin_only(cmd, "create recipes")
    data = body.model_dump()
    return cmd.run({"recipe": data}, lambda: recipe_out(adventure.create_recipe(**data), 201))


@router.get("/recipes/{recipe_name}", response_model=RecipeOut, responses=problems(404))
def get_recipe(
    recipe_name: Annotated[str, Field(min_length=1, max_length=64)], adventure: Adventure, _: CurrentPrincipal
) -> Response:
    return to_response(recipe_out(Written(adventure.recipe(recipe_name), None)))
