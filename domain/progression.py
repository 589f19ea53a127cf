"""Save slots (seed 000): one player's narrative state and its progression version.

``progression_version`` counts saves of the narrative and only ever grows; the
aggregate's own ``version`` counts every event and is what optimistic
concurrency (``If-Match``) checks.
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from domain.base import Aggregate
from domain.errors import InvalidCommand

SLOT_NAME_MAX = 64


class InvalidSlotName(InvalidCommand):
    code = "invalid_slot_name"


def clean_slot_name(name: str) -> str:
    cleaned = name.strip()
    if not 1 <= len(cleaned) <= SLOT_NAME_MAX:
        raise InvalidSlotName(f"slot name must be 1 to {SLOT_NAME_MAX} characters")
    return cleaned


class SaveSlot(Aggregate):
    """A save slot owned by exactly one player."""

    TOPIC = "lorekeeper.save_slot"
    snapshot_types: ClassVar[dict[str, object]] = {"owner": UUID}

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.save_slot.Created"
        owner_id: UUID
        name: str
        narrative_state: dict[str, Any]

    class ProgressSaved(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.save_slot.ProgressSaved"
        narrative_state: dict[str, Any]
        progression_version: int

        def apply(self, slot: SaveSlot) -> None:
            slot.narrative_state = self.narrative_state
            slot.progression_version = self.progression_version

    def __init__(self, owner_id: UUID, name: str, narrative_state: dict[str, Any]) -> None:
        self.owner = owner_id
        self.name = name
        self.narrative_state = narrative_state
        self.progression_version = 0

    @property
    def owner_id(self) -> UUID:
        return self.owner

    @classmethod
    def open(cls, owner_id: UUID, name: str, narrative_state: dict[str, Any] | None = None) -> SaveSlot:
        return cls(owner_id=owner_id, name=clean_slot_name(name), narrative_state=narrative_state or {})

    def save_progress(self, narrative_state: dict[str, Any]) -> None:
        """Replace the narrative state; progression_version moves on by one."""
        self.trigger_event(
            self.ProgressSaved,
            narrative_state=narrative_state,
            progression_version=self.progression_version + 1,
        )
