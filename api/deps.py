"""Dependencies the routers declare, as ``Annotated`` aliases.

The composition root (infra/entrypoints/bootstrap.py) builds every service
and hands them to the app in one ``Services`` registry, keyed by type. A route
never sees the registry: it names what it uses (``Narrative``, ``ReadDb``,
``CurrentPrincipal``), and a test replaces any one of them with
``app.dependency_overrides[provide(NarrativeUseCases)] = ...``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, TypeVar, cast

from fastapi import Depends, Header, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from psycopg_pool import ConnectionPool
from starlette.requests import HTTPConnection
from starlette.responses import Response

from api.auth import Principal, TokenService, unauthorized
from api.idempotency import answer_of
from api.problems import Problem
from api.ratelimit import RateLimits
from api.responses import to_response
from infra.idempotency import IdempotencyStore, Stored
from infra.settings import Settings
from projections.db import Pool
from projections.read_side import ReadSide

T = TypeVar("T")

_bearer = HTTPBearer(auto_error=False)


class Services:
    """What the HTTP layer may use, by type (built by the composition root)."""

    def __init__(self, objects: Mapping[type, Any]) -> None:
        self._objects = dict(objects)

    def get(self, cls: type[T]) -> T:
        try:
            return cast(T, self._objects[cls])
        except KeyError:
            raise LookupError(f"no {cls.__name__} was wired into the app") from None


@cache
def provide(cls: Any) -> Callable[[HTTPConnection], Any]:
    """The dependency that hands a route (HTTP or WebSocket) the wired ``cls``
    (one function per type, so ``dependency_overrides`` can replace it)."""

    # Async: FastAPI runs it inline (a sync dependency costs a threadpool hop per request).
    async def dependency(connection: HTTPConnection) -> Any:
        return cast(Services, connection.app.state.services).get(cls)

    dependency.__name__ = f"provide_{cls.__name__}"
    return dependency


def wired(cls: Any) -> Any:
    """``Annotated[cls, wired(cls)]``: a route parameter the composition root fills."""
    return Depends(provide(cls))


ReadDb = Annotated[Pool, wired(ConnectionPool)]
Reads = Annotated[ReadSide, wired(ReadSide)]
Config = Annotated[Settings, wired(Settings)]


async def get_principal(
    tokens: Annotated[TokenService, wired(TokenService)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise unauthorized("a bearer token is required")
    return tokens.verify(credentials.credentials)


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
    reads: Reads,
    min_position: Annotated[int | None, Query(ge=0, description="Wait until read models reach this position.")] = None,
) -> None:
    if min_position is None:
        return
    if not reads.wait(min_position):
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
    """What every command route needs: who acts, and idempotent execution."""

    principal: Principal
    idempotency: IdempotencyStore
    key: str | None

    def run(self, request_key: Any, command: Callable[[], Stored]) -> Response:
        """Run ``command`` once per Idempotency-Key (and request), as a response."""
        return to_response(self.idempotency.run(str(self.principal.subject), self.key, request_key, command, answer_of))


async def get_commands(
    principal: CurrentPrincipal,
    idempotency: Annotated[IdempotencyStore, wired(IdempotencyStore)],
    limits: Annotated[RateLimits, wired(RateLimits)],
    idempotency_key: IdempotencyKey = None,
) -> Commands:
    limits.commands.check("commands", str(principal.subject))
    return Commands(principal, idempotency, idempotency_key)


CommandDep = Annotated[Commands, Depends(get_commands)]


async def limit_by_address(request: Request, limits: Annotated[RateLimits, wired(RateLimits)]) -> None:
    """Rate limit for endpoints used before anyone is logged in (sign-up, login)."""
    limits.addresses.check("address", request.client.host if request.client else "")


AddressRateLimit = Depends(limit_by_address)
