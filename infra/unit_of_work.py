"""One transaction that a command's events share with what must commit with
them: the answer to an idempotent request (infra/idempotency.py).

While a unit of work is open on a thread (a context variable), the recorder
writes that thread's events on the unit's connection instead of through the
group committer; the unit commits once, events and answer together, or rolls
back both. A crash anywhere before the commit leaves neither.

The cost: between its first insert and its commit the unit holds the event
store's writer lock (positions must commit in order), so other writers wait
for the length of rendering and storing one answer. Only requests that carry
an ``Idempotency-Key`` pay it; everything else goes through the group commit.

Work that must not happen for events that might roll back waits for the
commit (``after_commit``: snapshots); work that undoes in-memory state runs on
a rollback (``on_rollback``: evicting cached aggregates).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import psycopg
from eventsourcing.persistence import IntegrityError, StoredEvent

from projections.db import Conn

_current: ContextVar[UnitOfWork | None] = ContextVar("lorekeeper_unit_of_work", default=None)


@dataclass
class UnitOfWork:
    conn: Conn
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    on_rollback: list[Callable[[], None]] = field(default_factory=list)
    discard: bool = False  # roll back at the end, as if nothing had happened

    def insert(self, recorder: Any, stored_events: Sequence[StoredEvent]) -> Sequence[int] | None:
        """The recorder's insert, on this unit's connection, in a savepoint (a
        lost race undoes only this insert, and the command may decide again)."""
        try:
            with self.conn.transaction(), self.conn.cursor() as curs:
                recorder._insert_events(curs, stored_events)
                recorder._insert_stored_events(curs, stored_events)
                ids: Sequence[int] | None = recorder._fetch_ids_after_insert_events(curs, stored_events)
                return ids
        except psycopg.IntegrityError as e:
            raise IntegrityError(str(e)) from e


def current() -> UnitOfWork | None:
    return _current.get()


@contextmanager
def unit_of_work(connect: Callable[[], Any]) -> Iterator[UnitOfWork]:
    """A unit of work on a connection from ``connect`` (the event store's own
    pool: its connections know the stored-event type). Commits when the block
    ends, unless it raised or set ``discard``."""
    with connect() as conn:
        unit = UnitOfWork(conn)
        token = _current.set(unit)
        committed = False
        try:
            with conn.transaction():
                yield unit
                if unit.discard:
                    raise psycopg.Rollback()
            committed = not unit.discard
        finally:
            _current.reset(token)
            for follow_up in unit.after_commit if committed else unit.on_rollback:
                follow_up()
