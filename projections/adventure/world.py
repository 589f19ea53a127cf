"""Read models of worlds, chunks and recipes (seed 002), in the ``adventure``
schema, with the seed's table, column and index names:

- ``worlds``: one row per world (``version``: the aggregate's, the ETag;
  ``flags``: its story flags, set by story branches' consequences).
- ``world_chunks``: one row per *edited* chunk (an untouched chunk is
  generated, never stored); ``block_data`` in the seed's format, sparse
  (every block that is not air: the generated base with the edits over it),
  with ``entities`` (none yet: AI agents arrive in part 2); ``version`` is
  the chunk aggregate's.
- ``crafting_recipes``: one row per recipe.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.adventure import Chunk, Recipe, World
from domain.adventure.rules import with_flags
from domain.adventure.terrain import AIR, as_block, generated
from projections.model import Event, Handler, Projection, Row, Table, copy_fields, fresh, touched, updated

SCHEMA = "adventure"

WORLDS = Table(
    "worlds",
    SCHEMA,
    owner=None,
    columns=(
        ("id", "uuid NOT NULL"),
        ("name", "text NOT NULL"),
        ("settings", "jsonb NOT NULL"),
        ("world_type", "text NOT NULL"),
        ("seed", "bigint NOT NULL"),
        ("created_at", "timestamptz NOT NULL"),
        ("updated_at", "timestamptz NOT NULL"),
        ("is_active", "boolean NOT NULL"),
        ("metadata", "jsonb NOT NULL"),
        ("flags", "jsonb NOT NULL"),
        ("version", "int NOT NULL"),
    ),
    key=("id",),
    unique=("name",),
)

WORLD_CHUNKS = Table(
    "world_chunks",
    SCHEMA,
    owner=None,
    columns=(
        ("id", "uuid NOT NULL"),
        ("world_id", "uuid NOT NULL"),
        ("chunk_x", "int NOT NULL"),
        ("chunk_y", "int NOT NULL"),
        ("chunk_z", "int NOT NULL"),
        ("block_data", "jsonb NOT NULL"),
        ("structures", "jsonb NOT NULL"),
        ("created_at", "timestamptz NOT NULL"),
        ("updated_at", "timestamptz NOT NULL"),
        ("version", "int NOT NULL"),
    ),
    key=("id",),
    indexes=(
        "idx_world_chunks_coordinates (world_id, chunk_x, chunk_y, chunk_z)",
        "idx_world_chunks_updated (updated_at)",
        "idx_world_chunks_blocks USING GIN (block_data)",
    ),
)

CRAFTING_RECIPES = Table(
    "crafting_recipes",
    SCHEMA,
    owner=None,
    columns=(
        ("id", "uuid NOT NULL"),
        ("recipe_name", "text NOT NULL"),
        ("ingredients", "jsonb NOT NULL"),
        ("result_item", "jsonb NOT NULL"),
        ("required_level", "int NOT NULL"),
        ("recipe_type", "text NOT NULL"),
        ("unlock_conditions", "jsonb NOT NULL"),
        ("created_at", "timestamptz NOT NULL"),
    ),
    key=("id",),
    unique=("recipe_name",),
)


@fresh
def world_created(event: Event, _: Row | None) -> Row:
    data = event.data
    return {
        "id": event.originator_id,
        "name": data["name"],
        "settings": data["settings"],
        "world_type": data["world_type"],
        "seed": data["seed"],
        "created_at": event.timestamp,
        "updated_at": event.timestamp,
        "is_active": True,
        "metadata": data["metadata"],
        "flags": {},
        "version": event.originator_version,
    }


def flags_set(event: Event, row: Row | None) -> Row | None:
    if row is None:
        return None
    return updated(event, row, {"flags": with_flags(row["flags"], event.data["flags"])})


@fresh
def chunk_created(event: Event, _: Row | None) -> Row:
    data = event.data
    base = generated(data["seed"], data["world_type"], data["chunk_x"], data["chunk_y"], data["chunk_z"])
    return {
        "id": event.originator_id,
        "world_id": UUID(data["world_id"]),
        "chunk_x": data["chunk_x"],
        "chunk_y": data["chunk_y"],
        "chunk_z": data["chunk_z"],
        "block_data": {"blocks": {k: as_block(kind) for k, kind in base.items()}, "entities": []},
        "structures": [],
        "created_at": event.timestamp,
        "updated_at": event.timestamp,
        "version": event.originator_version,
    }


def _laid(row: Row, changes: dict[str, Any]) -> dict[str, Any]:
    blocks = dict(row["block_data"]["blocks"])
    for key, block in changes.items():
        if block["type"] == AIR:
            blocks.pop(key, None)
        else:
            blocks[key] = block
    return {**row["block_data"], "blocks": blocks}


def blocks_changed(event: Event, row: Row | None) -> Row | None:
    if row is None:
        return None
    changes: dict[str, Any] = {"block_data": _laid(row, event.data["changes"])}
    if event.data.get("structures") is not None:
        changes["structures"] = event.data["structures"]
    return updated(event, row, changes)


def restored(event: Event, row: Row | None) -> Row | None:
    if row is None:
        return None
    return updated(
        event, row, {"block_data": _laid(row, event.data["changes"]), "structures": event.data["structures"]}
    )


@fresh
def recipe_created(event: Event, _: Row | None) -> Row:
    data = event.data
    return {
        "id": event.originator_id,
        **{
            c: data[c]
            for c in ("recipe_name", "ingredients", "result_item", "required_level", "recipe_type", "unlock_conditions")
        },
        "created_at": event.timestamp,
    }


PROJECTION = Projection(
    name="adventure_world",
    schema_version=2,  # 2: the worlds' story flags
    tables=(WORLDS, WORLD_CHUNKS, CRAFTING_RECIPES),
    handlers={
        World.Created.TOPIC: (Handler(WORLDS, world_created),),
        World.Configured.TOPIC: (Handler(WORLDS, copy_fields(settings="settings", metadata="metadata")),),
        World.ActivityChanged.TOPIC: (Handler(WORLDS, copy_fields(is_active="is_active")),),
        World.FlagsSet.TOPIC: (Handler(WORLDS, flags_set),),
        World.EventBegan.TOPIC: (Handler(WORLDS, touched),),
        World.EventEnded.TOPIC: (Handler(WORLDS, touched),),
        Chunk.Created.TOPIC: (Handler(WORLD_CHUNKS, chunk_created),),
        Chunk.BlocksChanged.TOPIC: (Handler(WORLD_CHUNKS, blocks_changed),),
        Chunk.Restored.TOPIC: (Handler(WORLD_CHUNKS, restored),),
        Recipe.Created.TOPIC: (Handler(CRAFTING_RECIPES, recipe_created),),
    },
)

__all__ = ["CRAFTING_RECIPES", "PROJECTION", "WORLDS", "WORLD_CHUNKS"]
