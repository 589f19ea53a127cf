"""The read side as the API sees it: the pool its queries use, the event
store's head, and how to wait until the read models include a write."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from projections.db import Pool
from projections.tracking import TRACKING_TABLE, EventLog


class BeyondHead(ValueError):
    """A position no event has yet: waiting for it cannot end."""

    def __init__(self, position: int, head: int) -> None:
        super().__init__(f"position {position} is beyond the last stored event ({head})")
        self.position = position
        self.head = head


class TooManyWaiters(RuntimeError):
    """Every waiting slot is taken: wait elsewhere (a waiter holds a thread)."""


class ReadSide:
    def __init__(
        self, pool: Pool, log: EventLog, names: Sequence[str], wait_max_seconds: float, max_waiters: int = 16
    ) -> None:
        self.pool = pool
        self.log = log
        self.names = list(names)  # the projections a read may wait for
        self.wait_max_seconds = wait_max_seconds
        self.max_waiters = max_waiters
        self._waiters = threading.BoundedSemaphore(max_waiters)

    def head(self) -> int:
        """The position of the last event stored."""
        with self.pool.connection() as conn:
            return self.log.head(conn)

    def wait(self, position: int, timeout: float | None = None) -> bool:
        """Block until every projection reached ``position``; False after the
        bound. ``BeyondHead`` at once for a position no event has, and
        ``TooManyWaiters`` at once when ``max_waiters`` requests wait already."""
        if reached(self.pool, self.names, position):
            return True
        head = self.head()
        if position > head:
            raise BeyondHead(position, head)
        if not self._waiters.acquire(blocking=False):
            raise TooManyWaiters(f"{self.max_waiters} reads are waiting for the read models already")
        try:
            bound = self.wait_max_seconds if timeout is None else timeout
            return wait_for_position(self.pool, self.names, position, bound)
        finally:
            self._waiters.release()


def reached(pool: Pool, names: Sequence[str], position: int) -> bool:
    """Whether every named reader has processed ``position``."""
    with pool.connection() as conn:
        row = conn.execute(
            f"SELECT min(position) AS p, count(*) AS n FROM {TRACKING_TABLE} WHERE name = ANY(%s)",
            (list(names),),
        ).fetchone()
    return bool(row and row["n"] == len(names) and row["p"] >= position)


def wait_for_position(pool: Pool, names: Sequence[str], position: int, timeout: float) -> bool:
    """Block until every named reader reached ``position``; False on timeout."""
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        if reached(pool, names, position):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(min(delay, max(deadline - time.monotonic(), 0)))
        delay = min(delay * 2, 0.05)
