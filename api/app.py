"""Assembling the FastAPI application from parts the composition root built.

Nothing is constructed here: ``services`` holds every object a route may use
(by type, see ``api/deps.py``), ``contexts`` the routers each bounded context
declares, ``start``/``stop`` what runs beside the app for its lifetime, and
``on_loop`` what lives on the app's event loop (opened after ``start``, closed
before ``stop``: the loop's read pool).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Protocol

import anyio.to_thread
from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from api import history, openapi, operations, problems
from api.context import ContextHttp
from api.deps import Services
from api.limits import BodyLimitMiddleware
from api.routing import check_strict
from infra import heap


class OnLoop(Protocol):
    """Something that lives on the app's event loop, from its start to its end."""

    async def open(self) -> None: ...

    async def close(self) -> None: ...


def create_app(
    services: Services,
    contexts: Iterable[ContextHttp],
    *,
    threads: int,
    max_body_bytes: int,
    gc_freeze: bool = True,
    start: Callable[[], None] = lambda: None,
    stop: Callable[[], None] = lambda: None,
    on_loop: Sequence[OnLoop] = (),
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Sync routes run on this many threads; more only adds GIL contention.
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        start()
        try:
            for resource in on_loop:
                await resource.open()
            heap.settle(gc_freeze)  # start-up's objects out of the collector's walks (infra/heap.py)
            yield
        finally:
            for resource in reversed(on_loop):
                await resource.close()
            stop()

    app = FastAPIOffline(  # /docs and /redoc from the package's own assets, not a CDN
        title="Lorekeeper",
        version="0.1.0",
        summary="Event-sourced game backend: players, save slots, live sessions and their read models.",
        lifespan=lifespan,
    )
    app.state.services = services
    problems.install(app)
    for context in contexts:
        check_strict(context.routers)
        for router in context.routers:
            app.include_router(router)
    app.include_router(operations.router)
    app.include_router(history.router)
    app.add_middleware(BodyLimitMiddleware, max_bytes=max_body_bytes)
    openapi.describe(app)
    return app
