"""Dependencies shared by the routers, as ``Annotated`` aliases."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.responses import Response

from api.auth import Principal, unauthorized
from api.idempotency import IdempotencyStore, Stored
from api.problems import Problem
from api.responses import to_response
from infra.container import Container
from projections.tracking import wait_for_position

_bearer = HTTPBearer(auto_error=False)


# Dependencies that never block are async so FastAPI runs them inline; a sync
# dependency costs a threadpool hop per request.


async def get_container(request: Request) -> Container:
    return request.app.state.container


ContainerDep = Annotated[Container, Depends(get_container)]


async def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise unauthorized("a bearer token is required")
    return request.app.state.tokens.verify(credentials.credentials)


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def parse_if_match(value: str | None) -> int | None:
    """``"3"``, ``W/"3"`` or ``3`` -> 3; absent or ``*`` -> None."""
    if value is None or value.strip() == "*":
        return None
    tag = value.strip()
    if tag.startswith("W/"):
        tag = tag[2:]
    tag = tag.strip('"')
    if not tag.isdigit():
        raise Problem(400, "invalid_if_match", f'If-Match must be an ETag like "3", not {value!r}')
    return int(tag)


async def get_if_match(if_match: Annotated[str | None, Header()] = None) -> int | None:
    return parse_if_match(if_match)


IfMatch = Annotated[int | None, Depends(get_if_match)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


def wait_for_projections(
    container: ContainerDep,
    min_position: Annotated[int | None, Query(ge=0, description="Wait until read models reach this position.")] = None,
) -> None:
    if min_position is None:
        return
    ok = wait_for_position(
        container.pool,
        list(container.runners),
        min_position,
        container.settings.read_wait_max_seconds,
    )
    if not ok:
        raise Problem(
            503,
            "projection_lagging",
            f"read models have not reached position {min_position} yet",
            headers={"Retry-After": "1"},
            min_position=min_position,
        )


ReadYourWrites = Depends(wait_for_projections)


@dataclass
class Commands:
    """What every command route needs: who acts, the app, and idempotent execution."""

    principal: Principal
    container: Container
    idempotency: IdempotencyStore
    key: str | None

    def run(self, request_key: Any, command: Callable[[], Stored]) -> Response:
        """Run ``command`` once per Idempotency-Key (and request), as a response."""
        return to_response(self.idempotency.run(str(self.principal.subject), self.key, request_key, command))


async def get_commands(
    request: Request,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> Commands:
    request.app.state.rate_limiter.check("commands", str(principal.subject))
    return Commands(principal, request.app.state.container, request.app.state.idempotency, idempotency_key)


CommandDep = Annotated[Commands, Depends(get_commands)]


async def limit_by_address(request: Request) -> None:
    """Rate limit for endpoints used before anyone is logged in (sign-up, login)."""
    request.app.state.address_rate_limiter.check("address", request.client.host if request.client else "")


AddressRateLimit = Depends(limit_by_address)
