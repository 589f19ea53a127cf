"""Login throttling: growing delays per account *and* address, no hard lock.

A lock that any stranger can trigger (five wrong passwords, renewable
forever) is a denial of service, and a lock that only known accounts get
tells which usernames exist. Instead, failures are counted under two keys:

- the login (as typed, case-folded) together with the client address: after
  ``free`` failures, each attempt from that address must wait a delay that
  doubles per failure (1 s, 2 s, 4 s, ...) up to ``max_delay``;
- the login alone, from any address: the same, after many more failures and
  with a short cap, so a botnet guessing one password slows to a crawl while
  the owner, at worst, waits ``account_max_delay``.

Unknown logins are counted exactly like known ones, so the answers (401,
then 429 with ``Retry-After``) are indistinguishable. Keys are SHA-256
digests: the table holds no login names (they may be email addresses). A
count older than a day starts again. A success clears both counts.

Kept in PostgreSQL so every API process sees the same counts.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from projections.db import Pool
from projections.ddl import lock_ddl

TABLE = "lorekeeper_login_throttle"
DDL = (
    f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        key bytea PRIMARY KEY,
        failures integer NOT NULL,
        last_failure timestamptz NOT NULL
    )""",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_last_failure_idx ON {TABLE} (last_failure)",
)
FORGET_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Rule:
    free: int  # failures before any delay
    max_delay: float  # seconds

    def delay(self, failures: int) -> float:
        """Seconds to wait after ``failures`` failures in a row."""
        over = failures - self.free
        return 0.0 if over < 0 else min(self.max_delay, 2.0 ** min(over, 40))


class LoginThrottle:
    def __init__(self, pool: Pool, per_address: Rule, per_account: Rule) -> None:
        self.pool = pool
        self.rules = (per_address, per_account)

    def setup(self) -> None:
        with self.pool.connection() as conn, conn.transaction():
            lock_ddl(conn)
            for statement in DDL:
                conn.execute(statement)

    @staticmethod
    def _keys(login: str, address: str) -> tuple[bytes, bytes]:
        folded = login.strip().casefold()
        return (
            hashlib.sha256(f"address\x1f{address}\x1f{folded}".encode()).digest(),
            hashlib.sha256(f"account\x1f{folded}".encode()).digest(),
        )

    def retry_after(self, login: str, address: str) -> int:
        """Seconds before this login may be tried from this address (0: now)."""
        keys = self._keys(login, address)
        with self.pool.connection() as conn:
            rows = conn.execute(
                f"SELECT key, failures, last_failure, now() AS now FROM {TABLE} WHERE key = ANY(%s)",
                (list(keys),),
            ).fetchall()
        wait = 0.0
        for row in rows:
            rule = self.rules[keys.index(bytes(row["key"]))]
            if row["now"] - row["last_failure"] > FORGET_AFTER:
                continue
            allowed_at: datetime = row["last_failure"] + timedelta(seconds=rule.delay(row["failures"]))
            wait = max(wait, (allowed_at - row["now"]).total_seconds())
        return math.ceil(wait) if wait > 0 else 0

    def failed(self, login: str, address: str) -> None:
        with self.pool.connection() as conn:
            conn.execute(
                f"""INSERT INTO {TABLE} (key, failures, last_failure)
                SELECT k, 1, now() FROM unnest(%s::bytea[]) AS k
                ON CONFLICT (key) DO UPDATE SET
                    failures = CASE WHEN {TABLE}.last_failure < now() - %s THEN 1 ELSE {TABLE}.failures + 1 END,
                    last_failure = now()""",
                (list(self._keys(login, address)), FORGET_AFTER),
            )

    def succeeded(self, login: str, address: str) -> None:
        with self.pool.connection() as conn:
            conn.execute(f"DELETE FROM {TABLE} WHERE key = ANY(%s)", (list(self._keys(login, address)),))

    def forget_old(self) -> int:
        """Drop counts nobody added to for a day (they no longer delay anyone)."""
        with self.pool.connection() as conn:
            return conn.execute(f"DELETE FROM {TABLE} WHERE last_failure < now() - %s", (FORGET_AFTER,)).rowcount
