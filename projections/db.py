"""The connection types every layer's SQL uses: rows come back as dicts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeAlias

from psycopg import Connection
from psycopg.rows import DictRow
from psycopg_pool import ConnectionPool

Conn: TypeAlias = Connection[DictRow]
Pool: TypeAlias = ConnectionPool[Conn]


@contextmanager
def statements(pool: Pool) -> Iterator[Conn]:
    """A pooled connection on which each statement commits on its own, for reads
    whose statements need no common snapshot: no ``BEGIN`` and ``COMMIT`` round
    trips around them (two of a one-query read's three). The connection goes
    back to the pool as it came, in transactions."""
    with pool.connection() as conn:
        conn.autocommit = True
        try:
            yield conn
        finally:
            if not conn.closed:
                conn.autocommit = False
