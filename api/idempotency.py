"""``Idempotency-Key``: a retried command with the same key and body gets the
first response back and records nothing new.

The key is reserved before the command runs, so two concurrent retries cannot
both execute it; the second sees the reservation and gets 409 until the first
finishes. Responses of 5xx release the key so a retry can run again. Keys are
scoped per caller and forgotten after ``TTL``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from api.problems import Problem, from_domain
from domain.errors import DomainError
from projections.tracking import lock_ddl

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
    status: int
    body: bytes
    headers: dict[str, str]


class IdempotencyStore:
    def __init__(self, pool: ConnectionPool) -> None:
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
    ) -> Stored:
        """Run ``command`` once per (scope, key, request)."""
        if key is None:
            return command()
        if not 1 <= len(key) <= KEY_MAX:
            raise Problem(400, "invalid_idempotency_key", f"Idempotency-Key must be 1 to {KEY_MAX} characters")
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
        except (Problem, DomainError) as error:
            problem = from_domain(error) if isinstance(error, DomainError) else error
            stored = Stored(
                problem.status,
                orjson.dumps(problem.body()),
                {**problem.headers, "content-type": "application/problem+json"},
            )
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
            raise Problem(
                422,
                "idempotency_key_reused",
                "this Idempotency-Key was used with a different request",
            )
        if row["status"] is None:
            raise Problem(
                409,
                "idempotency_key_in_progress",
                "a request with this Idempotency-Key is still being processed",
                headers={"Retry-After": "1"},
            )
        headers = {**row["headers"], "Idempotent-Replayed": "true"}
        return Stored(row["status"], bytes(row["body"]), headers)

    def forget(self, scope: str) -> None:
        """Drop every stored response of a caller (erasure: they may hold personal data)."""
        with self.pool.connection() as conn:
            conn.execute("DELETE FROM lorekeeper_idempotency WHERE scope = %s", (scope,))

    def _release(self, scope: str, key: str) -> None:
        with self.pool.connection() as conn:
            conn.execute("DELETE FROM lorekeeper_idempotency WHERE scope = %s AND key = %s", (scope, key))
