"""Shared by the benchmarks: a scratch database on the same server, and medians."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from eventsourcing.persistence import StoredEvent

from infra.database import resolve_conninfo, with_database
from infra.entrypoints.bootstrap import Container
from infra.settings import Settings


@contextmanager
def scratch_container(**overrides: object) -> Iterator[Container]:
    """A Container on a fresh database of the configured (or embedded) server."""
    base = Settings()
    # One embedded server directory for every run (each run's database is dropped
    # after it), not a new directory, and a new 100 MB cluster, left per run.
    data_dir = Path(tempfile.gettempdir()) / "lorekeeper-bench"
    server = resolve_conninfo(base if base.database_url else Settings(data_dir=data_dir))
    name = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    container = Container(
        Settings(
            database_url=with_database(server, name),
            data_dir=data_dir,
            jwt_secret="bench-secret-" + "x" * 40,
            master_key="bench-master-key-" + "y" * 40,
            **overrides,
        )
    )
    try:
        yield container
    finally:
        container.close()
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_env(container: Container, **extra: str) -> dict[str, str]:
    """Environment for a benchmark's server process: the scratch database and
    secrets, and no rate limits (benchmarks measure the write path, not them)."""
    return {
        **os.environ,
        "DATABASE_URL": container.conninfo,
        "LOREKEEPER_JWT_SECRET": container.jwt_secret,
        "LOREKEEPER_MASTER_KEY": container.settings.master_key or "",
        "LOREKEEPER_RATE_LIMIT": "",
        "LOREKEEPER_ADDRESS_RATE_LIMIT": "",
        "LOREKEEPER_ACTION_RATE_LIMIT": "",
        "LOREKEEPER_STORAGE_BUDGET": "",
        **extra,
    }


def median(values: list[float]) -> float:
    return statistics.median(values)


def report(title: str, rows: list[tuple[str, float, str]]) -> str:
    lines = [f"## {title}", "", "| measure | median | unit |", "|---|---:|---|"]
    lines += [f"| {name} | {value:,.2f} | {unit} |" for name, value, unit in rows]
    text = "\n".join(lines)
    print(text, flush=True)
    return text


def committed(container: Container, since: int, until: float, topics: set[str]) -> Iterator[tuple[datetime, Any]]:
    """Each event of ``topics`` committed after position ``since``, with when
    this process first saw it committed (it polls the store every 5 ms),
    until the monotonic time ``until``."""
    position = since
    decode = container.mapper.to_domain_event
    with container.pool.connection() as conn:
        while time.monotonic() < until:
            rows = conn.execute(
                "SELECT notification_id, originator_id, originator_version, topic, state FROM lorekeeper_events "
                "WHERE notification_id > %s ORDER BY notification_id",
                (position,),
            ).fetchall()
            seen = datetime.now(UTC)
            conn.commit()
            for r in rows:
                position = r["notification_id"]
                if r["topic"] in topics:
                    yield seen, decode(StoredEvent(r["originator_id"], r["originator_version"], r["topic"], r["state"]))
            time.sleep(0.005)
