"""The live-session wire protocol (docs/sessions.md): the messages a client
sends, the close codes, and the snapshot the server sends back."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

HELLO_TIMEOUT_SECONDS = 10
MESSAGE_MAX_BYTES = 8192

# Close codes: 4000 + the HTTP status they stand for.
BAD_HELLO, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, IDLE, GONE, VERSION = 4400, 4401, 4403, 4404, 4408, 4410, 4426


class Hello(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str = Field(pattern="^hello$")
    token: str | None = Field(None, max_length=4096)
    protocol_version: str = Field(max_length=32)
    character_id: UUID | None = None
    reconnect_token: str | None = Field(None, max_length=4096)
    last_seq: int | None = Field(None, ge=0, description="Last ack the client received (reconnects).")


class ActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str = Field(pattern="^action$")
    seq: int = Field(ge=1)
    action_type: str = Field(max_length=16)
    payload: dict[str, Any] = Field(default_factory=dict)


class Closed(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason[:120]


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
