"""Worlds and chunks: generation from the seed, edits as events, restore by new events."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest

from domain.adventure.chunks import EDIT_MAX, Chunk, InvalidEdit, chunk_id
from domain.adventure.terrain import AIR, SIZE, WATER_LEVEL, generated, heightmap
from domain.adventure.worlds import InvalidWorld, WorldInactive, WorldNameTaken
from domain.kernel.errors import VersionConflict
from tests.unit.adventure.helpers import adventure


def test_a_world_name_is_taken_once_whatever_its_case():
    game, world_id, *_ = adventure()
    name = game.world(world_id).name
    with pytest.raises(WorldNameTaken):
        game.create_world(name.upper(), "flat", 1, {}, {})
    with pytest.raises(InvalidWorld, match="'cube' is not a world type"):
        game.create_world("Other", "cube", 1, {}, {})
    with pytest.raises(InvalidWorld, match="64-bit"):
        game.create_world("Other", "flat", 2**63, {}, {})


def test_generation_is_the_same_in_another_process():
    here = generated(1234, "standard", 3, 4, -2)
    code = (
        "import json; from domain.adventure.terrain import generated; "
        "print(json.dumps(generated(1234, 'standard', 3, 4, -2), sort_keys=True))"
    )
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    import json

    assert json.loads(there) == here and here  # byte for byte, and not empty: ground at layer 4
    assert generated(1234, "standard", 3, 4, -2) is here  # cached


def test_terrain_is_bedrock_stone_dirt_and_grass_or_sand_under_water():
    heights = heightmap(7, "standard", 0, 0)
    blocks = {}
    for layer in range(6):
        blocks.update({(k, layer): v for k, v in generated(7, "standard", 0, layer, 0).items()})
    x, z = 5, 9
    height = heights[x][z]
    column = {
        layer * SIZE + int(k.split(",")[1]): v
        for (k, layer), v in blocks.items()
        if k.startswith(f"{x},") and k.endswith(f",{z}")
    }
    assert column[0] == "bedrock"
    assert column[height] in ("grass", "sand") and column[height - 1] == "dirt" and column[height - 5] == "stone"
    assert all(column.get(y, AIR) in ("water", AIR) for y in range(height + 1, WATER_LEVEL + 2))
    assert generated(7, "flat", 0, 4, 0)["0,0,0"] == "grass"  # a flat world's ground is at y = 64


def test_an_edit_is_recorded_and_read_over_the_generated_base():
    game, world_id, player, ada, _ = adventure()
    version, blocks, _ = game.building.chunk(world_id, 0, 5, 0)
    assert version == 0
    game.building.edit_chunk(
        player, world_id, (0, 5, 0), {"1,2,3": {"type": "brick", "metadata": {"color": "red"}}}, None, ada, 0
    )
    version, blocks, _structures = game.building.chunk(world_id, 0, 5, 0)
    assert version == 2 and blocks["1,2,3"] == {"type": "brick", "metadata": {"color": "red"}}
    assert game.character(ada).skills["building"]["experience"] == 2  # one block placed
    with pytest.raises(VersionConflict):
        game.building.edit_chunk(player, world_id, (0, 5, 0), {"1,2,3": {"type": "air"}}, None, ada, 1)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"16,0,0": {"type": "stone"}}, "outside the chunk"),
        ({"a,0,0": {"type": "stone"}}, "is not 'x,y,z'"),
        ({"-1,0,0": {"type": "stone"}}, "is not 'x,y,z'"),
        ({"0,0,0": {"type": "lava"}}, "unknown block type"),
        ({"0,0,0": {"type": "stone", "color": 1}}, "a block is"),
        ({}, "an edit changes 1 to"),
        ({f"{i % 16},{i // 16 % 16},{i // 256}": {"type": "stone"} for i in range(EDIT_MAX + 1)}, "an edit changes"),
    ],
)
def test_a_bad_edit_is_refused_and_records_nothing(changes, message):
    game, world_id, player, ada, _ = adventure()
    before = game.store.recorder.max_notification_id()
    with pytest.raises(InvalidEdit, match=message):
        game.building.edit_chunk(player, world_id, (0, 4, 0), changes, None, ada)
    with pytest.raises(InvalidEdit, match="outside the world"):
        game.building.edit_chunk(player, world_id, (0, 16, 0), {"0,0,0": {"type": "stone"}}, None, ada)
    assert game.store.recorder.max_notification_id() == before


def test_an_inactive_world_takes_no_edits():
    game, world_id, player, ada, _ = adventure()
    game.configure_world(world_id, None, None, False)
    with pytest.raises(WorldInactive):
        game.building.edit_chunk(player, world_id, (0, 4, 0), {"0,0,0": {"type": "stone"}}, None, ada)


def test_a_chunk_is_restored_by_new_events_to_a_version_or_a_time():
    game, world_id, player, ada, _ = adventure()
    edit = game.building.edit_chunk
    edit(player, world_id, (1, 4, 1), {"0,0,0": {"type": "glass"}}, [{"type": "tower"}], ada)
    middle = datetime.now(UTC)
    edit(player, world_id, (1, 4, 1), {"0,0,0": {"type": "air"}, "1,1,1": {"type": "torch"}}, None, ada)
    edit(player, world_id, (1, 4, 1), {"2,2,2": {"type": "chest"}}, [], None)
    key = chunk_id(world_id, 1, 4, 1)
    restored = game.building.restore_chunk(world_id, (1, 4, 1), 2, None).aggregate
    assert restored.version == 5 and restored.edits == {"0,0,0": {"type": "glass", "metadata": {}}}
    assert restored.structures == [{"type": "tower"}]
    assert game.store.load_at(Chunk, key, 4).edits["2,2,2"]["type"] == "chest"  # nothing deleted
    again = game.building.restore_chunk(world_id, (1, 4, 1), None, middle).aggregate
    assert again.version == 5  # already as it was then: nothing to write
    with pytest.raises(InvalidEdit, match="from 1 to 5"):
        game.building.restore_chunk(world_id, (1, 4, 1), 6, None)


def test_an_area_is_bounded_and_holds_every_chunk():
    game, world_id, *_ = adventure()
    area = game.building.area(world_id, (0, 3, 0), (7, 3, 7))
    assert len(area) == 64 and area[0][0] == (0, 3, 0)
    with pytest.raises(InvalidEdit, match="a box of 1 to 64 chunks"):
        game.building.area(world_id, (0, 0, 0), (8, 0, 7))
    with pytest.raises(InvalidEdit):
        game.building.area(world_id, (1, 0, 0), (0, 0, 0))
