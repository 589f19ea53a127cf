"""Rebuild a projection from the first event into fresh tables, then swap them in.

The replay runs in a private schema while the live tables keep serving. The
swap takes the live tracking row's lock (which pauses the live runner),
replays the last few events, moves the new tables into the projection's
schema, drops the tables an earlier version kept elsewhere (``replaces``) and
sets the live position, all in one transaction: readers see the old tables or
the new, never a half-built one.
"""

from __future__ import annotations

from collections.abc import Callable

from psycopg import sql

from projections.ddl import dependent_views
from projections.runner import ProjectionRunner
from projections.tracking import TRACKING_TABLE


def rebuild(live: ProjectionRunner, progress: Callable[[int, int], None] | None = None) -> int:
    """Returns the position the rebuilt projection reached."""
    projection = live.projection
    schema = f"rebuild_{projection.name}"
    fresh = ProjectionRunner(
        projection,
        live.pool,
        live.log,
        live.decode,
        schema=schema,
        tracking_name=f"{projection.name}@rebuild",
        batch_size=live.batch_size,
    )
    with live.pool.connection() as conn, conn.transaction():
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        conn.execute(f"DELETE FROM {TRACKING_TABLE} WHERE name = %s", (fresh.tracking_name,))
    fresh.setup()
    with live.pool.connection() as conn:  # what an interrupted rebuild set aside
        conn.execute("DELETE FROM lorekeeper_dead_letters WHERE reader = %s", (fresh.tracking_name,))
    with live.pool.connection() as conn:
        head = live.log.head(conn)
    fresh.catch_up(progress=(lambda p: progress(p, head)) if progress else None)

    with live.pool.connection() as conn, conn.transaction():
        conn.execute(
            f"INSERT INTO {TRACKING_TABLE} (name, position, schema_version) VALUES (%s, 0, %s) "
            "ON CONFLICT (name) DO NOTHING",
            (projection.name, projection.schema_version),
        )
        conn.execute(f"SELECT 1 FROM {TRACKING_TABLE} WHERE name = %s FOR UPDATE", (projection.name,))
        while not fresh.run_batch(conn).caught_up:
            pass
        row = conn.execute(f"SELECT position FROM {TRACKING_TABLE} WHERE name = %s", (fresh.tracking_name,)).fetchone()
        assert row is not None  # set up above
        position = int(row["position"])
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(projection.schema)))
        views: list[tuple[str, str]] = []
        for table in projection.tables:
            views += dependent_views(conn, projection.schema, table.name)
            conn.execute(
                sql.SQL("DROP TABLE IF EXISTS {}.{} CASCADE").format(
                    sql.Identifier(projection.schema), sql.Identifier(table.name)
                )
            )
            for name in (table.name, *table.partitions):  # a partition moves apart from its table
                conn.execute(
                    sql.SQL("ALTER TABLE {}.{} SET SCHEMA {}").format(
                        sql.Identifier(schema), sql.Identifier(name), sql.Identifier(projection.schema)
                    )
                )
        for name, definition in dict(views).items():  # another context's views over these tables
            conn.execute(sql.SQL("CREATE OR REPLACE VIEW {} AS {}").format(sql.SQL(name), sql.SQL(definition)))
        for old in projection.replaces:
            old_schema, old_name = old.split(".")
            conn.execute(
                sql.SQL("DROP TABLE IF EXISTS {}.{}").format(sql.Identifier(old_schema), sql.Identifier(old_name))
            )
        conn.execute(
            f"UPDATE {TRACKING_TABLE} SET position = %s, schema_version = %s, updated_at = now(), "
            "failing_since = NULL, last_error = NULL WHERE name = %s",
            (position, projection.schema_version, projection.name),
        )
        conn.execute(f"DELETE FROM {TRACKING_TABLE} WHERE name = %s", (fresh.tracking_name,))
        # What the rebuild could not apply replaces what the old tables could not.
        conn.execute("DELETE FROM lorekeeper_dead_letters WHERE reader = %s", (projection.name,))
        conn.execute(
            "UPDATE lorekeeper_dead_letters SET reader = %s WHERE reader = %s", (projection.name, fresh.tracking_name)
        )
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
    if progress:
        progress(position, max(head, position))
    return position
