"""``/v1/sessions/ws``: the live-session protocol of seed 001 (see docs/sessions.md).

Every action is persisted (group-committed) before its ack is sent, so an ack
means durable. A refused action consumes no sequence number.
"""

from __future__ import annotations

import contextlib
import logging

from fastapi import WebSocket, WebSocketDisconnect

from api import routing
from api.deps import Config
from api.live.connection import LiveSession
from api.live.deps import Executor, Limits, Live, Metrics, Reconnects, Tokens
from api.live.protocol import Closed

log = logging.getLogger(__name__)
router = routing.router(tags=["sessions"])


@router.websocket("/v1/sessions/ws")
async def session_socket(
    ws: WebSocket,
    live_use_cases: Live,
    settings: Config,
    tokens: Tokens,
    reconnects: Reconnects,
    metrics: Metrics,
    executor: Executor,
    limits: Limits,
) -> None:
    """A live session: hello, then actions (acked once durable), heartbeats, bye."""
    await ws.accept()
    live = LiveSession(ws, live_use_cases, settings, tokens, reconnects, metrics, executor, limits)
    connected = False
    try:
        await live.handshake()
        connected = True
        live.metrics.active_sessions.inc()
        await live.serve()
    except Closed as closed:
        await _close(ws, closed.code, closed.reason)
        await live.lost()  # a session the server closed can be resumed, unless it ended
    except WebSocketDisconnect:
        await live.lost()
    except Exception:
        log.exception("live session failed")
        await live.lost()
        await _close(ws, 1011, "internal error")
    finally:
        if connected:
            live.metrics.active_sessions.dec()


async def _close(ws: WebSocket, code: int, reason: str) -> None:
    with contextlib.suppress(RuntimeError):  # already closed by the client
        await ws.close(code=code, reason=reason)
