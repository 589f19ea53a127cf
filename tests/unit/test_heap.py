"""A long-running process settles its heap once started (infra/heap.py):
what start-up left is frozen out of the collector's walks, unless the
operator turned it off; and what survives each full collection later is
frozen too, thawed and walked again once the frozen generation has grown."""

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


def test_what_survives_a_full_collection_is_frozen_and_a_thaw_finds_the_cycles_that_died_since(unsettled):
    keeper = heap.Keeper(growth=1000.0)
    gc.callbacks.append(keeper)
    try:
        node = Node()
        alive = weakref.ref(node)
        gc.collect(1)  # not a full collection: nothing frozen
        assert id(node) in walked_ids()
        gc.collect()
        assert id(node) not in walked_ids() and gc.get_freeze_count() > 0  # survived: frozen
        del node
        gc.collect()
        assert alive() is not None and keeper.thaws == 0  # frozen: its cycle is not looked at
        assert keeper.thaw_above == pytest.approx(gc.get_freeze_count() * 1000.0, rel=1e-3)  # from the first freeze
        keeper.thaw_above = 0  # as if the frozen generation had grown past its bound
        gc.collect()
        assert alive() is None and keeper.thaws == 1  # thawed, walked, found dead
        assert keeper.thaw_above == pytest.approx(gc.get_freeze_count() * 1000.0, rel=1e-3)  # from what survived
    finally:
        gc.callbacks.remove(keeper)


def test_the_frozen_generation_is_thawed_once_it_has_grown_by_the_factor(unsettled):
    gc.collect()
    gc.freeze()
    keeper = heap.Keeper(growth=1.5)
    gc.callbacks.append(keeper)
    try:
        before = gc.get_freeze_count()
        assert keeper.thaw_above == int(before * 1.5)
        grown = [[] for _ in range(before)]  # survivors enough to pass the bound
        gc.collect()
        assert keeper.thaws == 0 and gc.get_freeze_count() >= before + len(grown)
        gc.collect()
        assert keeper.thaws == 1
        assert keeper.thaw_above == pytest.approx(gc.get_freeze_count() * 1.5, rel=1e-3)
    finally:
        gc.callbacks.remove(keeper)
