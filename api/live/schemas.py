"""Request and response bodies of live play (seed 001)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from api.schemas import NAME_RULES, Request


class CharacterCreate(Request):
    display_name: str = Field(max_length=64, json_schema_extra=NAME_RULES)
    x: int = Field(0, ge=0)
    y: int = Field(0, ge=0)


class CharacterOut(BaseModel):
    character_id: UUID
    user_id: UUID
    display_name: str
    position_x: int
    position_y: int
    health: int
    inventory_json: dict[str, Any]
    stats_json: dict[str, Any]
    updated_at: datetime
    version: int
    position: int | None = Field(None, description="Event store position of a command's last event.")
