"""Sign-up, login, refresh and logout: access tokens and rotating refresh tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from uuid import UUID

from fastapi import Body, Request
from starlette.responses import Response

from api import routing
from api.accounts.deps import Accounts, PasswordHasher, Sessions, Tokens
from api.accounts.schemas import AnonymousAuth, LoginIn, RefreshIn, TokenOut
from api.deps import AddressRateLimit, Config, CurrentPrincipal, IdempotencyKey, wired
from api.idempotency import answer_of
from api.responses import to_response
from infra.idempotency import IdempotencyStore, Stored

router = routing.router(prefix="/v1/auth", tags=["auth"])


def token_pair(
    sessions: Sessions,
    tokens: Tokens,
    player_id: UUID,
    position: int | None = None,
    sid: UUID | None = None,
    refresh_token: str | None = None,
) -> TokenOut:
    """Access and refresh token for a session (a new one unless ``sid`` is given)."""
    if sid is None or refresh_token is None:
        sid, refresh_token = sessions.open(player_id)
    return TokenOut(
        player_id=player_id,
        access_token=tokens.issue(player_id, sid=sid),
        expires_in=tokens.ttl_seconds,
        refresh_token=refresh_token,
        refresh_expires_in=sessions.refresh_ttl,
        position=position,
    )


@router.post("/anonymous", status_code=201, response_model=TokenOut, dependencies=[AddressRateLimit])
def anonymous(
    request: Request,
    accounts: Accounts,
    sessions: Sessions,
    tokens: Tokens,
    idempotency: Annotated[IdempotencyStore, wired(IdempotencyStore)],
    idempotency_key: IdempotencyKey = None,
    body: Annotated[AnonymousAuth | None, Body()] = None,
) -> Response:
    """Create an anonymous player and return tokens for it (upgrade it later
    with ``POST /v1/players/{id}/credentials`` or platform links)."""
    body = body or AnonymousAuth()

    def command() -> Stored:
        written = accounts.create_player(body.display_name)
        out = token_pair(sessions, tokens, written.aggregate.id, written.position)
        return Stored(201, out.model_dump_json().encode(), {"content-type": "application/json"})

    scope = f"anonymous:{request.client.host if request.client else ''}"
    return to_response(idempotency.run(scope, idempotency_key, body.model_dump(), command, answer_of))


@router.post("/login", response_model=TokenOut, dependencies=[AddressRateLimit])
def login(
    body: LoginIn, accounts: Accounts, passwords: PasswordHasher, sessions: Sessions, tokens: Tokens, settings: Config
) -> TokenOut:
    """Username or email and password. Unknown logins and wrong passwords get
    the same 401; repeated failures lock the account (429 with Retry-After)."""
    written = accounts.login(
        body.login,
        lambda stored: passwords.matches(body.password, stored),
        max_failures=settings.login_max_failures,
        lockout=timedelta(seconds=settings.login_lockout_seconds),
    )
    return token_pair(sessions, tokens, written.aggregate.id, written.position)


@router.post("/refresh", response_model=TokenOut, dependencies=[AddressRateLimit])
def refresh(body: RefreshIn, sessions: Sessions, tokens: Tokens) -> TokenOut:
    """A new access token and a new refresh token; the old refresh token is spent."""
    player_id, sid, refresh_token = sessions.rotate(body.refresh_token)
    return token_pair(sessions, tokens, player_id, sid=sid, refresh_token=refresh_token)


@router.post("/logout", status_code=204)
def logout(principal: CurrentPrincipal, sessions: Sessions) -> Response:
    """End this login session: its refresh token and access tokens stop working."""
    if principal.sid is not None:
        sessions.revoke(principal.sid)
    return Response(status_code=204)
