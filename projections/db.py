"""The connection types every layer's SQL uses: rows come back as dicts."""

from __future__ import annotations

from typing import TypeAlias

from psycopg import Connection
from psycopg.rows import DictRow
from psycopg_pool import ConnectionPool

Conn: TypeAlias = Connection[DictRow]
Pool: TypeAlias = ConnectionPool[Conn]
