"""The read side as the API sees it: the pool its queries use, the event
store's head, and how to wait until the read models include a write."""

from __future__ import annotations

from collections.abc import Sequence

from projections.db import Pool
from projections.tracking import EventLog, wait_for_position


class ReadSide:
    def __init__(self, pool: Pool, log: EventLog, names: Sequence[str], wait_max_seconds: float) -> None:
        self.pool = pool
        self.log = log
        self.names = list(names)  # the projections a read may wait for
        self.wait_max_seconds = wait_max_seconds

    def head(self) -> int:
        """The position of the last event stored."""
        with self.pool.connection() as conn:
            return self.log.head(conn)

    def wait(self, position: int, timeout: float | None = None) -> bool:
        """Block until every projection reached ``position``; False after the bound."""
        bound = self.wait_max_seconds if timeout is None else timeout
        return wait_for_position(self.pool, self.names, position, bound)
