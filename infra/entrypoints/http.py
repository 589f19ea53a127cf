"""The HTTP side of the composition root: the services routes may use, and the app."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from psycopg_pool import ConnectionPool

from api.app import create_app
from api.auth import TokenService
from api.deps import Services
from api.live.metrics import SessionMetrics
from api.live.reconnect import ReconnectTokens
from api.ratelimit import RateLimits
from domain.accounts import Erasure
from infra.auth_sessions import AuthSessions, Passwords
from infra.content_store import ContentBlobs
from infra.crypto import KeyStore
from infra.entrypoints.contexts import http_parts
from infra.fanout.feed import TelemetrySink
from infra.health import Health, ReadSideCollector, ReadSideState
from infra.history import History
from infra.idempotency import IdempotencyStore
from infra.login_throttle import LoginThrottle
from infra.privacy import PlayerData
from infra.settings import Settings
from infra.time_travel import TimeTravel
from projections.db import LoopReads
from projections.read_side import ReadSide

if TYPE_CHECKING:
    from infra.entrypoints.bootstrap import Container


def services(c: Container) -> dict[type, object]:
    """Everything a route may use, by the type it declares."""
    settings = c.settings
    metrics = SessionMetrics(c.store)
    read_side = ReadSideState(c.pool, c.event_log, c.readers)
    metrics.registry.register(ReadSideCollector(read_side))
    return {
        **c.use_cases,
        Erasure: c.erasure,
        PlayerData: PlayerData(c.store, c.erasure, c.pool, c.tables),
        Settings: settings,
        ConnectionPool: c.pool,
        LoopReads: c.loop_reads,
        ReadSide: c.read_side,
        KeyStore: c.keys,
        TelemetrySink: c.telemetry_sink,
        IdempotencyStore: c.idempotency,
        AuthSessions: c.auth_sessions,
        LoginThrottle: c.login_throttle,
        Passwords: Passwords(),
        ContentBlobs: c.content_blobs,
        TokenService: TokenService(c.jwt_secret, settings.access_token_ttl_seconds, c.auth_sessions.is_revoked),
        RateLimits: RateLimits(
            settings.rate_limit, settings.address_rate_limit, settings.action_rate_limit, settings.storage_budget
        ),
        ReconnectTokens: ReconnectTokens(c.jwt_secret, settings.reconnect_window_seconds),
        SessionMetrics: metrics,
        CollectorRegistry: metrics.registry,
        ThreadPoolExecutor: c.executor,
        Health: Health(c.store, read_side, set(c.runners), settings),
        History: c.history,
        TimeTravel: TimeTravel(c.store, c.mapper.decode_state),
    }


def http_app(c: Container, run_projections: bool) -> FastAPI:
    """The app, and what runs beside it for its lifetime: table set-up, the
    erasures a crash interrupted, and (``run_projections``) the projector as threads."""
    relay: list[threading.Thread] = []

    def start() -> None:
        c.setup()
        c.erasure.resume()
        c.keep_cache()
        if run_projections:
            c.start_background()
            if c.kafka_enabled:
                relay.append(threading.Thread(target=c.run_relay, name="relay", daemon=True))
                relay[0].start()

    def stop() -> None:
        c.executor.shutdown(wait=False, cancel_futures=True)
        c.stop_background()
        if relay:
            c.relay_follower.stop()

    return create_app(
        Services(services(c)),
        http_parts(),
        threads=c.settings.api_threads,
        max_body_bytes=c.settings.max_body_bytes,
        gc_freeze=c.settings.gc_freeze,
        start=start,
        stop=stop,
        on_loop=(c.loop_reads,),
    )
