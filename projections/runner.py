"""Keeps one projection's tables up to date from the notification log.

The exactly-once batch mechanics are ``TrackedReader``'s (projections/tracking.py).
This adds the read-model part: prefetch the rows a window of events touches,
apply the pure handlers in memory, and upsert the changed rows, one statement
per table, inside the batch transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from projections import dead_letters, engine
from projections.db import Conn, Pool
from projections.ddl import create_tables, lock_ddl
from projections.model import DELETE, Event, Key, Projection, Row, Statement, Table
from projections.tracking import EventLog, TrackedReader


class ProjectionRunner(TrackedReader):
    def __init__(
        self,
        projection: Projection,
        pool: Pool,
        log: EventLog,
        decode: Callable[[bytes], dict[str, Any]],
        *,
        schema: str | None = None,
        tracking_name: str | None = None,
        batch_size: int = 1000,
    ) -> None:
        super().__init__(pool, log, tracking_name=tracking_name or projection.name, batch_size=batch_size)
        self.projection = projection
        self.decode = decode
        self.schema = schema or projection.schema  # a rebuild builds in a schema of its own
        self.topics = projection.topics
        self.schema_version = projection.schema_version
        self._queries: dict[tuple[str, str], bytes] = {}

    def _query(self, conn: Conn, kind: str, table: Table, build: Callable[[], sql.Composable]) -> bytes:
        """One of this runner's statements for ``table``, rendered once: psycopg
        renders a composed query again on every execute (a sixth of a busy
        projector's time), and these depend only on the table and the schema."""
        key = (kind, table.name)
        query = self._queries.get(key)
        if query is None:
            query = self._queries[key] = build().as_bytes(conn)
        return query

    def setup(self) -> None:
        """Create the tables and the tracking row; refuse a stale schema version."""
        with self.pool.connection() as conn, conn.transaction():
            lock_ddl(conn)
            create_tables(conn, self.projection.tables, self.schema)
            self.setup_tracking(conn)

    def process(self, conn: Conn, notifications: Sequence[Any]) -> None:
        """Apply a window of the log; what cannot be applied is dead-lettered."""
        for failure in self.apply(conn, notifications):
            dead_letters.record(conn, self.tracking_name, **failure)

    def apply(self, conn: Conn, notifications: Sequence[Any]) -> list[dict[str, Any]]:
        """Apply the notifications; returns the failures (as ``dead_letters.record``
        takes them) of the events that could not be applied, in order. A handler
        that raises or a row PostgreSQL could not store fails its event alone
        (``engine.apply``); a write PostgreSQL refuses anyway is narrowed down to
        its event by applying the window event by event (``dead_letters.isolate``)."""
        failures: list[dict[str, Any]] = []
        events = []
        for n in notifications:
            try:
                events.append(Event(n.id, n.originator_id, n.originator_version, n.topic, self.decode(n.state)))
            except Exception as error:  # stored bytes this code cannot read: poison too
                failures.append(_failure(n.id, n.topic, n.originator_id, error))

        def write(window: Sequence[Event]) -> None:
            failed: list[dict[str, Any]] = []
            self._apply(conn, window, failed)  # raises (its savepoint rolls back) if PostgreSQL refuses a write
            failures.extend(failed)

        dead_letters.isolate(
            conn, events, write, lambda e, error: failures.append(_failure(e.position, e.topic, e.originator_id, error))
        )
        return sorted(failures, key=lambda f: f["position"])

    def _apply(self, conn: Conn, events: Sequence[Event], failures: list[dict[str, Any]]) -> None:
        steps = engine.plan(self.projection, events)
        rows = {table: self._fetch(conn, table, keys) for table, keys in engine.touched(steps).items()}
        applied = engine.apply(steps, rows)
        for table, changed in applied.changed.items():
            if changed:
                self._write(conn, table, changed)
        failed = {id(e) for e, _ in applied.failures}
        for event in events:
            for statement in self.projection.statements.get(event.topic, ()) if id(event) not in failed else ():
                params = [Jsonb(p) if isinstance(p, dict | list) else p for p in statement.params(event)]
                query = self._query(conn, statement.sql, statement.table, partial(self._statement, statement))
                conn.execute(query, params)
        failures += [_failure(e.position, e.topic, e.originator_id, error) for e, error in applied.failures]

    def _statement(self, statement: Statement) -> sql.Composed:
        return sql.SQL(statement.sql).format(table=self._qualified(statement.table))

    def _qualified(self, table: Table) -> sql.Composed:
        return sql.SQL("{}.{}").format(sql.Identifier(self.schema), sql.Identifier(table.name))

    @staticmethod
    def _unnest(table: Table, names: Iterable[str]) -> sql.Composed:
        """``unnest(%b::type[], ...)``: one array parameter per column, sent in
        binary (``%b``): the text format escaped every value of every array."""
        arrays = sql.SQL(", ").join(sql.SQL("%b::{}[]").format(sql.SQL(table.column_type(n))) for n in names)
        return sql.SQL("unnest({})").format(arrays)

    def _key_in(self, table: Table) -> sql.Composed:
        """``(key columns) IN (SELECT * FROM unnest(key arrays))``."""
        return sql.SQL("({}) IN (SELECT * FROM {})").format(
            sql.SQL(", ").join(map(sql.Identifier, table.key)), self._unnest(table, table.key)
        )

    def _fetch(self, conn: Conn, table: Table, keys: Iterable[Key]) -> dict[Key, Row | Any]:
        columns = [list(col) for col in zip(*keys, strict=True)]
        query = self._query(
            conn,
            "fetch",
            table,
            lambda: sql.SQL("SELECT * FROM {} WHERE {}").format(self._qualified(table), self._key_in(table)),
        )
        found = conn.execute(query, columns).fetchall()
        return {tuple(r[k] for k in table.key): dict(r) for r in found}

    def _write(self, conn: Conn, table: Table, rows: dict[Key, Row | Any]) -> None:
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
            conn.execute(self._query(conn, "upsert", table, lambda: self._upsert(table)), arrays)
        if deletes:
            columns = [list(col) for col in zip(*deletes, strict=True)]
            delete = self._query(
                conn,
                "delete",
                table,
                lambda: sql.SQL("DELETE FROM {} WHERE {}").format(self._qualified(table), self._key_in(table)),
            )
            conn.execute(delete, columns)

    def _upsert(self, table: Table) -> sql.Composed:
        """``INSERT .. SELECT FROM unnest(arrays) ON CONFLICT (key) DO UPDATE`` of every column."""
        names = table.column_names
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
        return sql.SQL("INSERT INTO {} ({}) SELECT * FROM {} ON CONFLICT ({}) {}").format(
            self._qualified(table),
            sql.SQL(", ").join(map(sql.Identifier, names)),
            self._unnest(table, names),
            sql.SQL(", ").join(map(sql.Identifier, table.key)),
            conflict,
        )


def _failure(position: int, topic: str, originator_id: Any, error: BaseException) -> dict[str, Any]:
    return {"position": position, "topic": topic, "originator_id": originator_id, "error": error}
