"""Assembling the FastAPI application from parts the composition root built.

Nothing is constructed here: ``services`` holds every object a route may use
(by type, see ``api/deps.py``), ``contexts`` the routers each bounded context
declares, and ``start``/``stop`` what runs beside the app for its lifetime.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from api import history, openapi, operations, problems
from api.context import ContextHttp
from api.deps import Services
from api.limits import BodyLimitMiddleware
from api.routing import check_strict
from infra import heap


def create_app(
    services: Services,
    contexts: Iterable[ContextHttp],
    *,
    threads: int,
    max_body_bytes: int,
    gc_freeze: bool = True,
    start: Callable[[], None] = lambda: None,
    stop: Callable[[], None] = lambda: None,
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Sync routes run on this many threads; more only adds GIL contention.
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        start()
        heap.settle(gc_freeze)  # start-up's objects out of the collector's walks (infra/heap.py)
        try:
            yield
        finally:
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
