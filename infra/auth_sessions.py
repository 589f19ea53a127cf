"""Login sessions: short-lived access tokens, rotating refresh tokens, logout.

Each login (anonymous sign-up, password login) opens a session ``sid``. The
access token (JWT, ``access_token_ttl_seconds``) names it; the refresh token is
``<sid>.<secret>`` and only the secret's SHA-256 is stored. Refreshing rotates
the secret: presenting an old one again means the token was copied, so the
session is revoked (theft detection, as OAuth 2.0 refresh rotation does).

Logout revokes the session. Access tokens are checked against the revoked
sessions whose access tokens may still be live; each process reloads that
(small) list at most once per ``REVOKED_RELOAD_SECONDS``, and sees its own
logouts at once (the reload runs in the background, so a check never
waits on the database). Operator tokens minted by ``lorekeeper token`` carry no sid
and simply expire.

Sessions and refresh tokens are security state, not game history, so they
live in a plain table, not the event store.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from psycopg import sql

from projections.db import Pool
from projections.ddl import lock_ddl

DDL = (
    """CREATE TABLE IF NOT EXISTS lorekeeper_auth_sessions (
        sid uuid PRIMARY KEY,
        player_id uuid NOT NULL,
        refresh_hash bytea NOT NULL,
        refresh_expires_at timestamptz NOT NULL,
        access_expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
    )""",
    "CREATE INDEX IF NOT EXISTS lorekeeper_auth_sessions_player_idx ON lorekeeper_auth_sessions (player_id)",
    "CREATE INDEX IF NOT EXISTS lorekeeper_auth_sessions_revoked_idx ON lorekeeper_auth_sessions "
    "(access_expires_at) WHERE revoked_at IS NOT NULL",
)
REVOKED_RELOAD_SECONDS = 1.0


class Passwords:
    """argon2id hashes (argon2-cffi's defaults: RFC 9106's low-memory profile)."""

    def __init__(self) -> None:
        self.hasher = PasswordHasher()
        # Unknown logins are checked against this, so they cost what a real one does.
        self._dummy = self.hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def matches(self, password: str, stored: str | None) -> bool:
        try:
            return self.hasher.verify(stored or self._dummy, password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


class AuthSessions:
    def __init__(self, pool: Pool, access_ttl: int, refresh_ttl: int) -> None:
        self.pool = pool
        self.access_ttl = access_ttl
        self.refresh_ttl = refresh_ttl
        self._revoked: frozenset[UUID] = frozenset()
        self._loaded_at = 0.0
        self._lock = threading.Lock()
        self._reloading = threading.Lock()  # held while a reload runs
        self._local: dict[UUID, float] = {}  # sids revoked by this process, and when

    def setup(self) -> None:
        with self.pool.connection() as conn, conn.transaction():
            lock_ddl(conn)
            for statement in DDL:
                conn.execute(statement)

    def open(self, player_id: UUID) -> tuple[UUID, str]:
        """A new session: its sid and refresh token."""
        sid, secret = uuid4(), secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        with self.pool.connection() as conn:
            conn.execute(
                "INSERT INTO lorekeeper_auth_sessions (sid, player_id, refresh_hash, refresh_expires_at, "
                "access_expires_at) VALUES (%s, %s, %s, %s, %s)",
                (sid, player_id, _digest(secret), now + timedelta(seconds=self.refresh_ttl), self._access_expiry(now)),
            )
        return sid, f"{sid}.{secret}"

    def rotate(self, refresh_token: str) -> tuple[UUID, UUID, str]:
        """(player_id, sid, new refresh token) for a valid refresh token; 401 otherwise."""
        sid_text, _, secret = refresh_token.partition(".")
        try:
            sid = UUID(sid_text)
        except ValueError:
            raise invalid_refresh("not a refresh token this server issued") from None
        now = datetime.now(UTC)
        fresh = secrets.token_urlsafe(32)
        with self.pool.connection() as conn, conn.transaction():
            row = conn.execute("SELECT * FROM lorekeeper_auth_sessions WHERE sid = %s FOR UPDATE", (sid,)).fetchone()
            if row is None or row["revoked_at"] is not None or row["refresh_expires_at"] <= now:
                raise invalid_refresh("the session has ended; log in again")
            reused = not secrets.compare_digest(bytes(row["refresh_hash"]), _digest(secret))
            if not reused:
                conn.execute(
                    "UPDATE lorekeeper_auth_sessions SET refresh_hash = %s, refresh_expires_at = %s, "
                    "access_expires_at = %s WHERE sid = %s",
                    (_digest(fresh), now + timedelta(seconds=self.refresh_ttl), self._access_expiry(now), sid),
                )
        if reused:
            # An old token presented again: someone holds a copy. End the session.
            self.revoke(sid)
            raise invalid_refresh("this refresh token was already used; the session is revoked")
        return row["player_id"], sid, f"{sid}.{fresh}"

    def revoke(self, sid: UUID) -> None:
        self._revoked_locally({sid} | self._revoke("sid", sid))

    def revoke_player(self, player_id: UUID) -> None:
        """Every session of a player (erasure)."""
        self._revoked_locally(self._revoke("player_id", player_id))

    def _revoke(self, column: str, value: UUID) -> set[UUID]:
        """Mark the matching sessions revoked; returns their ids."""
        with self.pool.connection() as conn:
            rows = conn.execute(
                sql.SQL(
                    "UPDATE lorekeeper_auth_sessions SET revoked_at = coalesce(revoked_at, now()) "
                    "WHERE {} = %s RETURNING sid"
                ).format(sql.Identifier(column)),
                (value,),
            ).fetchall()
        return {r["sid"] for r in rows}

    def is_revoked(self, sid: UUID) -> bool:
        """Never blocks (token checks run on the event loop): a stale list is
        reloaded by a background thread, and this answer uses the current one."""
        if time.monotonic() - self._loaded_at > REVOKED_RELOAD_SECONDS and self._reloading.acquire(blocking=False):
            threading.Thread(target=self._reload, name="revoked-sessions", daemon=True).start()
        return sid in self._revoked

    def _reload(self) -> None:
        started = time.monotonic()
        try:
            with self.pool.connection() as conn:
                rows = conn.execute(
                    "SELECT sid FROM lorekeeper_auth_sessions "
                    "WHERE revoked_at IS NOT NULL AND access_expires_at > now()"
                ).fetchall()
            with self._lock:
                # Logouts here during the query may be missing from its rows: keep them.
                self._local = {sid: at for sid, at in self._local.items() if at >= started}
                self._revoked = frozenset(r["sid"] for r in rows) | frozenset(self._local)
                self._loaded_at = time.monotonic()
        finally:
            self._reloading.release()

    def _revoked_locally(self, sids: set[UUID]) -> None:
        with self._lock:
            now = time.monotonic()
            self._local.update(dict.fromkeys(sids, now))
            self._revoked = self._revoked | sids

    def _access_expiry(self, now: datetime) -> datetime:
        return now + timedelta(seconds=self.access_ttl)


class InvalidRefreshToken(Exception):
    """The refresh token is unknown, spent, expired or revoked (the API answers 401)."""


def invalid_refresh(detail: str) -> InvalidRefreshToken:
    return InvalidRefreshToken(detail)
