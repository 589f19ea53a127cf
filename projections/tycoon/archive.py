"""The activity log's archive (seed 003: "move old activity_log entries to
separate tables").

``archive_activity`` moves rows older than a cutoff from ``activity_log`` to
``activity_log_archive`` (the same columns, not partitioned, not readable
by players: analysts' history), in bounded batches, each one statement
(``DELETE ... RETURNING`` into ``INSERT``), so a row is in exactly one of the
two tables at every commit. The event store keeps every activity: the
archive trims the read model, never the truth. A rebuild of ``tycoon_heroes``
brings archived rows back into ``activity_log``; archiving again moves them
out (rows already archived are not archived twice).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from projections.db import Pool
from projections.tycoon.hero_tables import ACTIVITY_LOG

ARCHIVE = f"{ACTIVITY_LOG.schema}.activity_log_archive"
BATCH = 10_000
DDL = (
    f"CREATE TABLE IF NOT EXISTS {ARCHIVE} (LIKE {ACTIVITY_LOG.qualified} INCLUDING DEFAULTS INCLUDING CONSTRAINTS, "
    "PRIMARY KEY (world_id, id))",
    f"CREATE INDEX IF NOT EXISTS activity_log_archive_world_idx ON {ARCHIVE} (world_id, real_time)",
)


def archive_activity(pool: Pool, older_than: timedelta, now: datetime | None = None) -> int:
    """Move rows whose ``real_time`` is before ``now - older_than``; how many moved."""
    cutoff = (now or datetime.now(UTC)) - older_than
    with pool.connection() as conn, conn.transaction():
        for statement in DDL:
            conn.execute(statement)
    total = 0
    while True:
        with pool.connection() as conn, conn.transaction():
            row = conn.execute(
                f"WITH old AS (SELECT world_id, id FROM {ACTIVITY_LOG.qualified} WHERE real_time < %s "
                "ORDER BY real_time LIMIT %s FOR UPDATE SKIP LOCKED), "
                f"gone AS (DELETE FROM {ACTIVITY_LOG.qualified} a USING old "
                "WHERE a.world_id = old.world_id AND a.id = old.id RETURNING a.*), "
                f"kept AS (INSERT INTO {ARCHIVE} SELECT * FROM gone ON CONFLICT DO NOTHING RETURNING 1) "
                "SELECT (SELECT count(*) FROM gone) AS deleted, (SELECT count(*) FROM kept) AS archived",
                (cutoff, BATCH),
            ).fetchone()
        assert row is not None
        if not row["deleted"]:
            return total
        total += int(row["archived"])
