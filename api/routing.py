"""The one route class every router uses, so every context gets the edge's rules for free:

- JSON bodies are read by ``api.wire.loads`` (strict; values Lorekeeper can keep);
- query and path parameters obey the same value rule (no U+0000 anywhere);
- a router with a prefix is passed over at once for a path outside it.

``create_app`` refuses a router built without it, so a new context cannot forget.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette._utils import get_route_path
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import Scope

from api import wire


class StrictRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = wire.loads(await self.body())
        return self._json


class StrictRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            for name, value in request.query_params.multi_items():
                wire.check(name, "query")
                wire.check(value, f"query parameter {name!r}")
            for name, value in request.path_params.items():
                wire.check(value, f"path parameter {name!r}")
            return await handler(StrictRequest(request.scope, request.receive))

        return strict_handler


class PrefixedRouter(APIRouter):
    """FastAPI matches a request by trying every route of every included
    router in turn (a regular expression each): with every context's routes
    in one app, a tenth of a hot command's time on the event loop. A router
    whose routes all share its prefix answers "not mine" for any other path
    without trying them. (Included with no prefix of its own: ``create_app``.)"""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if self.prefix and not get_route_path(scope).startswith(self.prefix):
            return Match.NONE, {}
        return super().matches(scope)


def router(**options: Any) -> APIRouter:
    """An ``APIRouter`` whose routes follow the edge's rules."""
    return PrefixedRouter(route_class=StrictRoute, **options)


def check_strict(routers: Any) -> None:
    for r in routers:
        if not issubclass(r.route_class, StrictRoute):
            raise TypeError(f"router {r.prefix or r.tags} must be built with api.routing.router()")
