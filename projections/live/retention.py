"""Retention of the action log (seed 001: ActionEvent kept 30 days, then archived).

Rows of ``action_events`` older than the window are written to a gzipped JSON
Lines file, the file is flushed to disk, and only then are the rows deleted,
in the transaction that selected them. The event store keeps every action:
archiving trims the read model, never the truth. (A rebuild of the ``live``
projection brings archived rows back; archive again afterwards.)
"""

from __future__ import annotations

import gzip
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from projections.db import Pool
from projections.live.sessions import ACTION_EVENTS

BATCH = 10_000


def archive_actions(pool: Pool, archive_dir: Path, older_than: timedelta, now: datetime | None = None) -> int:
    """Archive and remove rows persisted before ``now - older_than``; returns how many."""
    cutoff = (now or datetime.now(UTC)) - older_than
    archive_dir.mkdir(parents=True, exist_ok=True)
    total = 0
    while True:
        with pool.connection() as conn, conn.transaction():
            rows = conn.execute(
                f"SELECT * FROM {ACTION_EVENTS.qualified} WHERE persisted_at < %s "
                "ORDER BY persisted_at, action_id LIMIT %s "
                "FOR UPDATE SKIP LOCKED",
                (cutoff, BATCH),
            ).fetchall()
            if not rows:
                return total
            first, last = rows[0]["persisted_at"], rows[-1]["persisted_at"]
            name = f"action_events-{first:%Y%m%dT%H%M%S}-{last:%Y%m%dT%H%M%S}-{rows[0]['action_id'].hex[:8]}.jsonl.gz"
            path = archive_dir / name
            with gzip.open(path, "wb") as out:
                for row in rows:
                    out.write(orjson.dumps(row, option=orjson.OPT_NAIVE_UTC) + b"\n")
                out.flush()
                os.fsync(out.fileobj.fileno())  # type: ignore[union-attr]
            conn.execute(
                f"DELETE FROM {ACTION_EVENTS.qualified} WHERE action_id = ANY(%s)", ([r["action_id"] for r in rows],)
            )
            total += len(rows)
