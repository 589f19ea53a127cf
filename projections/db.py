"""The connection types every layer's SQL uses: rows come back as dicts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TypeAlias

from psycopg import AsyncConnection, Connection
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool, ConnectionPool

Conn: TypeAlias = Connection[DictRow]
Pool: TypeAlias = ConnectionPool[Conn]
AsyncConn: TypeAlias = AsyncConnection[DictRow]
AsyncPool: TypeAlias = AsyncConnectionPool[AsyncConn]


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


class LoopReads:
    """Reads of single statements served on the event loop: an async pool of
    autocommit connections (no thread per request, no ``BEGIN``/``COMMIT``),
    for the hottest reads. An app opens one for its lifetime (its lifespan
    calls ``open`` and ``close``), on its own loop; outside it, ``connection``
    refuses."""

    def __init__(self, conninfo: str, size: int, timeout: float = 10.0) -> None:
        self._conninfo, self._size, self._timeout = conninfo, size, timeout
        self._pool: AsyncPool | None = None

    async def open(self) -> None:
        self._pool = AsyncConnectionPool(
            self._conninfo,
            connection_class=AsyncConnection[DictRow],
            min_size=1,
            max_size=self._size,
            kwargs={"row_factory": dict_row, "autocommit": True},
            timeout=self._timeout,
            open=False,
            name="lorekeeper-loop-read",
        )
        await self._pool.open(wait=True, timeout=self._timeout)

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close(timeout=self._timeout)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConn]:
        if self._pool is None:
            raise RuntimeError("the loop's read pool is not open (it opens with the app)")
        async with self._pool.connection() as conn:
            yield conn
