"""``Idempotency-Key``: a retried command with the same key and body gets the
first answer back and records nothing new.

The key is reserved before the command runs, so two concurrent retries cannot
both execute it; the second sees the reservation and is told the first is in
progress until it finishes. Answers of 5xx release the key so a retry can run
again. Keys are scoped per caller and forgotten after ``TTL``.

This module stores; what an answer looks like on the wire is the API's
(``api/idempotency.py``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from psycopg.types.json import Jsonb

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
    """An answer as it is stored and replayed: status, body bytes, headers."""

    status: int
    body: bytes
    headers: dict[str, str]


class InvalidKey(Exception):
    """The key is empty or longer than ``KEY_MAX``."""


class KeyReused(Exception):
    """The key was used with a different request."""


class KeyInProgress(Exception):
    """A request with this key is still being processed."""


class IdempotencyStore:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool

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
        error the command raises into the answer to store (None: not an answer,
        let it propagate and release the key)."""
        if key is None:
            return command()
        if not 1 <= len(key) <= KEY_MAX:
            raise InvalidKey(f"Idempotency-Key must be 1 to {KEY_MAX} characters")
        digest = hashlib.sha256(orjson.dumps(request, option=orjson.OPT_SORT_KEYS)).digest()
        with self.pool.connection() as conn:
            inserted = conn.execute(
                "INSERT INTO lorekeeper_idempotency (scope, key, request_hash) VALUES (%s, %s, %s) "
                "ON CONFLICT (scope, key) DO NOTHING RETURNING 1",
                (scope, key, digest),
            ).fetchone()
            if inserted is None:
                row = conn.execute(
                    "SELECT request_hash, status, body, headers FROM lorekeeper_idempotency "
                    "WHERE scope = %s AND key = %s",
                    (scope, key),
                ).fetchone()
                if row is not None:
                    return self._replay(row, digest)
        try:
            stored = command()
        except Exception as error:
            answer = answer_of(error)
            if answer is None:
                self._release(scope, key)
                raise
            stored = answer
        except BaseException:
            self._release(scope, key)
            raise
        if stored.status >= 500:
            self._release(scope, key)
        else:
            with self.pool.connection() as conn:
                conn.execute(
                    "UPDATE lorekeeper_idempotency SET status = %s, body = %s, headers = %s "
                    "WHERE scope = %s AND key = %s",
                    (stored.status, stored.body, Jsonb(stored.headers), scope, key),
                )
        return stored

    def _replay(self, row: dict[str, Any], digest: bytes) -> Stored:
        if bytes(row["request_hash"]) != digest:
            raise KeyReused("this Idempotency-Key was used with a different request")
        if row["status"] is None:
            raise KeyInProgress("a request with this Idempotency-Key is still being processed")
        headers = {**row["headers"], "Idempotent-Replayed": "true"}
        return Stored(row["status"], bytes(row["body"]), headers)

    def forget(self, scope: str) -> None:
        """Drop every stored answer of a caller (erasure: they may hold personal data)."""
        with self.pool.connection() as conn:
            conn.execute("DELETE FROM lorekeeper_idempotency WHERE scope = %s", (scope,))

    def _release(self, scope: str, key: str) -> None:
        with self.pool.connection() as conn:
            conn.execute("DELETE FROM lorekeeper_idempotency WHERE scope = %s AND key = %s", (scope, key))
