"""A long-running process settles its heap once started (infra/heap.py):
what start-up left is frozen out of the collector's walks, unless the
operator turned it off."""

from __future__ import annotations

import gc

import api.app  # noqa: F401  (start-up's objects: the app's modules, schemas and validators)
from infra import heap


def test_settling_freezes_start_ups_objects_out_of_full_collections():
    gc.unfreeze()
    try:
        heap.settle(enabled=False)
        assert gc.get_freeze_count() == 0
        walked = len(gc.get_objects())
        heap.settle()
        assert gc.get_freeze_count() >= walked // 2 and len(gc.get_objects()) < walked // 10
    finally:
        gc.unfreeze()
