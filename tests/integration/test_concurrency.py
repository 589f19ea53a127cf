"""N threads writing one save slot: exactly one writer wins each version, no
acknowledged write is lost, every other attempt gets a typed conflict."""

from __future__ import annotations

import threading
from collections import Counter

from domain.kernel.errors import ConcurrentWrite, VersionConflict
from tests.support import app_of

THREADS = 8
WRITES_PER_THREAD = 10


def test_concurrent_writers_of_one_slot(container):
    app = app_of(container)
    owner = app.accounts.create_player().aggregate
    slot_id = app.narrative.open_save_slot(owner.id, "contested").aggregate.id
    acknowledged: list[tuple[int, str]] = []
    conflicts = Counter()
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def writer(n: int) -> None:
        start.wait()
        done = 0
        while done < WRITES_PER_THREAD:
            version = app.narrative.get_save_slot(slot_id).version
            tag = f"w{n}-{done}"
            try:
                written = app.narrative.save_progress(slot_id, {"tag": tag}, expected_version=version)
            except (VersionConflict, ConcurrentWrite) as e:
                with lock:
                    conflicts[type(e).__name__] += 1
                continue
            with lock:
                acknowledged.append((written.aggregate.version, tag))
            done += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)

    versions = [v for v, _ in acknowledged]
    assert len(acknowledged) == THREADS * WRITES_PER_THREAD
    assert sorted(versions) == list(range(2, 2 + len(acknowledged))), "one winner per version"
    assert sum(conflicts.values()) > 0, "the writers never actually raced"

    # Every acknowledged write is in the store, at the version it was acknowledged with.
    stored = {
        e.originator_version: e.narrative_state["tag"]
        for e in app.store.events.get(slot_id)
        if hasattr(e, "narrative_state") and e.originator_version > 1
    }
    assert stored == dict(acknowledged)
