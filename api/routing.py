"""The one route class every router uses, so every context gets the edge's rules for free:

- JSON bodies are read by ``api.wire.loads`` (strict; values Lorekeeper can keep);
- query and path parameters obey the same value rule (no U+0000 anywhere).

``create_app`` refuses a router built without it, so a new context cannot forget.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

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


def router(**options: Any) -> APIRouter:
    """An ``APIRouter`` whose routes follow the edge's rules."""
    return APIRouter(route_class=StrictRoute, **options)


def check_strict(routers: Any) -> None:
    for r in routers:
        if not issubclass(r.route_class, StrictRoute):
            raise TypeError(f"router {r.prefix or r.tags} must be built with api.routing.router()")
