"""The live-session wire protocol (docs/sessions.md): the messages a client
sends, the close codes, and the snapshot the server sends back."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import Field

from api.schemas import Request

HELLO_TIMEOUT_SECONDS = 10
MESSAGE_MAX_BYTES = 8192

# Close codes: 4000 + the HTTP status they stand for.
UNSUPPORTED_DATA = 1003  # RFC 6455: a binary frame
CLOSE_REASON_MAX_BYTES = 123  # RFC 6455: a close frame's reason, in UTF-8
BAD_HELLO, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, IDLE, GONE, VERSION = 4400, 4401, 4403, 4404, 4408, 4410, 4426


class Hello(Request):
    type: str = Field(pattern="^hello$")
    token: str | None = Field(None, max_length=4096)
    protocol_version: str = Field(max_length=32)
    character_id: UUID | None = Field(None, strict=False)
    reconnect_token: str | None = Field(None, max_length=4096)
    last_seq: int | None = Field(None, ge=0, description="Last ack the client received (reconnects).")


class ActionIn(Request):
    type: str = Field(pattern="^action$")
    seq: int = Field(ge=1)
    action_type: str = Field(max_length=16)
    payload: dict[str, Any] = Field(default_factory=dict)


class Closed(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = fit_reason(reason)


def fit_reason(reason: str) -> str:
    """``reason`` cut to what a close frame carries (123 bytes of UTF-8), never mid-character."""
    encoded = reason.encode("utf-8", "replace")
    if len(encoded) <= CLOSE_REASON_MAX_BYTES:
        return reason
    return encoded[: CLOSE_REASON_MAX_BYTES - 3].decode("utf-8", "ignore") + "..."


def snapshot(session: Any, character: Any) -> dict[str, Any]:
    return {
        "session": {"status": session.status.value, "last_action_seq": session.last_action_seq},
        "character": {
            "character_id": str(character.id),
            "display_name": character.display_name,
            "position_x": character.position_x,
            "position_y": character.position_y,
            "health": character.health,
            "inventory_json": character.inventory,
            "stats_json": character.stats,
        },
    }
