"""Reads of independent statements borrow a pooled connection without a
transaction around them (projections/db.py: ``statements``), and give it
back as it came, so that the next borrower's statements are in one again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from projections.db import Conn, Pool, statements


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
