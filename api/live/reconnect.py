"""Reconnect tokens (seed 001's ReconnectToken): signed, short-lived, bound to
one session and one player; they carry issued_at, expires_at and the last
sequence number acknowledged when they were issued."""

from __future__ import annotations

import time
from dataclasses import dataclass
from uuid import UUID

import jwt

from api.auth import ISSUER


class InvalidReconnectToken(Exception):
    pass


@dataclass(frozen=True)
class ReconnectToken:
    session_id: UUID
    user_id: UUID
    issued_at: int
    expires_at: int
    last_sequence_number: int


class ReconnectTokens:
    def __init__(self, secret: str, window_seconds: int) -> None:
        self.secret = secret
        self.window_seconds = window_seconds

    def issue(self, session_id: UUID, user_id: UUID, last_sequence_number: int) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "typ": "reconnect",
            "sub": str(user_id),
            "sid": str(session_id),
            "lsn": last_sequence_number,
            "iat": now,
            "exp": now + self.window_seconds,
        }
        return jwt.encode(claims, self.secret, algorithm="HS256")

    def verify(self, token: str, user_id: UUID) -> ReconnectToken:
        """The token's claims, if it is genuine, unexpired and this player's."""
        try:
            claims = jwt.decode(
                token, self.secret, algorithms=["HS256"], issuer=ISSUER, options={"require": ["exp", "iat", "sid"]}
            )
        except jwt.ExpiredSignatureError:
            raise InvalidReconnectToken("the reconnect window has passed") from None
        except jwt.PyJWTError as e:
            raise InvalidReconnectToken(f"invalid reconnect token: {e}") from None
        if claims.get("typ") != "reconnect":
            raise InvalidReconnectToken("not a reconnect token")
        if claims.get("sub") != str(user_id):
            raise InvalidReconnectToken("this reconnect token belongs to another player")
        return ReconnectToken(UUID(claims["sid"]), user_id, claims["iat"], claims["exp"], int(claims.get("lsn", 0)))
