"""The FastAPI application factory."""

from __future__ import annotations

import gc
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from api import problems
from api.accounts import AuthSessions, Passwords
from api.auth import TokenService
from api.idempotency import IdempotencyStore
from api.limits import BodyLimitMiddleware
from api.metrics import SessionMetrics
from api.ratelimit import RateLimiter
from api.reconnect import ReconnectTokens
from api.routers import (
    auth,
    catalogue,
    characters,
    content,
    health,
    metrics,
    players,
    privacy,
    save_slots,
    sessions,
    telemetry,
)
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
        app.state.auth_sessions.setup()
        content.setup(container)
        if container.settings.gc_freeze:
            # Start-up's objects (modules, schemas, validators) live as long as the
            # process: frozen, full collections no longer walk them (they paused
            # the event loop 40-55 ms a few times a second under load).
            gc.collect()
            gc.freeze()
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
    settings = container.settings
    app.state.auth_sessions = AuthSessions(
        container.pool, settings.access_token_ttl_seconds, settings.refresh_token_ttl_seconds
    )
    app.state.passwords = Passwords()
    app.state.rate_limiter = RateLimiter(settings.rate_limit)
    app.state.address_rate_limiter = RateLimiter(settings.address_rate_limit)
    app.state.tokens = TokenService(
        container.jwt_secret, settings.access_token_ttl_seconds, app.state.auth_sessions.is_revoked
    )
    app.state.idempotency = IdempotencyStore(container.pool)
    app.state.reconnect_tokens = ReconnectTokens(container.jwt_secret, container.settings.reconnect_window_seconds)
    app.state.metrics = SessionMetrics(container.app)
    # Live sessions run their blocking use cases here (see api/routers/sessions.py).
    app.state.executor = ThreadPoolExecutor(container.settings.api_threads, thread_name_prefix="session")
    problems.install(app)
    routers = (auth, players, privacy, save_slots, catalogue, content, characters, sessions, telemetry, health, metrics)
    for module in routers:
        app.include_router(module.router)
    app.add_middleware(BodyLimitMiddleware, max_bytes=container.settings.max_body_bytes)
    return app
