"""A chunk's snapshot stores its kept blocks packed (a palette and a character
per cell, blocks with metadata as they are): whatever a chunk keeps, packing
and unpacking give it back, and a chunk restored from its snapshot through
the store's mapper is the chunk."""

from __future__ import annotations

from uuid import uuid4

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.adventure.chunks import CELLS, PALETTE_START, UNEDITED, Chunk, pack, unpack
from domain.adventure.terrain import BLOCK_TYPES
from tests.property.support import restore_snapshot

types = st.sampled_from(sorted(BLOCK_TYPES))
metadata = st.dictionaries(st.sampled_from(["facing", "items", "owner"]), st.integers(0, 9), min_size=1, max_size=2)
kept_block = st.one_of(types, st.builds(lambda t, m: {"type": t, "metadata": m}, types, metadata))
kept = st.dictionaries(st.sampled_from(CELLS), kept_block, max_size=300)


@given(kept)
def test_packing_gives_back_every_kept_block(blocks):
    packed = pack(blocks)
    assert len(packed["cells"]) == len(CELLS)
    assert len(packed["palette"]) == len(set(packed["palette"])) == len({b for b in blocks.values() if type(b) is str})
    assert UNEDITED not in "".join(chr(PALETTE_START + i) for i in range(len(BLOCK_TYPES)))
    assert unpack(packed) == blocks


def test_a_chunk_with_every_cell_edited_packs_to_a_sixth_of_its_dict():
    blocks = {cell: sorted(BLOCK_TYPES)[i % len(BLOCK_TYPES)] for i, cell in enumerate(CELLS)}
    packed = pack(blocks)
    assert packed["blocks"] == {} and UNEDITED not in packed["cells"] and unpack(packed) == blocks
    assert len(orjson.dumps(packed)) * 6 < len(
        orjson.dumps({k: {"type": t, "metadata": {}} for k, t in blocks.items()})
    )


@given(
    st.lists(st.dictionaries(st.sampled_from(CELLS[:64]), kept_block, min_size=1, max_size=8), min_size=1, max_size=6)
)
def test_a_chunk_restored_from_its_snapshot_is_the_chunk(edits):
    chunk = Chunk.first_edit(uuid4(), (3, 2, -1), 11, "standard")
    for changes in edits:
        chunk.edit({k: b if isinstance(b, dict) else {"type": b} for k, b in changes.items()}, None, None)
    chunk.collect_events()
    assert restore_snapshot(chunk) == chunk


def test_a_packing_of_more_cells_than_a_chunk_has_is_refused_not_cut_short():
    packed = pack({"0,0,0": "stone"})
    with pytest.raises(ValueError):
        unpack({**packed, "cells": packed["cells"] + "A"})


def test_an_edited_block_is_answered_in_the_seeds_format_whichever_form_it_is_kept_in():
    chunk = Chunk.first_edit(uuid4(), (0, 1, 0), 5, "standard")
    chest = {"type": "chest", "metadata": {"items": 2}}
    chunk.edit({"1,1,1": {"type": "glass"}, "2,2,2": chest}, None, None)
    assert chunk.laid == {"1,1,1": "glass", "2,2,2": chest}
    assert chunk.edit_at("1,1,1") == {"type": "glass", "metadata": {}} and chunk.edit_at("2,2,2") == chest
