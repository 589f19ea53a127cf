"""Reading the notification log exactly once, in tracked windows.

A ``TrackedReader`` owns one row of ``lorekeeper_projections``: the last
position it has fully processed. Each batch takes that row ``FOR UPDATE``,
reads the next window of positions, hands the notifications to ``process``
(inside the same transaction) and moves the row on, then commits. A crash
before the commit leaves both the effects and the position as they were;
after it, both have moved together. Two readers with one name serialise on
the row lock, so they never process a window twice.

Projections, the Kafka relay and the in-process consumer feed are all
``TrackedReader`` subclasses; they differ only in ``process``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import sql
from psycopg.rows import namedtuple_row

from projections import dead_letters
from projections.db import Conn, Pool
from projections.ddl import lock_ddl

TRACKING_TABLE = "lorekeeper_projections"
TRACKING_DDL = (
    f"""CREATE TABLE IF NOT EXISTS public.{TRACKING_TABLE} (
        name text PRIMARY KEY,
        position bigint NOT NULL DEFAULT 0,
        schema_version int NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
    )""",
    # Since when batches of this reader keep failing (NULL: they succeed), and why.
    f"ALTER TABLE public.{TRACKING_TABLE} ADD COLUMN IF NOT EXISTS failing_since timestamptz",
    f"ALTER TABLE public.{TRACKING_TABLE} ADD COLUMN IF NOT EXISTS last_error text",
    dead_letters.DDL,
)


class EventLog:
    """Reads the event store's notification log (eventsourcing's ``<app>_events``
    table) on the caller's connection, so that a batch reads and writes in one
    transaction on one connection. Rows have ``id``, ``originator_id``,
    ``originator_version``, ``topic`` and ``state``, like eventsourcing's
    ``Notification``."""

    def __init__(self, table: str = "lorekeeper_events") -> None:
        self.table = sql.Identifier(table)

    def head(self, conn: Conn) -> int:
        row = conn.execute(sql.SQL("SELECT max(notification_id) AS head FROM {}").format(self.table)).fetchone()
        assert row is not None  # an aggregate always returns one row
        return int(row["head"] or 0)

    def read(self, conn: Conn, after: int, upto: int, topics: Sequence[str] = ()) -> list[Any]:
        query = sql.SQL(
            "SELECT notification_id AS id, originator_id, originator_version, topic, state FROM {} "
            "WHERE notification_id > %s AND notification_id <= %s {} ORDER BY notification_id"
        ).format(self.table, sql.SQL("AND topic = ANY(%s)") if topics else sql.SQL(""))
        params: list[Any] = [after, upto] + ([list(topics)] if topics else [])
        with conn.cursor(row_factory=namedtuple_row) as cursor:
            return cursor.execute(query, params).fetchall()


@dataclass(frozen=True)
class Batch:
    applied: int
    position: int
    head: int

    @property
    def caught_up(self) -> bool:
        return self.position >= self.head


class SchemaVersionMismatch(Exception):
    """The stored read model was built by another schema version: rebuild it."""


@dataclass(frozen=True)
class Status:
    name: str
    position: int
    head: int
    schema_version: int
    updated_at: datetime | None
    failing_since: datetime | None = None
    last_error: str | None = None
    dead_letters: int = 0
    newest_dead_letter: datetime | None = None

    @property
    def lag(self) -> int:
        return max(self.head - self.position, 0)


class TrackedReader:
    """Base of everything that follows the log exactly once (see module doc)."""

    topics: tuple[str, ...] = ()  # empty: every topic
    schema_version = 1

    def __init__(
        self,
        pool: Pool,
        log: EventLog,
        *,
        tracking_name: str,
        batch_size: int = 1000,
    ) -> None:
        self.pool = pool
        self.log = log
        self.tracking_name = tracking_name
        self.batch_size = batch_size
        self.before_commit: Callable[[Sequence[Any]], None] | None = None  # a test seam
        self.until: int | None = None  # stop at this position (an as-of build); None: follow the head

    def process(self, conn: Conn, notifications: Sequence[Any]) -> None:
        """Apply one window's notifications inside the batch transaction; what
        cannot be applied is dead-lettered and the reader moves past it."""
        for failure in self.apply(conn, notifications):
            dead_letters.record(conn, self.tracking_name, **failure)

    def apply(self, conn: Conn, notifications: Sequence[Any]) -> list[dict[str, Any]]:
        """Apply notifications; returns the failures (``dead_letters.record``'s
        keyword arguments) of those that could not be."""
        raise NotImplementedError

    def retry_dead_letters(self) -> tuple[int, int]:
        """Apply this reader's dead letters again, oldest first (after a fix);
        (how many applied, how many still fail)."""
        applied = failed = 0
        with self.pool.connection() as conn:
            for letter in dead_letters.listed(conn, self.tracking_name):
                if letter.position is None:
                    continue
                with conn.transaction():
                    found = self.log.read(conn, letter.position - 1, letter.position)
                    failures = self.apply(conn, found) if found else []
                    for failure in failures:
                        dead_letters.record(conn, self.tracking_name, **failure)
                    if not failures:
                        dead_letters.remove(conn, self.tracking_name, letter.ref)
                applied += not failures
                failed += bool(failures)
        return applied, failed

    def mark_failing(self, error: BaseException) -> None:
        """Note that batches keep failing (``/health`` reads it); outside any batch."""
        with self.pool.connection() as conn:
            conn.execute(
                f"UPDATE {TRACKING_TABLE} SET failing_since = coalesce(failing_since, now()), last_error = %s "
                "WHERE name = %s",
                (dead_letters.describe(error), self.tracking_name),
            )

    def mark_healthy(self) -> None:
        with self.pool.connection() as conn:
            conn.execute(
                f"UPDATE {TRACKING_TABLE} SET failing_since = NULL, last_error = NULL "
                "WHERE name = %s AND failing_since IS NOT NULL",
                (self.tracking_name,),
            )

    def setup_tracking(self, conn: Conn) -> None:
        lock_ddl(conn)
        for statement in TRACKING_DDL:
            conn.execute(statement)
        conn.execute(
            f"INSERT INTO {TRACKING_TABLE} (name, position, schema_version) "
            "VALUES (%s, 0, %s) ON CONFLICT (name) DO NOTHING",
            (self.tracking_name, self.schema_version),
        )
        row = conn.execute(
            f"SELECT schema_version FROM {TRACKING_TABLE} WHERE name = %s", (self.tracking_name,)
        ).fetchone()
        assert row is not None
        if row["schema_version"] != self.schema_version:
            raise SchemaVersionMismatch(
                f"{self.tracking_name} was built at schema version {row['schema_version']}, "
                f"code is at {self.schema_version}"
            )

    def setup(self) -> None:
        with self.pool.connection() as conn, conn.transaction():
            self.setup_tracking(conn)

    def run_batch(self, conn: Conn | None = None) -> Batch:
        """Process the next window of the log (at most ``batch_size`` positions)."""
        if conn is not None:
            with conn.transaction():
                return self._batch(conn)
        with self.pool.connection() as own, own.transaction():
            return self._batch(own)

    def _batch(self, conn: Conn) -> Batch:
        conn.execute("SET LOCAL lock_timeout = '10s'")
        row = conn.execute(
            f"SELECT position FROM {TRACKING_TABLE} WHERE name = %s FOR UPDATE", (self.tracking_name,)
        ).fetchone()
        if row is None:
            raise RuntimeError(f"{self.tracking_name} is not set up")
        position: int = row["position"]
        # Inserts commit in notification-id order (the recorder locks the table),
        # so everything up to the head read now is committed and final.
        head = self.log.head(conn)
        if self.until is not None:
            head = min(head, self.until)
        if head <= position:
            return Batch(0, position, head)
        # A window of ids, not "the next N matching events": the range scan stays
        # small however sparse this reader's topics are in the log.
        window_end = min(head, position + self.batch_size)
        notifications = self.log.read(conn, position, window_end, self.topics)
        if notifications:
            self.process(conn, notifications)
        if self.before_commit is not None:
            self.before_commit(notifications)
        conn.execute(
            f"UPDATE {TRACKING_TABLE} SET position = %s, updated_at = now() WHERE name = %s",
            (window_end, self.tracking_name),
        )
        return Batch(len(notifications), window_end, head)

    def catch_up(self, progress: Callable[[int], None] | None = None) -> int:
        """Process batches until the head; returns how many notifications."""
        total = 0
        while True:
            batch = self.run_batch()
            total += batch.applied
            if progress is not None:
                progress(batch.position)
            if batch.caught_up:
                return total

    def position(self) -> int:
        with self.pool.connection() as conn:
            row = conn.execute(
                f"SELECT position FROM {TRACKING_TABLE} WHERE name = %s", (self.tracking_name,)
            ).fetchone()
        return row["position"] if row else 0

    def status(self) -> Status:
        with self.pool.connection() as conn:
            return statuses(conn, self.log, [self.tracking_name], {self.tracking_name: self.schema_version})[0]


def statuses(conn: Conn, log: EventLog, names: Sequence[str], versions: dict[str, int]) -> list[Status]:
    """The status of each named reader, in two queries."""
    rows = {
        r["name"]: r
        for r in conn.execute(
            f"SELECT t.*, d.n AS dead, d.newest FROM {TRACKING_TABLE} t LEFT JOIN ("
            "SELECT reader, count(*) AS n, max(last_seen) AS newest FROM lorekeeper_dead_letters GROUP BY reader"
            ") d ON d.reader = t.name WHERE t.name = ANY(%s)",
            (list(names),),
        ).fetchall()
    }
    head = log.head(conn)
    found = []
    for name in names:
        row = rows.get(name)
        if row is None:
            found.append(Status(name, 0, head, versions.get(name, 0), None))
            continue
        found.append(
            Status(
                name,
                row["position"],
                head,
                row["schema_version"],
                row["updated_at"],
                row["failing_since"],
                row["last_error"],
                row["dead"] or 0,
                row["newest"],
            )
        )
    return found
