"""The actions a live session records (seed 001's ActionEvent action_type:
move, chat, ability, system), each with a payload validated at ingress."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic_core import to_json

from domain.kernel.errors import InvalidCommand

ACTION_PAYLOAD_MAX = 2048  # bytes, serialised


class InvalidAction(InvalidCommand):
    code = "invalid_action"


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MovePayload(_Payload):
    x: int
    y: int


class ChatPayload(_Payload):
    text: str = Field(min_length=1, max_length=500)
    channel: Literal["say", "party", "guild", "whisper"] = "say"


class AbilityPayload(_Payload):
    name: str = Field(min_length=1, max_length=32)


class SystemPayload(_Payload):
    kind: Literal["ping", "emote", "client_state"]
    data: dict[str, Any] = Field(default_factory=dict)


class MoveAction(BaseModel):
    type: Literal["move"]
    payload: MovePayload


class ChatAction(BaseModel):
    type: Literal["chat"]
    payload: ChatPayload


class AbilityAction(BaseModel):
    type: Literal["ability"]
    payload: AbilityPayload


class SystemAction(BaseModel):
    type: Literal["system"]
    payload: SystemPayload


Action = MoveAction | ChatAction | AbilityAction | SystemAction
ActionBody = Annotated[Action, Field(discriminator="type")]
_action_adapter: TypeAdapter[Action] = TypeAdapter(ActionBody)


def parse_action(action_type: str, payload: Any) -> Action:
    """The typed action, or InvalidAction saying what is wrong."""
    if len(to_json(payload)) > ACTION_PAYLOAD_MAX:
        raise InvalidAction(f"action payloads are limited to {ACTION_PAYLOAD_MAX} bytes")
    try:
        return _action_adapter.validate_python({"type": action_type, "payload": payload})
    except ValidationError as e:
        raise InvalidAction(
            f"invalid {action_type!r} action",
            errors=[{"loc": list(err["loc"]), "msg": err["msg"]} for err in e.errors()],
        ) from None
