"""Bearer tokens (JWT, HS256) and who the caller is."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from uuid import UUID

import jwt

from api.problems import Problem

ISSUER = "lorekeeper"
ROLES = frozenset({"player", "admin", "analyst", "server"})  # server: a trusted game server


@dataclass(frozen=True)
class Principal:
    subject: UUID
    roles: frozenset[str]
    sid: UUID | None = None  # the login session (None: an operator token)

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    def can_read(self, owner_id: UUID) -> bool:
        return owner_id == self.subject or bool(self.roles & {"admin", "analyst"})

    def actor(self) -> UUID | None:
        """The id domain commands check ownership against; admins act for anyone."""
        return None if self.is_admin else self.subject


class TokenService:
    def __init__(self, secret: str, ttl_seconds: int, is_revoked: Callable[[UUID], bool] | None = None) -> None:
        self.secret = secret
        self.ttl_seconds = ttl_seconds
        self.is_revoked = is_revoked
        # Verifying a signature costs more than the rest of a small command; a
        # client sends the same token for its whole lifetime, so remember the
        # verified claims (expiry is still checked on every use).
        self._verified = lru_cache(maxsize=8192)(self._decode)

    def issue(self, subject: UUID, roles: frozenset[str] = frozenset({"player"}), sid: UUID | None = None) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "sub": str(subject),
            "roles": sorted(roles),
            "iat": now,
            "exp": now + self.ttl_seconds,
            **({"sid": str(sid)} if sid else {}),
        }
        return jwt.encode(claims, self.secret, algorithm="HS256")

    def verify(self, token: str) -> Principal:
        principal, expires_at = self._verified(token)
        if expires_at <= time.time():
            raise unauthorized("invalid token: Signature has expired")
        if principal.sid is not None and self.is_revoked is not None and self.is_revoked(principal.sid):
            raise unauthorized("this session has ended (logged out); log in again")
        return principal

    def _decode(self, token: str) -> tuple[Principal, float]:
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=["HS256"],
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "iss"]},
            )
            roles = frozenset(claims.get("roles", ())) & ROLES
            sid = UUID(claims["sid"]) if "sid" in claims else None
            return Principal(UUID(claims["sub"]), roles, sid), float(claims["exp"])
        except (jwt.PyJWTError, ValueError, TypeError) as e:
            raise unauthorized(f"invalid token: {e}") from None


def unauthorized(detail: str) -> Problem:
    return Problem(401, "unauthorized", detail, headers={"WWW-Authenticate": "Bearer"})
