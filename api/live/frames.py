"""Reading the live-session protocol's frames: JSON text, by the same rule as
HTTP bodies (``api.wire``), bounded in size."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect
from pydantic import ValidationError

from api import wire
from api.live.protocol import MESSAGE_MAX_BYTES, UNSUPPORTED_DATA, Closed
from api.problems import Problem


class InvalidMessage(ValueError):
    """A frame the protocol refuses; the session goes on."""

    def __init__(self, detail: str, code: str = "invalid_message") -> None:
        super().__init__(detail)
        self.code = code


async def receive(ws: WebSocket, timeout: float) -> tuple[dict[str, Any], int]:
    """The next message and its size in bytes. ``InvalidMessage`` for one the
    protocol refuses; a binary frame closes the socket with 1003 (the protocol
    is text); ``TimeoutError`` after ``timeout`` seconds."""
    async with asyncio.timeout(timeout):  # unlike wait_for on 3.11, no task per message
        frame = await ws.receive()
    if frame["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(frame.get("code", 1000), frame.get("reason"))
    text = frame.get("text")
    if text is None:
        raise Closed(UNSUPPORTED_DATA, "binary frames are not part of the protocol: send JSON text")
    size = len(text.encode())
    if size > MESSAGE_MAX_BYTES:
        raise InvalidMessage(f"messages are limited to {MESSAGE_MAX_BYTES} bytes")
    try:
        message = wire.loads(text)
    except Problem as problem:
        raise InvalidMessage(problem.detail, problem.code) from None
    if not isinstance(message, dict):
        raise InvalidMessage("a message must be a JSON object")
    return message, size


def first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    return f"{'.'.join(map(str, first['loc'])) or 'message'}: {first['msg']}"


def bearer(header: str | None) -> str | None:
    if header and header.lower().startswith("bearer "):
        return header[7:].strip()
    return None
