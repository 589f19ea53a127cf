"""Follows the notification log and keeps one projection's tables up to date.

Exactly once: each batch reads the projection's position ``FOR UPDATE``,
applies the next events, writes the changed rows and the new position, and
commits. A crash anywhere before the commit leaves both the rows and the
position as they were; after it, both have moved together. Two runners for
the same projection serialise on that row lock, so they never double-apply.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from projections.model import DELETE, Event, Key, Projection, Row, Table

log = logging.getLogger(__name__)

TRACKING_TABLE = "lorekeeper_projections"
TRACKING_DDL = f"""
CREATE TABLE IF NOT EXISTS public.{TRACKING_TABLE} (
    name text PRIMARY KEY,
    position bigint NOT NULL DEFAULT 0,
    schema_version int NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
)"""


class NotificationSource(Protocol):
    """The part of eventsourcing's ApplicationRecorder the runner reads."""

    def max_notification_id(self) -> int | None: ...

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Any]: ...


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

    @property
    def lag(self) -> int:
        return max(self.head - self.position, 0)


class ProjectionRunner:
    def __init__(
        self,
        projection: Projection,
        pool: ConnectionPool,
        source: NotificationSource,
        decode: Callable[[bytes], dict[str, Any]],
        *,
        schema: str = "public",
        tracking_name: str | None = None,
        batch_size: int = 1000,
    ) -> None:
        self.projection = projection
        self.pool = pool
        self.source = source
        self.decode = decode
        self.schema = schema
        self.tracking_name = tracking_name or projection.name
        self.batch_size = batch_size
        self.before_commit: Callable[[list[Event]], None] | None = None  # a test seam

    # -- setup ----------------------------------------------------------------

    def setup(self) -> None:
        """Create the tables and the tracking row; refuse a stale schema version."""
        with self.pool.connection() as conn, conn.transaction():
            conn.execute(TRACKING_DDL)
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {self.schema}")
            for table in self.projection.tables:
                for statement in table.ddl(self.schema):
                    conn.execute(statement)
            conn.execute(
                f"INSERT INTO {TRACKING_TABLE} (name, position, schema_version) "
                "VALUES (%s, 0, %s) ON CONFLICT (name) DO NOTHING",
                (self.tracking_name, self.projection.schema_version),
            )
            row = conn.execute(
                f"SELECT schema_version FROM {TRACKING_TABLE} WHERE name = %s",
                (self.tracking_name,),
            ).fetchone()
        assert row is not None
        if row["schema_version"] != self.projection.schema_version:
            raise SchemaVersionMismatch(
                f"{self.tracking_name} was built at schema version {row['schema_version']}, "
                f"code is at {self.projection.schema_version}"
            )

    # -- processing -----------------------------------------------------------

    def run_batch(self, conn: psycopg.Connection[Any] | None = None) -> Batch:
        """Apply the next window of the log (at most ``batch_size`` positions)."""
        if conn is not None:
            with conn.transaction():
                return self._batch(conn)
        with self.pool.connection() as own, own.transaction():
            return self._batch(own)

    def _batch(self, conn: psycopg.Connection[Any]) -> Batch:
        conn.execute("SET LOCAL lock_timeout = '10s'")
        row = conn.execute(
            f"SELECT position FROM {TRACKING_TABLE} WHERE name = %s FOR UPDATE",
            (self.tracking_name,),
        ).fetchone()
        if row is None:
            raise RuntimeError(f"projection {self.tracking_name} is not set up")
        position: int = row["position"]
        # Inserts commit in notification-id order (the recorder locks the table),
        # so everything up to the head we read now is committed and final.
        head = self.source.max_notification_id() or 0
        if head <= position:
            return Batch(0, position, head)
        # A window of ids, not "the next N matching events": the range scan stays
        # small however sparse this projection's topics are in the log.
        window_end = min(head, position + self.batch_size)
        notifications = self.source.select_notifications(
            start=position,
            limit=self.batch_size,
            stop=window_end,
            topics=self.projection.topics,
            inclusive_of_start=False,
        )
        events = [
            Event(n.id, n.originator_id, n.originator_version, n.topic, self.decode(n.state)) for n in notifications
        ]
        if events:
            self._apply(conn, events)
        if self.before_commit is not None:
            self.before_commit(events)
        conn.execute(
            f"UPDATE {TRACKING_TABLE} SET position = %s, updated_at = now() WHERE name = %s",
            (window_end, self.tracking_name),
        )
        return Batch(len(events), window_end, head)

    def _apply(self, conn: psycopg.Connection[Any], events: list[Event]) -> None:
        handlers = self.projection.handlers
        plan = [(event, handler, handler.key(event)) for event in events for handler in handlers.get(event.topic, ())]
        touched: dict[Table, set[Key]] = {}
        for _, handler, key in plan:
            touched.setdefault(handler.table, set()).add(key)
        rows = {table: self._fetch(conn, table, keys) for table, keys in touched.items()}
        dirty: dict[Table, set[Key]] = {table: set() for table in touched}
        for event, handler, key in plan:
            table_rows = rows[handler.table]
            result = handler.apply(event, table_rows.get(key))
            if result is not None:
                table_rows[key] = result
                dirty[handler.table].add(key)
        for table, keys in dirty.items():
            if keys:
                table_rows = rows[table]
                self._write(conn, table, {k: table_rows[k] for k in keys})

    def _qualified(self, table: Table) -> sql.Composed:
        return sql.SQL("{}.{}").format(sql.Identifier(self.schema), sql.Identifier(table.name))

    def _fetch(self, conn: psycopg.Connection[Any], table: Table, keys: Iterable[Key]) -> dict[Key, Row | Any]:
        keys = list(keys)
        columns = [list(col) for col in zip(*keys, strict=True)]
        unnest = sql.SQL(", ").join(sql.SQL("%s::{}[]").format(sql.SQL(table.column_type(k))) for k in table.key)
        query = sql.SQL("SELECT * FROM {} WHERE ({}) IN (SELECT * FROM unnest({}))").format(
            self._qualified(table),
            sql.SQL(", ").join(map(sql.Identifier, table.key)),
            unnest,
        )
        found = conn.execute(query, columns).fetchall()
        return {tuple(r[k] for k in table.key): dict(r) for r in found}

    def _write(self, conn: psycopg.Connection[Any], table: Table, rows: dict[Key, Row | Any]) -> None:
        deletes = [key for key, row in rows.items() if row is DELETE]
        upserts = [row for row in rows.values() if row is not DELETE]
        names = table.column_names
        json_cols = table.json_columns
        if upserts:
            # One INSERT .. SELECT FROM unnest(arrays): a single round trip, no
            # staging table, and set-based like COPY.
            arrays = [
                [Jsonb(r.get(n)) if n in json_cols and r.get(n) is not None else r.get(n) for r in upserts]
                for n in names
            ]
            unnest = sql.SQL(", ").join(sql.SQL("%s::{}[]").format(sql.SQL(table.column_type(n))) for n in names)
            cols = sql.SQL(", ").join(map(sql.Identifier, names))
            updates = [n for n in names if n not in table.key]
            conflict = (
                sql.SQL("DO UPDATE SET {}").format(
                    sql.SQL(", ").join(
                        sql.SQL("{} = EXCLUDED.{}").format(sql.Identifier(n), sql.Identifier(n)) for n in updates
                    )
                )
                if updates
                else sql.SQL("DO NOTHING")
            )
            conn.execute(
                sql.SQL("INSERT INTO {} ({}) SELECT * FROM unnest({}) ON CONFLICT ({}) {}").format(
                    self._qualified(table),
                    cols,
                    unnest,
                    sql.SQL(", ").join(map(sql.Identifier, table.key)),
                    conflict,
                ),
                arrays,
                binary=True,  # binary array dumping skips text escaping of every value
            )
        if deletes:
            columns = [list(col) for col in zip(*deletes, strict=True)]
            unnest = sql.SQL(", ").join(sql.SQL("%s::{}[]").format(sql.SQL(table.column_type(k))) for k in table.key)
            conn.execute(
                sql.SQL("DELETE FROM {} WHERE ({}) IN (SELECT * FROM unnest({}))").format(
                    self._qualified(table),
                    sql.SQL(", ").join(map(sql.Identifier, table.key)),
                    unnest,
                ),
                columns,
            )

    def catch_up(self, progress: Callable[[int], None] | None = None) -> int:
        """Apply batches until the projection reaches the head; returns events applied."""
        total = 0
        while True:
            batch = self.run_batch()
            total += batch.applied
            if progress is not None:
                progress(batch.position)
            if batch.caught_up:
                return total

    # -- reporting ------------------------------------------------------------

    def position(self) -> int:
        with self.pool.connection() as conn:
            row = conn.execute(
                f"SELECT position FROM {TRACKING_TABLE} WHERE name = %s", (self.tracking_name,)
            ).fetchone()
        return row["position"] if row else 0

    def status(self) -> Status:
        with self.pool.connection() as conn:
            row = conn.execute(
                f"SELECT position, schema_version, updated_at FROM {TRACKING_TABLE} WHERE name = %s",
                (self.tracking_name,),
            ).fetchone()
        head = self.source.max_notification_id() or 0
        if row is None:
            return Status(self.tracking_name, 0, head, self.projection.schema_version, None)
        return Status(self.tracking_name, row["position"], head, row["schema_version"], row["updated_at"])


def wait_for_position(pool: ConnectionPool, names: Sequence[str], position: int, timeout: float) -> bool:
    """Block until every named projection reached ``position``; False on timeout."""
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        with pool.connection() as conn:
            row = conn.execute(
                f"SELECT min(position) AS p, count(*) AS n FROM {TRACKING_TABLE} WHERE name = ANY(%s)",
                (list(names),),
            ).fetchone()
        if row and row["n"] == len(names) and row["p"] >= position:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(min(delay, max(deadline - time.monotonic(), 0)))
        delay = min(delay * 2, 0.05)
