"""Sign-up, login, refresh and logout: access tokens and rotating refresh tokens."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import orjson
from fastapi import Body, Request
from starlette.responses import Response

from api import routing
from api.accounts.deps import Accounts, PasswordHasher, Sessions, Tokens
from api.accounts.schemas import AnonymousAuth, LoginIn, RefreshIn, TokenOut
from api.deps import AddressRateLimit, CurrentPrincipal, IdempotencyKey, wired
from api.idempotency import answer_of
from api.openapi import problems
from api.problems import Problem
from api.responses import to_response
from domain.accounts.errors import InvalidCredentials
from infra.idempotency import IdempotencyStore, Stored
from infra.login_throttle import LoginThrottle

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
    with ``POST /v1/players/{id}/credentials`` or platform links).

    With an ``Idempotency-Key``, a retry gets the same player, with tokens of
    a new login session: the stored answer holds the player, never a token
    (a replayable answer is kept for a day, beyond erasure's reach)."""
    body = body or AnonymousAuth()

    def command() -> Stored:
        written = accounts.create_player(body.display_name)
        created = {"player_id": str(written.aggregate.id), "position": written.position}
        return Stored(201, orjson.dumps(created), {"content-type": "application/json"})

    scope = f"anonymous:{request.client.host if request.client else ''}"
    answer = idempotency.run(scope, idempotency_key, body.model_dump(), command, answer_of)
    if answer.status != 201:
        return to_response(answer)
    created = orjson.loads(answer.body)
    out = token_pair(sessions, tokens, UUID(created["player_id"]), created["position"])
    headers = {k: v for k, v in answer.headers.items() if k.lower() != "content-type"}
    return Response(out.model_dump_json(), status_code=201, headers=headers, media_type="application/json")


@router.post("/login", response_model=TokenOut, dependencies=[AddressRateLimit], responses=problems(401))
def login(
    request: Request,
    body: LoginIn,
    accounts: Accounts,
    passwords: PasswordHasher,
    sessions: Sessions,
    tokens: Tokens,
    throttle: Annotated[LoginThrottle, wired(LoginThrottle)],
) -> TokenOut:
    """Username or email and password. Unknown logins and wrong passwords get
    the same 401. Repeated failures of one login make its next tries wait,
    longer each time (429 ``login_throttled`` with ``Retry-After``), per
    address and, more leniently, from anywhere; nothing ever locks the account."""
    address = request.client.host if request.client else ""
    wait = throttle.retry_after(body.login, address)
    if wait:
        raise Problem(
            429,
            "login_throttled",
            "too many failed logins; wait before trying again",
            headers={"Retry-After": str(wait)},
            retry_after=wait,
        )
    try:
        written = accounts.login(body.login, lambda stored: passwords.matches(body.password, stored))
    except InvalidCredentials:
        throttle.failed(body.login, address)
        raise
    throttle.succeeded(body.login, address)
    return token_pair(sessions, tokens, written.aggregate.id, written.position)


@router.post("/refresh", response_model=TokenOut, dependencies=[AddressRateLimit], responses=problems(401))
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
