"""Keeps this process's aggregate cache honest about other processes' writes.

The store trusts its cached aggregates (domain/kernel/store.py), and a write
from a stale copy is refused by the store's unique key. What nothing refused
was a stale copy that is only *read*: the world whose rules a command checks,
the relationship an agent's turn looks at, the save slot a ``GET`` returns,
when another process (the projector process taking turns, an AI consumer, a
second API process) wrote it after it was cached here. The keeper follows
the log's ``(originator_id, originator_version)`` from where it was made and
hands them to ``Lorekeeper.note_versions``: a copy that trails is read again.

Run by a ``Follower`` (LISTEN/NOTIFY with a poll as the fallback) in every
long-running process, and caught up on demand where a decision must see what
set it off (``catch_up`` before due timers fire and before an AI consumer's
batch). Bounded: at most ``batch`` rows a query.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from uuid import UUID

from psycopg import errors, sql

from projections.db import Pool, statements

log = logging.getLogger(__name__)

BATCH = 5000


class CacheKeeper:
    tracking_name = "cache:keeper"  # for the follower's logs; it keeps no tracking row

    def __init__(
        self,
        pool: Pool,
        table: str,
        note: Callable[[Iterable[tuple[UUID, int]]], None],
        batch: int = BATCH,
    ) -> None:
        self.pool = pool
        self.table = table
        self.note = note
        self.batch = batch
        self._head = sql.SQL("SELECT coalesce(max(notification_id), 0) AS head FROM {}").format(sql.Identifier(table))
        self._read = sql.SQL(
            "SELECT notification_id, originator_id, originator_version FROM {} "
            "WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
        ).format(sql.Identifier(table))
        self._lock = threading.Lock()
        # Where it starts: nothing is cached yet, so nothing written before can
        # be stale (and with no events table yet, nothing was written).
        try:
            with statements(pool) as conn:
                row = conn.execute(self._head).fetchone()
        except errors.UndefinedTable:
            row = None
        self.position = int(row["head"]) if row else 0

    def catch_up(self) -> int:
        """Note every write committed since the last call; returns how many."""
        noted = 0
        with self._lock, statements(self.pool) as conn:
            while True:
                rows = conn.execute(self._read, (self.position, self.batch)).fetchall()
                if rows:
                    self.note((r["originator_id"], r["originator_version"]) for r in rows)
                    self.position = int(rows[-1]["notification_id"])
                    noted += len(rows)
                if len(rows) < self.batch:
                    return noted

    def mark_failing(self, error: BaseException) -> None:
        log.error("the aggregate cache cannot follow the log; trusted as it is until it catches up", exc_info=error)

    def mark_healthy(self) -> None:
        """Nothing to clear."""
