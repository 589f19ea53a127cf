"""Request and response bodies of the narrative context (seed 000)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from pydantic import BaseModel, Field, model_validator

from api.schemas import NAME_RULES, Request
from domain.narrative.rules import MAX_CHANGES_PER_SYNC, Change


class SaveSlotCreate(Request):
    name: str = Field(max_length=64, json_schema_extra=NAME_RULES)
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


TELEMETRY_PAYLOAD_MAX = 4096
TELEMETRY_BATCH_MAX = 200


class TelemetryEventIn(Request):
    event_id: UUID | None = Field(
        None, strict=False, description="Client-chosen id; resending it never duplicates the event."
    )
    event_type: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    payload: dict[str, Any] = Field(default_factory=dict)
    timestamp: datetime | None = Field(None, strict=False)

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
    event_ids: list[UUID] = Field(
        default_factory=list, description="The id of each accepted event, in order (resending one never duplicates it)."
    )


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
