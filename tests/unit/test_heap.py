"""A long-running process settles its heap once started (infra/heap.py):
what start-up left is frozen out of the collector's walks, unless the
operator turned it off; and what survives each full collection later is
frozen too, thawed and walked again once the process's memory has grown."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

import api.app  # noqa: F401  (start-up's objects: the app's modules, schemas and validators)
from infra import heap


@pytest.fixture
def unsettled() -> Iterator[None]:
    """No keeper, nothing frozen, and no collection but the test's own."""
    heap.unsettle()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        heap.unsettle()


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


def walked_ids() -> set[int]:
    return {id(o) for o in gc.get_objects()}


def test_settling_freezes_start_ups_objects_out_of_full_collections(unsettled):
    heap.settle(enabled=False)
    assert gc.get_freeze_count() == 0 and not any(isinstance(c, heap.Keeper) for c in gc.callbacks)
    walked = len(gc.get_objects())
    heap.settle()
    assert gc.get_freeze_count() >= walked // 2 and len(gc.get_objects()) < walked // 10
    heap.settle()  # again: one keeper per process
    assert sum(isinstance(c, heap.Keeper) for c in gc.callbacks) == 1


class Memory:
    """A stand-in for the process's peak memory, set by the test."""

    def __init__(self, size: int) -> None:
        self.now = size

    def __call__(self) -> int:
        return self.now


def test_what_survives_a_full_collection_is_frozen_and_a_thaw_finds_the_cycles_that_died_since(unsettled):
    memory = Memory(100)
    keeper = heap.Keeper(growth=2.0, size=memory)
    gc.callbacks.append(keeper)
    try:
        node = Node()
        alive = weakref.ref(node)
        gc.collect(1)  # not a full collection: nothing frozen
        assert id(node) in walked_ids()
        gc.collect()
        assert id(node) not in walked_ids() and gc.get_freeze_count() > 0  # survived: frozen
        del node
        memory.now = 200  # grown, but not past twice what it was
        gc.collect()
        assert alive() is not None and keeper.thaws == 0  # frozen: its cycle is not looked at
        memory.now = 201
        gc.collect()
        assert alive() is None and keeper.thaws == 1  # thawed, walked, found dead
        assert keeper.thaw_above == 402  # the next bound: twice the memory at this walk
        gc.collect()
        assert keeper.thaws == 1
    finally:
        gc.callbacks.remove(keeper)


def test_a_process_settles_with_a_keeper_bound_to_its_peak_memory(unsettled):
    heap.settle()
    (keeper,) = [c for c in gc.callbacks if isinstance(c, heap.Keeper)]
    assert keeper.size is heap.peak_memory and heap.peak_memory() > 0
    assert keeper.thaw_above == pytest.approx(heap.THAW_GROWTH * heap.peak_memory(), rel=0.1)
