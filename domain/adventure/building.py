"""Building: reading the blocks of chunks and areas (generated base and
edits), editing chunks (by a player's character, which earns building and
mining experience, or by an admin), and restoring a chunk to an earlier
version or time by new events."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from domain.adventure.characters import Adventurer
from domain.adventure.chunks import Chunk, InvalidEdit, check_coordinates, chunk_id
from domain.adventure.terrain import Block, chunk_blocks
from domain.adventure.worlds import World
from domain.kernel.errors import NotFound, VersionConflict
from domain.kernel.store import Lorekeeper, Written

AREA_MAX_CHUNKS = 64  # chunks one area read returns (8 x 8 x 1, or 4 x 4 x 4)
BLOCK_EXPERIENCE = 2  # skill experience per block placed (building) or removed (mining)
ChunkView = tuple[int, dict[str, Block], list[dict[str, Any]]]  # version (0: never edited), blocks, structures


def check_area(low: tuple[int, int, int], high: tuple[int, int, int]) -> list[tuple[int, int, int]]:
    """The chunks of the box from ``low`` to ``high`` (inclusive), in (x, y, z)
    order: InvalidEdit for an empty box or one of more than AREA_MAX_CHUNKS."""
    sizes = [h - lo + 1 for lo, h in zip(low, high, strict=True)]
    if min(sizes) < 1 or sizes[0] * sizes[1] * sizes[2] > AREA_MAX_CHUNKS:
        raise InvalidEdit(f"an area is a box of 1 to {AREA_MAX_CHUNKS} chunks", limit=AREA_MAX_CHUNKS)
    for corner in (low, high):
        check_coordinates(*corner)
    return [
        (x, y, z)
        for x in range(low[0], high[0] + 1)
        for y in range(low[1], high[1] + 1)
        for z in range(low[2], high[2] + 1)
    ]


class Building:
    def __init__(self, store: Lorekeeper) -> None:
        self.store = store

    def chunk(self, world_id: UUID, x: int, y: int, z: int) -> ChunkView:
        """A chunk's version (0: never edited), current blocks and structures."""
        world = self.store.load(World, world_id)
        check_coordinates(x, y, z)
        try:
            chunk = self.store.load(Chunk, chunk_id(world_id, x, y, z))
        except NotFound:
            return 0, chunk_blocks(world.seed, world.world_type, (x, y, z), {}), []
        return chunk.version, chunk.blocks(), chunk.structures

    def area(
        self, world_id: UUID, low: tuple[int, int, int], high: tuple[int, int, int]
    ) -> list[tuple[tuple[int, int, int], ChunkView]]:
        """Every chunk in the box from ``low`` to ``high`` (inclusive), at most AREA_MAX_CHUNKS."""
        return [((x, y, z), self.chunk(world_id, x, y, z)) for x, y, z in check_area(low, high)]

    def edit_chunk(
        self,
        owner: UUID | None,
        world_id: UUID,
        coordinates: tuple[int, int, int],
        changes: dict[str, Any],
        structures: list[dict[str, Any]] | None,
        character_id: UUID | None,
        expected_version: int | None = None,
    ) -> Written:
        """Blocks changed by a player's character in this world (which earns
        building and mining experience), or by an admin (no character)."""
        world = self.store.load(World, world_id)
        world.check_active()
        check_coordinates(*coordinates)
        key = chunk_id(world_id, *coordinates)

        def step() -> Written:
            builder = None
            if character_id is not None:
                builder = self.store.load(Adventurer, character_id, actor_id=owner)
                if builder.world_id != world_id:
                    raise InvalidEdit("the character is in another world")
            try:
                # If-Match 0 says "never edited": an edited chunk's version answers VersionConflict.
                chunk = self.store.load(Chunk, key, expected_version)
            except NotFound:
                if expected_version:
                    raise VersionConflict(
                        f"expected version {expected_version}, the chunk was never edited (version 0)",
                        current_version=0,
                    ) from None
                chunk = Chunk.first_edit(world_id, coordinates, world.seed, world.world_type)
            chunk.edit(changes, structures, character_id)
            if builder is None:
                return self.store.written(chunk)
            event = chunk.pending_events[-1]
            builder.practise("building", BLOCK_EXPERIENCE * event.placed)  # type: ignore[attr-defined]
            builder.practise("mining", BLOCK_EXPERIENCE * event.removed)  # type: ignore[attr-defined]
            return self.store.written(chunk, builder)

        return self.store.change(key, step)

    def restore_chunk(
        self, world_id: UUID, coordinates: tuple[int, int, int], version: int | None, at: datetime | None
    ) -> Written:
        """The chunk back as it was at ``version`` (or at the time ``at``), by new events."""
        key = chunk_id(world_id, *coordinates)

        def step() -> Written:
            chunk = self.store.load(Chunk, key)
            target = version if version is not None else self._version_at(key, chunk.version, at)
            if not 1 <= target <= chunk.version:
                raise InvalidEdit(f"a chunk is restored to a version from 1 to {chunk.version}")
            chunk.restore(self.store.load_at(Chunk, key, target))
            return self.store.written(chunk)

        return self.store.change(key, step)

    def _version_at(self, key: UUID, current: int, at: datetime | None) -> int:
        """The last version recorded at or before ``at`` (binary search over versions)."""
        if at is None:
            raise InvalidEdit("say which version or time to restore to")
        low, high = 0, current
        while low < high:
            middle = (low + high + 1) // 2
            if self.store.load_at(Chunk, key, middle).modified_on <= at:
                low = middle
            else:
                high = middle - 1
        return low
