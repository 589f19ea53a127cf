"""What a chunk nobody has touched holds: generated from its world's seed
and its coordinates, the same bytes in every process, so only edits are events.

A chunk is 16x16x16 blocks; ``chunk_y`` counts 16-block layers upward from
bedrock, ``0 <= chunk_y < LAYERS``. The ground's height in a column is
OpenSimplex noise of the block's x and z (two octaves: hills and bumps; the
``opensimplex`` library, not a hand-written noise), so that neighbouring
chunks join without seams. Below the surface: dirt four blocks deep, then
stone, with bedrock at y = 0; low ground is sand and under water up to
``WATER_LEVEL``. A ``flat`` world is grass at a fixed height. Terrain is a pure
function of (seed, world type, x, z): the heightmap of a chunk column is
cached, since areas are read far more often than worlds are made.
"""

from __future__ import annotations

from functools import lru_cache

from opensimplex import OpenSimplex

SIZE = 16  # blocks along each side of a chunk
LAYERS = 16  # chunk layers: the world is SIZE * LAYERS = 256 blocks high
WATER_LEVEL = 60
BASE_HEIGHT, HILLS, BUMPS = 64, 18, 4
FLAT_HEIGHT = 64
WORLD_TYPES = ("standard", "flat")
AIR = "air"

# Every block type a world knows: what edits may place (and what generation makes).
BLOCK_TYPES = frozenset(
    {
        AIR,
        "bedrock",
        "stone",
        "dirt",
        "grass",
        "sand",
        "water",
        "wood",
        "planks",
        "leaves",
        "cobblestone",
        "glass",
        "brick",
        "iron_ore",
        "gold_ore",
        "torch",
        "chest",
        "door",
        "crafting_table",
        "furnace",
    }
)

Block = dict[str, object]  # {"type": str, "metadata": dict}
# A block as a chunk keeps it: its type alone when it has no metadata (most
# do), else the block. A chunk of 4,096 edited blocks holds 4,096 dicts fewer,
# and its snapshot is half the bytes and loads in a third of the time.
Laid = Block | str


def laid(blocks: dict[str, Block]) -> dict[str, Laid]:
    """``blocks`` ("x,y,z" -> block) in the form a chunk keeps them."""
    return {k: block if block["metadata"] else block["type"] for k, block in blocks.items()}  # type: ignore[misc]


def as_block(kept: Laid) -> Block:
    """A kept block in the seed's format."""
    return {"type": kept, "metadata": {}} if isinstance(kept, str) else kept


def type_of(kept: Laid) -> str:
    return kept if isinstance(kept, str) else kept["type"]  # type: ignore[return-value]


def key(x: int, y: int, z: int) -> str:
    """A block's chunk-local coordinates as the seed's block-data key, "x,y,z"."""
    return f"{x},{y},{z}"


@lru_cache(maxsize=64)
def _noise(seed: int) -> OpenSimplex:
    return OpenSimplex(seed=seed)


@lru_cache(maxsize=4096)
def heightmap(seed: int, world_type: str, chunk_x: int, chunk_z: int) -> tuple[tuple[int, ...], ...]:
    """The ground's height (the y of the top solid block) of every column of a chunk, [x][z]."""
    if world_type == "flat":
        return tuple(tuple(FLAT_HEIGHT for _ in range(SIZE)) for _ in range(SIZE))
    noise = _noise(seed)
    heights = []
    for x in range(SIZE):
        wx = chunk_x * SIZE + x
        column = []
        for z in range(SIZE):
            wz = chunk_z * SIZE + z
            hills = noise.noise2(wx / 96, wz / 96)
            bumps = noise.noise2(wx / 19 + 1000, wz / 19 + 1000)
            column.append(max(1, min(SIZE * LAYERS - 2, round(BASE_HEIGHT + HILLS * hills + BUMPS * bumps))))
        heights.append(tuple(column))
    return tuple(heights)


def _column_block(y: int, height: int) -> str:
    if y == 0:
        return "bedrock"
    if y > height:
        return "water" if y <= WATER_LEVEL else AIR
    if y == height:
        return "sand" if height <= WATER_LEVEL + 1 else "grass"
    return "dirt" if y > height - 4 else "stone"


@lru_cache(maxsize=256)  # a generated chunk is up to 4,096 entries
def generated(seed: int, world_type: str, chunk_x: int, chunk_y: int, chunk_z: int) -> dict[str, str]:
    """The generated block types of a chunk, sparse: every block that is not air."""
    if not 0 <= chunk_y < LAYERS:
        return {}
    heights = heightmap(seed, world_type, chunk_x, chunk_z)
    blocks: dict[str, str] = {}
    bottom = chunk_y * SIZE
    for x in range(SIZE):
        for z in range(SIZE):
            height = heights[x][z]
            top = max(height, WATER_LEVEL)
            for y in range(SIZE):
                if bottom + y > top:
                    break
                kind = _column_block(bottom + y, height)
                if kind != AIR:
                    blocks[key(x, y, z)] = kind
    return blocks


def chunk_blocks(
    seed: int, world_type: str, coordinates: tuple[int, int, int], edits: dict[str, Laid]
) -> dict[str, Block]:
    """A chunk's current blocks in the seed's format, sparse (no air): the
    generated base with the edits (blocks or kept forms) laid over it (an edit
    to air removes a block)."""
    base = generated(seed, world_type, *coordinates)
    blocks: dict[str, Block] = {k: as_block(kind) for k, kind in base.items() if k not in edits}
    blocks.update({k: as_block(kept) for k, kept in edits.items() if type_of(kept) != AIR})
    return blocks
