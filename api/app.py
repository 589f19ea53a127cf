"""The FastAPI application factory."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from api import problems
from api.auth import TokenService
from api.idempotency import IdempotencyStore
from api.limits import BodyLimitMiddleware
from api.metrics import SessionMetrics
from api.reconnect import ReconnectTokens
from api.routers import auth, characters, health, metrics, players, save_slots, sessions, telemetry
from infra.container import Container


def create_app(container: Container, *, run_projections: bool | None = None) -> FastAPI:
    """Build the app; with ``run_projections`` the projection follower runs in-process."""
    follow = container.settings.run_projections if run_projections is None else run_projections

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Sync routes run on this many threads; more only adds GIL contention.
        anyio.to_thread.current_default_thread_limiter().total_tokens = container.settings.api_threads
        container.setup_projections()
        app.state.idempotency.setup()
        if follow:
            container.follower.start()
            if container.kafka_enabled:
                threading.Thread(target=container.run_relay, name="relay", daemon=True).start()
        try:
            yield
        finally:
            app.state.executor.shutdown(wait=False, cancel_futures=True)
            if follow:
                container.follower.stop()
                if container.kafka_enabled:
                    container.relay_follower.stop()

    app = FastAPI(
        title="Lorekeeper",
        version="0.1.0",
        summary="Event-sourced game backend: players, save slots and their read models.",
        lifespan=lifespan,
    )
    app.state.container = container
    app.state.tokens = TokenService(container.jwt_secret, container.settings.access_token_ttl_seconds)
    app.state.idempotency = IdempotencyStore(container.pool)
    app.state.reconnect_tokens = ReconnectTokens(container.jwt_secret, container.settings.reconnect_window_seconds)
    app.state.metrics = SessionMetrics(container.app)
    # Live sessions run their blocking use cases here (see api/routers/sessions.py).
    app.state.executor = ThreadPoolExecutor(container.settings.api_threads, thread_name_prefix="session")
    problems.install(app)
    routers = (auth, players, save_slots, characters, sessions, telemetry, health, metrics)
    for module in routers:
        app.include_router(module.router)
    app.add_middleware(BodyLimitMiddleware, max_bytes=container.settings.max_body_bytes)
    return app
