"""Dependencies the routers declare, as ``Annotated`` aliases.

The composition root (infra/entrypoints/bootstrap.py) builds every service
and hands them to the app in one ``Services`` registry, keyed by type. A route
never sees the registry: it names what it uses (``Narrative``, ``ReadDb``,
``CurrentPrincipal``), and a test replaces any one of them with
``app.dependency_overrides[provide(NarrativeUseCases)] = ...``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, TypeVar, cast

from fastapi import Depends, Header, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from psycopg_pool import ConnectionPool
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection
from starlette.responses import Response

from api.auth import Principal, TokenService, unauthorized
from api.idempotency import answer_of
from api.problems import Problem
from api.ratelimit import RateLimits
from api.responses import to_response
from domain.kernel.aggregate import Aggregate
from domain.kernel.combining import Combined
from domain.kernel.store import Written
from infra.idempotency import KEY_MAX, IdempotencyStore, Stored
from infra.settings import Settings
from projections.db import LoopReads, Pool
from projections.read_side import BeyondHead, ReadSide, TooManyWaiters

T = TypeVar("T")
A = TypeVar("A", bound=Aggregate)

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
LoopDb = Annotated[LoopReads, wired(LoopReads)]  # for async routes: reads on the event loop
Reads = Annotated[ReadSide, wired(ReadSide)]
Config = Annotated[Settings, wired(Settings)]


Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def get_principal(tokens: Annotated[TokenService, wired(TokenService)], credentials: Bearer) -> Principal:
    return authenticated(tokens, credentials)


def authenticated(tokens: TokenService, credentials: HTTPAuthorizationCredentials | None) -> Principal:
    if credentials is None:
        raise unauthorized("a bearer token is required")
    return tokens.verify(credentials.credentials)


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


_ETAG = re.compile(r'(W/)?"([^"]*)"')


def parse_if_match(value: str | None) -> int | None:
    """The version an ``If-Match`` header requires (RFC 9110 13.1.1): absent,
    empty or ``*`` -> None (any); ``"3"`` -> 3. A weak tag (``W/"3"``) never matches for
    a write: 412. Anything else (``"3``, ``3``, a tag that is not a version, a
    list of several tags) is malformed: 400."""
    if value is None or value.strip() in ("*", ""):  # an empty field is no condition at all
        return None
    match = _ETAG.fullmatch(value.strip())
    if match is None:
        raise Problem(400, "invalid_if_match", f'If-Match must be one entity tag like "3" or *, not {value!r}')
    weak, tag = match.groups()
    if not tag.isascii() or not tag.isdigit() or len(tag) > 18:
        raise Problem(400, "invalid_if_match", f"If-Match names a version (a decimal number), not {tag!r}")
    if weak:
        raise Problem(
            412,
            "version_conflict",
            "a weak entity tag never matches for a write (RFC 9110): send the strong ETag",
        )
    return int(tag)


IF_MATCH_PATTERN = r'^(\*|"[0-9]{1,18}")?$'  # empty: as if absent


async def get_if_match(
    if_match: Annotated[
        str | None,
        Header(
            description='The ETag of the version this write expects (`"3"`), or `*`. A weak tag gets 412; '
            "anything else, 400 `invalid_if_match`.",
            json_schema_extra={"pattern": IF_MATCH_PATTERN},  # checked by parse_if_match, answered 400 not 422
        ),
    ] = None,
) -> int | None:
    return parse_if_match(if_match)


IfMatch = Annotated[int | None, Depends(get_if_match)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Makes a retry safe: the same key with the same request gets the first answer (24 h). "
        f"1 to {KEY_MAX} characters; otherwise 400 `invalid_idempotency_key`.",
        json_schema_extra={"minLength": 1, "maxLength": KEY_MAX},
    ),
]


Position = Annotated[
    int | None,
    Query(
        ge=0,
        le=2**63 - 1,
        strict=False,  # a query parameter is text on the wire
        description="Wait (boundedly) until the read models include this event store position, "
        "as a command's answer gave it. A position beyond the last stored event is refused at once (422).",
    ),
]


async def wait_for_projections(reads: Reads, min_position: Position = None) -> None:
    """Async, so that a read without ``min_position`` (most) costs no threadpool
    hop; the bounded wait itself runs on the pool's threads."""
    if min_position is not None:
        await run_in_threadpool(read_your_writes, reads, min_position)


def read_your_writes(reads: ReadSide, min_position: int | None) -> None:
    """Wait (boundedly) until the read models include ``min_position``, or answer why not."""
    if min_position is None:
        return
    try:
        caught_up = reads.wait(min_position)
    except BeyondHead as beyond:
        raise Problem(422, "position_beyond_head", str(beyond), min_position=min_position, head=beyond.head) from None
    except TooManyWaiters as busy:
        raise Problem(503, "projection_lagging", str(busy), headers={"Retry-After": "1"}) from None
    if not caught_up:
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

    async def run_combined(
        self, request_key: Any, combined: Combined[A], answer: Callable[[Written], Stored]
    ) -> Response:
        """``run`` for a command on a hot aggregate, from an ``async def`` route:
        without an Idempotency-Key no thread waits on it (``Combined.run_async``);
        with one, its answer commits with its events, on a worker thread."""
        if self.key is None:
            return to_response(answer(await combined.run_async()))
        return await run_in_threadpool(self.run, request_key, lambda: answer(combined.run()))


async def get_commands(request: Request, credentials: Bearer, idempotency_key: IdempotencyKey = None) -> Commands:
    # The services it uses are taken from the registry, not declared as
    # dependencies of their own: FastAPI solves every declared dependency
    # anew per request, and four more were a tenth of a hot command's time.
    services = cast(Services, request.app.state.services)
    principal = authenticated(services.get(TokenService), credentials)
    idempotency, limits = services.get(IdempotencyStore), services.get(RateLimits)
    player = str(principal.subject)
    limits.commands.check("commands", player)
    # The body was read (and bounded) before dependencies run: this is its size.
    limits.storage.check("storage", player, max(1, len(await request.body())), code="storage_budget_exhausted")
    return Commands(principal, idempotency, idempotency_key)


CommandDep = Annotated[Commands, Depends(get_commands)]


async def limit_by_address(request: Request, limits: Annotated[RateLimits, wired(RateLimits)]) -> None:
    """Rate limit for endpoints used before anyone is logged in (sign-up, login)."""
    limits.addresses.check("address", request.client.host if request.client else "")


AddressRateLimit = Depends(limit_by_address)


def game_server(cmd: Commands, what: str) -> None:
    """What only a trusted game server reports (role ``server``): 403 for anyone else."""
    if "server" not in cmd.principal.roles:
        raise Problem(403, "forbidden", f"{what} is reported by a game server (role server)")
