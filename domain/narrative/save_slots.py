"""Save slots (seed 000): one player's narrative state, quest progress and
inventory, and the progression version that counts their saves.

``progression_version`` counts saves (a ``PUT``, a sync, a restore) and only
ever grows; the aggregate's own ``version`` counts every event and is what
optimistic concurrency (``If-Match``) checks.

Offline play: a client syncs with the progression version it last saw and the
changes it made since. The rules (docs/sync.md): changes that still make sense
on the current state apply in order (a rebase when the server has moved on);
one that does not refuses the whole sync, as invalid (422) when the client was
up to date, as a conflict (409) when the server had moved on. Nothing applies
unless everything does, and quest rewards are granted by the same save as the
completion.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar
from uuid import UUID

from pydantic import TypeAdapter

from domain.kernel.aggregate import ERASED, Aggregate
from domain.kernel.errors import Conflict, InvalidCommand
from domain.narrative import sync as sync_rules
from domain.narrative.catalogue import Catalogue
from domain.narrative.rules import (
    MAX_CHANGES_PER_SYNC,
    Change,
    Refusal,
    with_choice,
    with_client_part,
    with_flag,
    with_node,
)

SLOT_NAME_MAX = 64
CHANGE: TypeAdapter[Any] = TypeAdapter(Change)


class InvalidSlotName(InvalidCommand):
    code = "invalid_slot_name"


class InvalidChanges(InvalidCommand):
    """Changes the rules refuse outright, or on a state the client had seen."""

    code = "invalid_changes"


class SyncConflict(Conflict):
    """The server moved on since the client's base version and some changes no
    longer apply; ``conflicts`` lists them, ``server_state`` is what is."""

    code = "sync_conflict"


def clean_slot_name(name: str) -> str:
    cleaned = name.strip()
    if not 1 <= len(cleaned) <= SLOT_NAME_MAX:
        raise InvalidSlotName(f"slot name must be 1 to {SLOT_NAME_MAX} characters")
    return cleaned


class SaveSlot(Aggregate):
    """A save slot owned by exactly one player."""

    TOPIC = "lorekeeper.save_slot"
    snapshot_types: ClassVar[dict[str, object]] = {"owner": UUID}
    # The slot's name is free text a player typed: personal, sealed in events
    # and snapshots. narrative_state is game state (docs/data-protection.md).
    personal_state: ClassVar[dict[str, Any]] = {"name": ERASED}

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.save_slot.Created"
        PERSONAL: ClassVar[tuple[str, ...]] = ("name",)
        PERSONAL_SUBJECT: ClassVar[str] = "owner_id"
        owner_id: UUID
        name: str
        narrative_state: dict[str, Any]

    class ProgressSaved(Aggregate.Event):
        """A ``PUT``: the client's part of the narrative state replaced."""

        TOPIC: ClassVar[str] = "lorekeeper.save_slot.ProgressSaved"
        narrative_state: dict[str, Any]
        progression_version: int

        def apply(self, slot: SaveSlot) -> None:
            slot.narrative_state = self.narrative_state
            slot.progression_version = self.progression_version

    class FlagChanged(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.save_slot.FlagChanged"
        flag: str
        holds: bool

        def apply(self, slot: SaveSlot) -> None:
            slot.narrative_state = with_flag(slot.narrative_state, self.flag, self.holds)

    class NodeReached(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.save_slot.NodeReached"
        node: str

        def apply(self, slot: SaveSlot) -> None:
            slot.narrative_state = with_node(slot.narrative_state, self.node)

    class ChoiceMade(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.save_slot.ChoiceMade"
        choice: str
        option: str

        def apply(self, slot: SaveSlot) -> None:
            slot.narrative_state = with_choice(slot.narrative_state, self.choice, self.option)

    class QuestStatusChanged(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.save_slot.QuestStatusChanged"
        quest_id: str
        status: str

        def apply(self, slot: SaveSlot) -> None:
            slot.quests[self.quest_id] = self.status

    class ItemAdded(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.save_slot.ItemAdded"
        item_id: str
        quantity: int
        metadata: dict[str, Any]
        source: str  # pickup | reward | restore
        quest_id: str | None = None  # the quest whose reward it is

        def apply(self, slot: SaveSlot) -> None:
            entry = slot.inventory.setdefault(self.item_id, {"quantity": 0, "metadata": {}})
            entry["quantity"] += self.quantity
            entry["metadata"] = {**entry["metadata"], **self.metadata}

    class ItemRemoved(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.save_slot.ItemRemoved"
        item_id: str
        quantity: int
        source: str  # spent | restore

        def apply(self, slot: SaveSlot) -> None:
            entry = slot.inventory[self.item_id]
            entry["quantity"] -= self.quantity
            if entry["quantity"] == 0:
                del slot.inventory[self.item_id]

    class Synced(Aggregate.Event):
        """Closes the events of one sync: what the client sent and on what base."""

        TOPIC: ClassVar[str] = "lorekeeper.save_slot.Synced"
        progression_version: int
        base_version: int
        change_count: int
        rebased: bool

        def apply(self, slot: SaveSlot) -> None:
            slot.progression_version = self.progression_version

    class Restored(Aggregate.Event):
        """Closes the events of a restore to an earlier progression version."""

        TOPIC: ClassVar[str] = "lorekeeper.save_slot.Restored"
        progression_version: int
        restored_from: int
        narrative_state: dict[str, Any]

        def apply(self, slot: SaveSlot) -> None:
            slot.narrative_state = self.narrative_state
            slot.progression_version = self.progression_version

    def __init__(self, owner_id: UUID, name: str, narrative_state: dict[str, Any]) -> None:
        self.owner = owner_id
        self.name = name
        self.narrative_state = narrative_state
        self.progression_version = 0
        self.quests: dict[str, str] = {}  # quest id -> status; absent means locked
        self.inventory: dict[str, dict[str, Any]] = {}  # item id -> {quantity, metadata}

    @property
    def owner_id(self) -> UUID:
        return self.owner

    @classmethod
    def open(cls, owner_id: UUID, name: str, narrative_state: dict[str, Any] | None = None) -> SaveSlot:
        return cls(
            owner_id=owner_id, name=clean_slot_name(name), narrative_state=with_client_part({}, narrative_state or {})
        )

    def save_progress(self, narrative_state: dict[str, Any]) -> None:
        """Replace the client's part of the narrative state; progression_version moves on by one."""
        self.trigger_event(
            self.ProgressSaved,
            narrative_state=with_client_part(self.narrative_state, narrative_state),
            progression_version=self.progression_version + 1,
        )

    # -- sync -----------------------------------------------------------------

    def sync(self, base_version: int, changes: list[Any], catalogue: Catalogue) -> None:
        """Apply a client's changes made since ``base_version``, all or nothing."""
        if not 0 <= base_version <= self.progression_version:
            raise InvalidChanges(
                f"base_version must be 0 to {self.progression_version}, the slot's progression version",
                progression_version=self.progression_version,
            )
        if len(changes) > MAX_CHANGES_PER_SYNC:
            raise InvalidChanges(f"at most {MAX_CHANGES_PER_SYNC} changes per sync")
        parsed = [CHANGE.validate_python(c) if isinstance(c, dict) else c for c in changes]
        invalid = [
            Refusal(index=i, change=c.model_dump(), reason=r)
            for i, c in enumerate(parsed)
            if (r := sync_rules.never_allowed(c, catalogue))
        ]
        if invalid:
            raise InvalidChanges("some changes are never allowed", refusals=[r.model_dump() for r in invalid])
        # Changes are tried on a copy: a refused sync leaves this slot untouched.
        trial = copy.deepcopy(self)
        refused: list[Refusal] = []
        sync_rules.update_availability(trial, catalogue)
        for i, change in enumerate(parsed):
            reason = sync_rules.apply_change(trial, change, catalogue)
            if reason:
                refused.append(Refusal(index=i, change=change.model_dump(), reason=reason))
        if refused:
            details = {"conflicts": [r.model_dump() for r in refused], "server_state": self.view()}
            if base_version == self.progression_version:
                raise InvalidChanges("some changes do not apply to this save", **details)
            raise SyncConflict("the save moved on and some changes conflict with it", **details)
        trial.trigger_event(
            self.Synced,
            progression_version=self.progression_version + 1,
            base_version=base_version,
            change_count=len(parsed),
            rebased=base_version < self.progression_version,
        )
        vars(self).update(vars(trial))

    # -- restore ----------------------------------------------------------------

    def restore(self, past: SaveSlot) -> None:
        """Bring back the state of an earlier version, as new events (never by
        deleting any): inventory and quests by their differences, then the
        narrative state."""
        if past.id != self.id or past.version > self.version:
            raise InvalidCommand("a slot restores only its own earlier versions")
        for item_id in sorted(set(self.inventory) | set(past.inventory)):
            now, then = self.held(item_id), past.held(item_id)
            if then > now:
                metadata = past.inventory[item_id]["metadata"]
                self.trigger_event(
                    self.ItemAdded, item_id=item_id, quantity=then - now, metadata=metadata, source="restore"
                )
            elif now > then:
                self.trigger_event(self.ItemRemoved, item_id=item_id, quantity=now - then, source="restore")
        for quest_id in sorted(set(self.quests) | set(past.quests)):
            then_status = past.quests.get(quest_id, "locked")
            if self.quests.get(quest_id, "locked") != then_status:
                self.trigger_event(self.QuestStatusChanged, quest_id=quest_id, status=then_status)
        self.trigger_event(
            self.Restored,
            progression_version=self.progression_version + 1,
            restored_from=past.progression_version,
            narrative_state=copy.deepcopy(past.narrative_state),
        )

    # -- reading ----------------------------------------------------------------

    def held(self, item_id: str) -> int:
        quantity: int = self.inventory.get(item_id, {}).get("quantity", 0)
        return quantity

    def view(self) -> dict[str, Any]:
        """The slot as a client sees it after a sync (and in a conflict)."""
        return {
            "slot_id": str(self.id),
            "progression_version": self.progression_version,
            "narrative_state": copy.deepcopy(self.narrative_state),
            "quests": dict(self.quests),
            "inventory": copy.deepcopy(self.inventory),
        }
