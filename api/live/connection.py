"""One connected live session: the handshake, then messages (docs/sessions.md).

Every action is persisted (group-committed) before its ack is sent, so an ack
means durable. A refused action consumes no sequence number.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import partial
from typing import Any
from uuid import UUID

import orjson
from fastapi import WebSocket
from pydantic import ValidationError

from api.auth import Principal, TokenService
from api.live import frames
from api.live.metrics import SessionMetrics
from api.live.protocol import (
    BAD_HELLO,
    FORBIDDEN,
    GONE,
    HELLO_TIMEOUT_SECONDS,
    IDLE,
    NOT_FOUND,
    UNAUTHORIZED,
    VERSION,
    ActionIn,
    Closed,
    Hello,
    snapshot,
)
from api.live.reconnect import InvalidReconnectToken, ReconnectTokens
from api.problems import Problem
from api.ratelimit import RateLimits
from domain.kernel.errors import DomainError, NotFound, PermissionDenied
from domain.live.sessions import IllegalTransition, SequenceGap, Status
from domain.live.use_cases import LiveUseCases
from infra.settings import Settings

log = logging.getLogger(__name__)


class LiveSession:
    """One connected client: handshake, then messages until it leaves or idles."""

    def __init__(
        self,
        ws: WebSocket,
        live: LiveUseCases,
        settings: Settings,
        tokens: TokenService,
        reconnects: ReconnectTokens,
        metrics: SessionMetrics,
        executor: ThreadPoolExecutor,
        limits: RateLimits,
    ) -> None:
        self.ws = ws
        self.live = live
        self.settings = settings
        self.tokens = tokens
        self.reconnects = reconnects
        self.metrics = metrics
        self.executor = executor
        self.limits = limits
        self.received_bytes = 0  # the size of the last message
        self.session_id: UUID | None = None
        self.character_id: UUID | None = None
        self.connection: int | None = None  # which connection of the session this socket is
        self.principal: Principal | None = None

    async def call(self, fn: Any, *args: Any) -> Any:
        """Run a blocking use case off the event loop. A plain executor: anyio's
        run_in_threadpool cost a fifth of the GIL time per action under load."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, partial(fn, *args))

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send_text(orjson.dumps(message).decode())

    async def receive(self, timeout: float) -> dict[str, Any]:
        message, self.received_bytes = await frames.receive(self.ws, timeout)
        return message

    # -- handshake --------------------------------------------------------------

    async def handshake(self) -> None:
        self.metrics.connect_attempts.inc()
        try:
            hello = Hello.model_validate(await self.receive(HELLO_TIMEOUT_SECONDS))
        except TimeoutError:
            raise Closed(IDLE, "no hello received in time") from None
        except frames.InvalidMessage as e:
            raise Closed(BAD_HELLO, f"invalid hello: {e}") from None
        except ValidationError as e:
            raise Closed(BAD_HELLO, f"invalid hello: {frames.first_error(e)}") from None
        token = hello.token or frames.bearer(self.ws.headers.get("authorization"))
        if not token:
            raise Closed(UNAUTHORIZED, "a bearer token is required")
        try:
            self.principal = self.tokens.verify(token)
        except Problem as e:
            raise Closed(UNAUTHORIZED, e.detail) from None
        if hello.protocol_version != self.settings.protocol_version:
            self.metrics.version_reject.inc()
            server = self.settings.protocol_version
            raise Closed(VERSION, f"protocol version {hello.protocol_version!r} refused: server speaks {server!r}")
        if hello.reconnect_token:
            await self._resume(hello)
        else:
            await self._open(hello)

    async def _open(self, hello: Hello) -> None:
        assert self.principal is not None
        if hello.character_id is None:
            raise Closed(BAD_HELLO, "character_id is required to open a session")
        try:
            written = await self.call(
                self.live.open_session, self.principal.subject, hello.character_id, hello.protocol_version
            )
        except NotFound:
            raise Closed(NOT_FOUND, "unknown character") from None
        except PermissionDenied:
            raise Closed(FORBIDDEN, "this character belongs to another player") from None
        session = written.aggregate
        self.session_id, self.character_id, self.connection = session.id, session.character_id, session.connection
        character = await self.call(self.live.get_character, session.character_id)
        self.metrics.connect_success.inc()
        await self.send(
            {
                "type": "welcome",
                "session_id": str(session.id),
                "resumed": False,
                "last_action_seq": session.last_action_seq,
                "reconnect_token": self._reconnect_token(session.last_action_seq),
                "snapshot": snapshot(session, character),
            }
        )

    async def _resume(self, hello: Hello) -> None:
        assert self.principal is not None and hello.reconnect_token
        self.metrics.reconnect_attempts.inc()
        try:
            claims = self.reconnects.verify(hello.reconnect_token, self.principal.subject)
        except InvalidReconnectToken as e:
            code = GONE if "window" in str(e) else FORBIDDEN
            raise Closed(code, str(e)) from None
        self.session_id = claims.session_id

        def resume() -> tuple[Any, Any, list[Any] | None]:
            session = self.live.get_session(claims.session_id)
            if session.status == Status.TERMINATING:
                raise Closed(GONE, "the session has ended")
            # One write, decided again if the old socket's loss lands first: the
            # old connection's loss then changes nothing (it is not current).
            session = self.live.take_over(session.id).aggregate
            character = self.live.get_character(session.character_id)
            since = hello.last_seq if hello.last_seq is not None else claims.last_sequence_number
            delta = self.live.actions_after(
                session.id, since, session.last_action_seq, self.settings.replay_max_actions
            )
            return session, character, delta

        try:
            session, character, delta = await self.call(resume)
        except IllegalTransition:
            raise Closed(GONE, "the session has ended") from None
        self.character_id = session.character_id
        self.connection = session.connection
        welcome: dict[str, Any] = {
            "type": "welcome",
            "session_id": str(session.id),
            "resumed": True,
            "last_action_seq": session.last_action_seq,
            "reconnect_token": self._reconnect_token(session.last_action_seq),
            "snapshot": snapshot(session, character),
        }
        if delta is None:  # past what can be replayed: the snapshot alone
            self.metrics.state_refresh_forced.inc()
        else:
            welcome["replay"] = [
                {"seq": e.sequence_number, "action_type": e.action_type, "payload": e.payload} for e in delta
            ]
        self.metrics.reconnect_success.inc()
        await self.send(welcome)

    def _reconnect_token(self, last_seq: int) -> str:
        assert self.session_id is not None and self.principal is not None
        return self.reconnects.issue(self.session_id, self.principal.subject, last_seq)

    # -- messages ---------------------------------------------------------------

    async def serve(self) -> None:
        while True:
            try:
                message = await self.receive(self.settings.session_idle_seconds)
            except TimeoutError:
                await self.call(self.live.change_session, self.session_id, "terminate", "timeout")
                raise Closed(IDLE, "idle for too long") from None
            except frames.InvalidMessage as e:
                await self.send({"type": "error", "code": e.code, "detail": str(e)})
                continue
            kind = message.get("type")
            if kind == "action":
                await self._action(message)
            elif kind == "heartbeat":
                session = (await self.call(self.live.heartbeat, self.session_id, datetime.now(UTC))).aggregate
                await self.send(
                    {"type": "heartbeat_ack", "reconnect_token": self._reconnect_token(session.last_action_seq)}
                )
            elif kind == "bye":
                await self.call(self.live.change_session, self.session_id, "terminate", "logout")
                raise Closed(1000, "bye")
            else:
                await self.send({"type": "error", "code": "unknown_message", "detail": f"unknown type {kind!r}"})

    async def _action(self, message: dict[str, Any]) -> None:
        started = time.perf_counter()
        try:
            action = ActionIn.model_validate(message)
        except ValidationError as e:
            await self.send({"type": "error", "seq": message.get("seq"), "code": "invalid_action", "detail": str(e)})
            return
        assert self.session_id is not None and self.character_id is not None  # after the handshake
        if await self._throttled(action.seq):
            return
        args = (self.session_id, action.seq, action.action_type, action.payload)
        try:
            if self.live.cached(self.session_id, self.character_id):  # the usual case: no thread, no blocking read
                result = await self.live.record_action_async(*args)
            else:
                result = await self.call(self.live.record_action, *args)
        except SequenceGap as gap:
            self.metrics.state_refresh_forced.inc()
            session = await self.call(self.live.get_session, self.session_id)
            character = await self.call(self.live.get_character, session.character_id)
            await self.send(
                {
                    "type": "resync",
                    "seq": action.seq,
                    "last_action_seq": gap.details["last_action_seq"],
                    "snapshot": snapshot(session, character),
                }
            )
            return
        except DomainError as e:
            await self.send({"type": "error", "seq": action.seq, "code": e.code, "detail": e.message, **e.details})
            return
        if self.settings.fault_crash_before_ack_seq == action.seq and result.recorded:
            log.error("failpoint: exiting after persisting action %s, before its ack", action.seq)
            os._exit(137)
        ack: dict[str, Any] = {"type": "ack", "seq": action.seq}
        if result.recorded:
            ack["position"] = result.position
            ack["character"] = {
                "position_x": result.character.position_x,
                "position_y": result.character.position_y,
                "health": result.character.health,
            }
        else:
            ack["duplicate"] = True
        await self.send(ack)
        self.metrics.action_latency.observe((time.perf_counter() - started) * 1000)

    async def _throttled(self, seq: int) -> bool:
        """Over the player's action rate or storage budget: the action is
        refused (its seq is not used) with ``retry_after``, as HTTP's 429."""
        assert self.principal is not None
        player = str(self.principal.subject)
        for limiter, scope, cost, code in (
            (self.limits.actions, "actions", 1, "rate_limited"),
            (self.limits.storage, "storage", self.received_bytes, "storage_budget_exhausted"),
        ):
            exceeded = limiter.exceeded(scope, player, cost)
            if exceeded is not None:
                retry_after, limit = exceeded
                await self.send(
                    {"type": "error", "seq": seq, "code": code, "detail": limit, "retry_after": retry_after}
                )
                return True
        return False

    async def lost(self) -> None:
        """The transport dropped without a bye: active -> reconnecting, unless a
        newer connection resumed the session already (then nothing)."""
        if self.session_id is None or self.connection is None:
            return
        try:
            await self.call(self.live.lose_connection, self.session_id, self.connection)
        except DomainError:
            log.info("session %s changed elsewhere while disconnecting", self.session_id)
