"""The versions other processes' writes reached, so that a cached aggregate they
moved past is never trusted.

The store trusts its aggregate cache instead of reading each aggregate again
before every command (domain/kernel/store.py). A write from a stale copy is
refused by the store's unique ``(originator_id, originator_version)`` key, but
an aggregate a command only *reads* (a world whose rules it checks, the
relationship an agent's turn looks at) and an aggregate a query returns are
never written, so nothing would refuse them: another process (the projector
process taking turns, a second API process, an AI consumer) may have written
it since it was cached here. Each such process follows the log
(infra/cache_keeper.py) and raises the floor of every aggregate it sees
written; a cached copy below its floor is read from the store again.

Bounded: past ``limit`` aggregates the oldest floors are dropped, and their
cached copies with them (a copy whose floor is gone could not be checked).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from uuid import UUID

FLOORS_MAX = 50_000


class Floors:
    def __init__(self, limit: int = FLOORS_MAX) -> None:
        self.limit = limit
        self._versions: OrderedDict[UUID, int] = OrderedDict()
        self._lock = threading.Lock()

    def raise_to(self, versions: Iterable[tuple[UUID, int]]) -> list[UUID]:
        """Raise each aggregate's floor to the version given (never lower it);
        returns the aggregates whose floors were dropped to stay in bounds."""
        dropped: list[UUID] = []
        with self._lock:
            known = self._versions
            for aggregate_id, version in versions:
                if version > known.get(aggregate_id, 0):
                    known[aggregate_id] = version
                    known.move_to_end(aggregate_id)
            while len(known) > self.limit:
                dropped.append(known.popitem(last=False)[0])
        return dropped

    def trails(self, aggregate_id: UUID, version: int) -> bool:
        """True if a copy at ``version`` is older than what has been written."""
        return version < self._versions.get(aggregate_id, 0)

    def __len__(self) -> int:
        return len(self._versions)
