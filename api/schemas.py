"""Request and response bodies. These are the HTTP contract, deliberately
separate from the domain events (which are the storage contract)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

import orjson
from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.narrative import MAX_CHANGES_PER_SYNC, Change

T = TypeVar("T")


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AnonymousAuth(Request):
    display_name: str | None = Field(None, max_length=64)


class TokenOut(BaseModel):
    player_id: UUID
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds the access token lives; refresh before then.")
    refresh_token: str = Field(description="One use: /v1/auth/refresh answers with a new pair.")
    refresh_expires_in: int
    position: int | None = None


class CredentialsIn(Request):
    """Upgrade an anonymous player to an account."""

    username: str = Field(min_length=3, max_length=32)
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=10, max_length=256)


class LoginIn(Request):
    login: str = Field(min_length=1, max_length=254, description="Username or email.")
    password: str = Field(min_length=1, max_length=256)


class RefreshIn(Request):
    refresh_token: str = Field(min_length=1, max_length=256)


class PlayerPatch(Request):
    display_name: str | None = Field(None, max_length=64)
    telemetry_opt_out: bool | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> PlayerPatch:
        if self.display_name is None and self.telemetry_opt_out is None:
            raise ValueError("give display_name, telemetry_opt_out, or both")
        return self


class PlatformLinkIn(Request):
    platform: str = Field(max_length=32)
    platform_user_id: str = Field(max_length=128)


class PlayerOut(BaseModel):
    account_id: UUID
    display_name: str | None
    platform_links: dict[str, str]
    created_at: datetime
    last_seen: datetime | None
    telemetry_opt_out: bool
    save_slot_count: int
    username: str | None = None
    erased_at: datetime | None = None
    version: int
    position: int | None = Field(None, description="Event store position of a command's last event.")


class SaveSlotCreate(Request):
    name: str = Field(max_length=64)
    narrative_state: dict[str, Any] = Field(default_factory=dict)


class SaveSlotPut(Request):
    narrative_state: dict[str, Any]


class SaveSlotOut(BaseModel):
    slot_id: UUID
    account_id: UUID
    name: str
    narrative_state: dict[str, Any]
    progression_version: int
    created_at: datetime
    updated_at: datetime
    version: int
    position: int | None = Field(None, description="Event store position of a command's last event.")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None


TELEMETRY_PAYLOAD_MAX = 4096
TELEMETRY_BATCH_MAX = 200


class TelemetryEventIn(Request):
    event_id: UUID | None = Field(None, description="Client-chosen id; resending it never duplicates the event.")
    event_type: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    payload: dict[str, Any] = Field(default_factory=dict)
    timestamp: datetime | None = None

    @model_validator(mode="after")
    def _bounded(self) -> TelemetryEventIn:
        if len(orjson.dumps(self.payload)) > TELEMETRY_PAYLOAD_MAX:
            raise ValueError(f"payload must serialise to at most {TELEMETRY_PAYLOAD_MAX} bytes")
        return self


class TelemetryBatch(Request):
    events: list[TelemetryEventIn] = Field(min_length=1, max_length=TELEMETRY_BATCH_MAX)


class TelemetryAccepted(BaseModel):
    accepted: int
    dropped: int = Field(description="Events left out because the player opted out of telemetry.")


class CharacterCreate(Request):
    display_name: str = Field(max_length=64)
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


class SyncIn(Request):
    base_version: int = Field(ge=0, description="The progression_version the client last saw.")
    changes: list[Change] = Field(max_length=MAX_CHANGES_PER_SYNC, description="In the order the client made them.")


class SlotStateOut(BaseModel):
    """A slot's whole state after a sync or restore (also the ``server_state`` of a 409)."""

    slot_id: UUID
    progression_version: int
    narrative_state: dict[str, Any]
    quests: dict[str, str]
    inventory: dict[str, dict[str, Any]]
    version: int
    position: int | None = None


class RestoreIn(Request):
    progression_version: int = Field(ge=0)


class HistoryEntry(BaseModel):
    progression_version: int
    version: int
    kind: str = Field(description="created, saved, synced or restored")
    detail: dict[str, Any]
    recorded_at: datetime


class InventoryItemOut(BaseModel):
    entry_id: UUID
    slot_id: UUID
    item_id: str
    quantity: int
    metadata: dict[str, Any]
    updated_at: datetime


class QuestProgressOut(BaseModel):
    entry_id: UUID
    slot_id: UUID
    quest_id: str
    status: str
    last_updated: datetime
