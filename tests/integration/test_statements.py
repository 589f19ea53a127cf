"""Reads of independent statements borrow a pooled connection without a
transaction around them (projections/db.py: ``statements``), and give it
back as it came, so that the next borrower's statements are in one again;
the event loop's reads (``LoopReads``) are the same, without a thread."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from projections.db import Conn, LoopReads, Pool, statements


@pytest.fixture
def pool(container) -> Iterator[Pool]:
    """One connection, so that the next borrower gets the same one back."""
    with ConnectionPool(
        container.conninfo, connection_class=Conn, min_size=1, max_size=1, kwargs={"row_factory": dict_row}
    ) as one:
        yield one


def test_statements_commit_on_their_own_and_the_connection_goes_back_in_transactions(pool):
    with statements(pool) as conn:
        assert conn.execute("SELECT now() = statement_timestamp() AS alone").fetchone()["alone"]
        assert conn.info.transaction_status.name == "IDLE"  # nothing left open between statements
        pid = conn.info.backend_pid
    with pool.connection() as conn:
        assert conn.info.backend_pid == pid and not conn.autocommit
        conn.execute("SELECT 1")
        assert conn.info.transaction_status.name == "INTRANS"


def test_a_failing_statement_still_gives_the_connection_back_in_transactions(pool):
    with pytest.raises(Exception, match="nowhere"), statements(pool) as conn:
        conn.execute("SELECT * FROM nowhere")
    with pool.connection() as conn:
        assert not conn.autocommit


def test_the_loops_reads_commit_each_statement_and_refuse_before_open_and_after_close(container):
    reads = LoopReads(container.conninfo, size=1)

    async def scenario() -> tuple[bool, str]:
        with pytest.raises(RuntimeError, match="not open"):
            async with reads.connection():
                pass
        await reads.open()
        try:
            async with reads.connection() as conn:
                row = await (await conn.execute("SELECT now() = statement_timestamp() AS alone")).fetchone()
                status = conn.info.transaction_status.name
        finally:
            await reads.close()
        with pytest.raises(RuntimeError, match="not open"):
            async with reads.connection():
                pass
        assert row is not None
        return row["alone"], status

    assert asyncio.run(scenario()) == (True, "IDLE")  # no transaction around the statement, none left open
    asyncio.run(reads.close())  # closing twice is harmless
