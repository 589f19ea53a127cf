"""Dead letters: what a reader of the log could not apply, set aside so that
everything else goes on.

Which failures are which (docs/operations.md):

- **poison**: the event itself cannot be applied: a handler raises, a row
  holds a value PostgreSQL refuses (``DataError``: U+0000 in text, an integer
  out of range), a constraint refuses it (``IntegrityError``). Retrying cannot
  help until the code changes, so it is recorded here, logged as an error, and
  the reader moves past it.
- **transient**: the database is unreachable, a lock or statement timed out, a
  serialization failure (``OperationalError``, ``InterfaceError``). Nothing is
  recorded; the batch rolls back and is retried with a growing pause.
- **stuck**: the schema is not what the code expects (``ProgrammingError``,
  e.g. a dropped table). No event is to blame, so none is dead-lettered; the
  reader retries, and ``/health`` reports it stuck.

``isolate`` runs a batch in a savepoint and, when a poison error breaks it,
applies its items one at a time so that only the guilty one is set aside:
a result that never depends on how the log was cut into batches.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

import psycopg
from psycopg.types.json import Jsonb

from projections.db import Conn

log = logging.getLogger(__name__)
T = TypeVar("T")

DDL = """CREATE TABLE IF NOT EXISTS lorekeeper_dead_letters (
    reader text NOT NULL,
    ref text NOT NULL,
    position bigint,
    topic text NOT NULL,
    originator_id uuid,
    error text NOT NULL,
    first_seen timestamptz NOT NULL DEFAULT now(),
    last_seen timestamptz NOT NULL DEFAULT now(),
    attempts int NOT NULL DEFAULT 1,
    message bytea,
    headers jsonb,
    PRIMARY KEY (reader, ref)
)"""
ERROR_MAX = 2000


def is_poison(error: BaseException) -> bool:
    """True if the item that raised it can never be applied as it is."""
    # Not KeyboardInterrupt or SystemExit (stop, never swallow); not transient
    # errors, nor a schema that is wrong: no item is to blame for those.
    return isinstance(error, Exception) and not isinstance(
        error, psycopg.OperationalError | psycopg.InterfaceError | psycopg.ProgrammingError
    )


@dataclass(frozen=True)
class DeadLetter:
    reader: str
    ref: str
    position: int | None
    topic: str
    originator_id: UUID | None
    error: str
    first_seen: datetime
    last_seen: datetime
    attempts: int
    message: bytes | None = None
    headers: dict[str, str] | None = None


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:ERROR_MAX]


def record(
    conn: Conn,
    reader: str,
    *,
    position: int | None,
    topic: str,
    originator_id: UUID | None,
    error: BaseException,
    ref: str | None = None,
    message: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Set one item aside (again: its attempts count up), loudly."""
    ref = ref or str(position)
    log.error("%s: dead-lettered %s (%s at position %s): %s", reader, ref, topic, position, describe(error))
    conn.execute(
        "INSERT INTO lorekeeper_dead_letters "
        "(reader, ref, position, topic, originator_id, error, message, headers) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (reader, ref) DO UPDATE SET error = EXCLUDED.error, last_seen = now(), "
        "attempts = lorekeeper_dead_letters.attempts + 1",
        (
            reader,
            ref,
            position,
            topic,
            originator_id,
            describe(error),
            message,
            Jsonb(headers) if headers is not None else None,
        ),
    )


def listed(conn: Conn, reader: str) -> list[DeadLetter]:
    rows = conn.execute(
        "SELECT * FROM lorekeeper_dead_letters WHERE reader = %s ORDER BY position NULLS LAST, ref", (reader,)
    ).fetchall()
    return [DeadLetter(**{**r, "message": bytes(r["message"]) if r["message"] is not None else None}) for r in rows]


def remove(conn: Conn, reader: str, ref: str) -> None:
    conn.execute("DELETE FROM lorekeeper_dead_letters WHERE reader = %s AND ref = %s", (reader, ref))


def summary(conn: Conn) -> dict[str, tuple[int, datetime]]:
    """Per reader: how many dead letters, and when the newest was last seen."""
    rows = conn.execute(
        "SELECT reader, count(*) AS n, max(last_seen) AS newest FROM lorekeeper_dead_letters GROUP BY reader"
    ).fetchall()
    return {r["reader"]: (r["n"], r["newest"]) for r in rows}


def isolate(
    conn: Conn,
    items: Sequence[T],
    apply: Callable[[Sequence[T]], Any],
    poisoned: Callable[[T, BaseException], None],
) -> None:
    """``apply(items)`` in a savepoint; if a poison error breaks it, each item
    alone, in order, each in its own savepoint, handing the ones that fail to
    ``poisoned``. Transient and stuck errors propagate (the caller retries)."""
    try:
        with conn.transaction():
            apply(items)
        return
    except Exception as error:
        if not is_poison(error) or len(items) == 1:
            if is_poison(error):
                poisoned(items[0], error)
                return
            raise
    for item in items:
        try:
            with conn.transaction():
                apply([item])
        except Exception as error:
            if not is_poison(error):
                raise
            poisoned(item, error)
