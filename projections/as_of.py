"""A projection built into a schema of an analyst's choosing, up to a cut.

``lorekeeper projections rebuild NAME --until CUT --schema S`` (a read model
as it was at a moment) and ``lorekeeper replay MODULE:PROJECTION --schema S``
(an analyst's own projection over the whole history) are the same thing: a
``ProjectionRunner`` whose tables live in ``S``, whose tracking row is its own
(``<name>@<schema>``), and which stops at the cut. It runs the batches every
projection runs, so it is exactly once and resumable: killed, it continues
from its tracking row; run again with a later cut, it extends what it built.
The live tables and the live runner's position are never touched.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from psycopg import sql

from projections.db import Pool
from projections.model import Projection
from projections.runner import ProjectionRunner
from projections.tracking import TRACKING_TABLE, EventLog

_SCHEMA = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class SchemaRefused(ValueError):
    """A schema an as-of build must not write into, or one that holds a later cut."""


def target_schema(schema: str, reserved: set[str]) -> str:
    """``schema`` if an as-of build may own it: a plain lower-case identifier,
    not a live context's schema nor PostgreSQL's own."""
    if not _SCHEMA.match(schema):
        raise SchemaRefused(f"a schema is a lower-case identifier (a-z, 0-9, _), not {schema!r}")
    if schema in reserved or schema in {"public", "information_schema"} or schema.startswith("pg_"):
        raise SchemaRefused(f"{schema!r} holds live tables: choose a schema of your own")
    return schema


def build(
    projection: Projection,
    pool: Pool,
    log: EventLog,
    decode: Callable[[bytes], dict[str, Any]],
    *,
    schema: str,
    until: int | None,
    tracking_name: str,
    replace: bool = False,
    batch_size: int = 1000,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Build ``projection`` into ``schema`` up to ``until`` (the head if None);
    the position it reached. ``replace`` starts from nothing; without it a
    schema already built beyond ``until`` is refused."""
    runner = ProjectionRunner(
        projection, pool, log, decode, schema=schema, tracking_name=tracking_name, batch_size=batch_size
    )
    with pool.connection() as conn, conn.transaction():
        head = log.head(conn)
        cut = head if until is None else min(until, head)
        row = conn.execute(f"SELECT position FROM {TRACKING_TABLE} WHERE name = %s", (tracking_name,)).fetchone()
        if row is not None and not replace and row["position"] > cut:
            raise SchemaRefused(
                f"{schema} holds {projection.name} up to position {row['position']}, beyond {cut}: "
                "--replace to build it again"
            )
        if replace or row is None:
            for table in projection.tables:
                conn.execute(
                    sql.SQL("DROP TABLE IF EXISTS {}.{}").format(sql.Identifier(schema), sql.Identifier(table.name))
                )
            conn.execute(f"DELETE FROM {TRACKING_TABLE} WHERE name = %s", (tracking_name,))
            conn.execute("DELETE FROM lorekeeper_dead_letters WHERE reader = %s", (tracking_name,))
    runner.setup()
    runner.until = cut
    runner.catch_up(progress=(lambda p: progress(p, cut)) if progress else None)
    return runner.position()
