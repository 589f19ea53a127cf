"""``Idempotency-Key``: a retried command with the same key and body gets the
first answer back and records nothing new.

The answer commits in the same transaction as the command's events (a unit
of work, infra/unit_of_work.py), so a retry after any crash either finds the
committed answer or finds nothing and runs the command: never a command that
happened without its answer, never a key stuck "in progress".

Concurrent requests with one key take turns on a transaction-level advisory
lock: the second waits for the first to commit (bounded by
``wait_seconds``, then "in progress", 409) and gets its answer. Answers a
retry should not get again (a lost race, a 5xx, a rate limit) are not stored:
their transaction rolls back. Keys are scoped per caller and forgotten after
``TTL``.

This module stores; what an answer looks like on the wire is the API's
(``api/idempotency.py``).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import orjson
import psycopg
from psycopg.types.json import Jsonb

from infra.unit_of_work import UnitOfWork
from projections.db import Pool
from projections.ddl import lock_ddl

DDL = """
CREATE TABLE IF NOT EXISTS lorekeeper_idempotency (
    scope text NOT NULL,
    key text NOT NULL,
    request_hash bytea NOT NULL,
    status int,
    body bytea,
    headers jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
)"""
TTL = "24 hours"
KEY_MAX = 255


@dataclass(frozen=True)
class Stored:
    """An answer as it is stored and replayed: status, body bytes, headers.
    ``retryable`` answers (a lost race, a rate limit, a 5xx) are never stored."""

    status: int
    body: bytes
    headers: dict[str, str]
    retryable: bool = False


class InvalidKey(Exception):
    """The key is empty or longer than ``KEY_MAX``."""


class KeyReused(Exception):
    """The key was used with a different request."""


class KeyInProgress(Exception):
    """A request with this key is still being processed."""


class IdempotencyStore:
    def __init__(
        self,
        pool: Pool,
        units: Callable[[], AbstractContextManager[UnitOfWork]],
        *,
        wait_seconds: float = 5.0,
        crash_before_commit: bool = False,
    ) -> None:
        self.pool = pool
        self.units = units  # the event store's units of work
        self.wait_seconds = wait_seconds
        self.crash_before_commit = crash_before_commit  # a test-only failpoint

    def setup(self) -> None:
        with self.pool.connection() as conn, conn.transaction():
            lock_ddl(conn)
            conn.execute(DDL)
            conn.execute(f"DELETE FROM lorekeeper_idempotency WHERE created_at < now() - interval '{TTL}'")

    def run(
        self,
        scope: str,
        key: str | None,
        request: Any,
        command: Callable[[], Stored],
        answer_of: Callable[[Exception], Stored | None],
    ) -> Stored:
        """Run ``command`` once per (scope, key, request). ``answer_of`` turns an
        error the command raises into the answer to give (None: not an answer;
        it propagates and nothing is stored)."""
        if key is None:
            return command()
        if not 1 <= len(key) <= KEY_MAX:
            raise InvalidKey(f"Idempotency-Key must be 1 to {KEY_MAX} characters")
        digest = hashlib.sha256(orjson.dumps(request, option=orjson.OPT_SORT_KEYS)).digest()
        with self.units() as unit:
            conn = unit.conn
            self._take_turn(conn, scope, key)
            row = conn.execute(
                "SELECT request_hash, status, body, headers FROM lorekeeper_idempotency WHERE scope = %s AND key = %s",
                (scope, key),
            ).fetchone()
            if row is not None:
                return self._replay(row, digest)
            try:
                stored = command()
            except Exception as error:
                answer = answer_of(error)
                if answer is None:
                    raise
                stored = answer
            if stored.retryable or stored.status >= 500:
                unit.discard = True  # nothing of it stays: a retry runs the command again
                return stored
            conn.execute(
                "INSERT INTO lorekeeper_idempotency (scope, key, request_hash, status, body, headers) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                (scope, key, digest, stored.status, stored.body, Jsonb(stored.headers)),
            )
            if self.crash_before_commit:
                os._exit(137)  # the failpoint: events and answer written, neither committed
        return stored

    def _take_turn(self, conn: Any, scope: str, key: str) -> None:
        """Wait (bounded) for any request with this key still running."""
        lock = int.from_bytes(hashlib.sha256(f"{scope}\n{key}".encode()).digest()[:8], "big", signed=True)
        try:
            with conn.transaction():
                conn.execute(f"SET LOCAL lock_timeout = '{int(self.wait_seconds * 1000)}ms'")
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock,))
        except psycopg.errors.LockNotAvailable:
            raise KeyInProgress("a request with this Idempotency-Key is still being processed") from None

    def _replay(self, row: dict[str, Any], digest: bytes) -> Stored:
        if bytes(row["request_hash"]) != digest:
            raise KeyReused("this Idempotency-Key was used with a different request")
        headers = {**row["headers"], "Idempotent-Replayed": "true"}
        return Stored(row["status"], bytes(row["body"]), headers)

    def forget(self, scope: str) -> None:
        """Drop every stored answer of a caller (erasure: they may hold personal data)."""
        with self.pool.connection() as conn:
            conn.execute("DELETE FROM lorekeeper_idempotency WHERE scope = %s", (scope,))
