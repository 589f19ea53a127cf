"""Creating read tables, and moving a table an earlier layout kept elsewhere."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from psycopg import sql
from psycopg.errors import DeadlockDetected, LockNotAvailable

from projections.db import Conn
from projections.model import Table, View

log = logging.getLogger(__name__)

DDL_LOCK = 0x4C4B4444  # serialises schema changes between processes starting together
SETUP_ATTEMPTS = 20  # a setup giving way to running writers, tried again (about 30 s at most)
SETUP_LOCK_WAIT_SECONDS = 0.5  # under PostgreSQL's deadlock_timeout (1 s): the setup gives way first
_GIVE_WAY: ContextVar[float | None] = ContextVar("ddl_give_way", default=None)


def lock_ddl(conn: Conn) -> None:
    """Within a transaction: wait for any other process changing the schema.

    ``CREATE TABLE IF NOT EXISTS`` is not safe against a concurrent twin (both
    can pass the check and one fails on the catalog's unique index). Inside
    ``giving_way``, the rest of the transaction then waits a bounded time for
    any other lock."""
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (DDL_LOCK,))
    wait = _GIVE_WAY.get()
    if wait is not None:
        conn.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(f"{int(wait * 1000)}ms")))


@contextmanager
def giving_way(seconds: float | None) -> Iterator[None]:
    """Schema changes made inside wait at most ``seconds`` for a lock that
    running processes' writes hold, then fail (``LockNotAvailable``); None:
    as long as it takes. For a setup that is idempotent and tried again.

    Why: even a change with nothing to do locks its table (``CREATE INDEX IF
    NOT EXISTS`` a SHARE lock, ``ALTER TABLE .. ADD COLUMN IF NOT EXISTS`` an
    ACCESS EXCLUSIVE one) until its transaction ends. A process starting
    beside a projector at work held one table so, waited for the projector's
    batch to let go of another, and the projector waited for the first:
    PostgreSQL broke the deadlock by failing one of them."""
    token = _GIVE_WAY.set(seconds)
    try:
        yield
    finally:
        _GIVE_WAY.reset(token)


def beside_writers(setup: Callable[[], None]) -> None:
    """Run an idempotent ``setup`` (``Container.setup``) beside processes at
    work: its schema changes give way to their writes (``giving_way``) rather
    than deadlock with them, and the whole of it is tried again after a
    growing pause, boundedly."""
    for attempt in range(1, SETUP_ATTEMPTS + 1):
        try:
            with giving_way(SETUP_LOCK_WAIT_SECONDS):
                setup()
            return
        except (LockNotAvailable, DeadlockDetected) as error:
            if attempt == SETUP_ATTEMPTS:
                raise
            log.warning("setup gave way to running writers (%s); trying again", str(error).strip())
            time.sleep(random.uniform(0.5, 1.0) * min(2.0, 0.2 * attempt))


def create_tables(conn: Conn, tables: Iterable[Table], schema: str | None = None) -> None:
    """The tables (in their own schema, or ``schema``), if they do not exist yet."""
    for table in tables:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema or table.schema)))
        for statement in table.ddl(schema):
            conn.execute(statement)


def create_views(conn: Conn, views: Iterable[View]) -> None:
    """The views, replacing any older definition (after their tables exist)."""
    for view in views:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(view.schema)))
        conn.execute(
            sql.SQL("CREATE OR REPLACE VIEW {}.{} AS {}").format(
                sql.Identifier(view.schema),
                sql.Identifier(view.name),
                sql.SQL(view.sql),
            )
        )


def dependent_views(conn: Conn, schema: str, table: str) -> list[tuple[str, str]]:
    """``(qualified name, definition)`` of the views that read ``schema.table``,
    so that a rebuild dropping the table can put them back."""
    rows = conn.execute(
        "SELECT DISTINCT v.oid::regclass::text AS name, pg_get_viewdef(v.oid) AS definition "
        "FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid JOIN pg_class v ON v.oid = r.ev_class "
        "WHERE d.refobjid = to_regclass(%s) AND v.relkind = 'v' AND v.oid <> d.refobjid",
        (f"{schema}.{table}",),
    ).fetchall()
    return [(r["name"], r["definition"]) if isinstance(r, dict) else (r[0], r[1]) for r in rows]


def exists(conn: Conn, qualified: str) -> bool:
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL AS found", (qualified,)).fetchone()
    return bool(row and (row["found"] if isinstance(row, dict) else row[0]))


def move_table(conn: Conn, table: Table, from_schema: str) -> bool:
    """Move ``from_schema.<table>`` into the table's schema, keeping its rows,
    when only the old one exists (state that cannot be rebuilt from the event
    store, such as client telemetry). Its old indexes are dropped; ``ddl``
    creates the declared ones. True if it moved."""
    old = f"{from_schema}.{table.name}"
    if from_schema == table.schema or not exists(conn, old) or exists(conn, table.qualified):
        return False
    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(table.schema)))
    indexes = conn.execute(
        "SELECT indexname FROM pg_indexes WHERE schemaname = %s AND tablename = %s AND indexname NOT LIKE %s",
        (from_schema, table.name, "%_pkey"),
    ).fetchall()
    conn.execute(
        sql.SQL("ALTER TABLE {}.{} SET SCHEMA {}").format(
            sql.Identifier(from_schema), sql.Identifier(table.name), sql.Identifier(table.schema)
        )
    )
    for row in indexes:
        name = row["indexname"] if isinstance(row, dict) else row[0]
        conn.execute(sql.SQL("DROP INDEX IF EXISTS {}.{}").format(sql.Identifier(table.schema), sql.Identifier(name)))
    return True
