"""The rules of a sync (docs/sync.md), applied change by change to a save slot.

``never_allowed`` is what the anti-cheat rules refuse whatever the state;
``apply_change`` applies one change to the slot (triggering its events) or
says why it cannot apply now. Quest rewards are granted in the same save as
the completion, and quests become available when their required flags hold.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from domain.narrative.catalogue import Catalogue
from domain.narrative.rules import (
    CHOICES,
    FLAGS,
    MAX_CHOICES,
    MAX_FLAGS,
    MAX_NODES,
    NODES,
    ChoiceMade,
    FlagCleared,
    FlagSet,
    ItemAdded,
    ItemRemoved,
    NodeReached,
    QuestChange,
)

if TYPE_CHECKING:
    from domain.narrative.save_slots import SaveSlot


def never_allowed(change: Any, catalogue: Catalogue) -> str | None:
    """Why a change is never allowed, whatever the state (anti-cheat rules)."""
    if isinstance(change, QuestChange) and change.quest_id not in catalogue.quests:
        return f"there is no quest {change.quest_id!r}"
    if isinstance(change, ItemAdded | ItemRemoved) and change.item_id not in catalogue.items:
        return f"there is no item {change.item_id!r}"
    if isinstance(change, ItemAdded):
        limit = catalogue.items[change.item_id]["pickup_limit"]
        if limit == 0:
            return f"{change.item_id!r} is only granted as a quest reward"
        if change.quantity > limit:
            return f"at most {limit} {change.item_id!r} can be picked up at once"
    return None


def apply_change(slot: SaveSlot, change: Any, catalogue: Catalogue) -> str | None:
    """Apply one change (triggering its events) or say why it cannot apply now."""
    state = slot.narrative_state
    if isinstance(change, FlagSet | FlagCleared):
        holds = isinstance(change, FlagSet)
        if (change.flag in state.get(FLAGS, [])) != holds:
            if holds and len(state.get(FLAGS, [])) >= MAX_FLAGS:
                return f"a save holds at most {MAX_FLAGS} flags"
            slot.trigger_event(slot.FlagChanged, flag=change.flag, holds=holds)
            update_availability(slot, catalogue)
    elif isinstance(change, NodeReached):
        if change.node not in state.get(NODES, []):
            if len(state.get(NODES, [])) >= MAX_NODES:
                return f"a save records at most {MAX_NODES} nodes"
            slot.trigger_event(slot.NodeReached, node=change.node)
    elif isinstance(change, ChoiceMade):
        made = state.get(CHOICES, {}).get(change.choice)
        if made is not None and made != change.option:
            return f"choice {change.choice!r} was already made: {made!r}"
        if made is None:
            if len(state.get(CHOICES, {})) >= MAX_CHOICES:
                return f"a save records at most {MAX_CHOICES} choices"
            slot.trigger_event(slot.ChoiceMade, choice=change.choice, option=change.option)
    elif isinstance(change, QuestChange):
        return _quest(slot, change, catalogue)
    elif isinstance(change, ItemAdded):
        held = slot.held(change.item_id)
        max_stack = catalogue.items[change.item_id]["max_stack"]
        if held + change.quantity > max_stack:
            return f"holding {held}, {change.quantity} more {change.item_id!r} exceeds the stack of {max_stack}"
        slot.trigger_event(
            slot.ItemAdded,
            item_id=change.item_id,
            quantity=change.quantity,
            metadata=change.metadata,
            source="pickup",
        )
    elif isinstance(change, ItemRemoved):
        held = slot.held(change.item_id)
        if held < change.quantity:
            return f"holding {held} {change.item_id!r}, cannot spend {change.quantity}"
        slot.trigger_event(slot.ItemRemoved, item_id=change.item_id, quantity=change.quantity, source="spent")
    return None


def _quest(slot: SaveSlot, change: QuestChange, catalogue: Catalogue) -> str | None:
    status = slot.quests.get(change.quest_id, "locked")
    target = {"quest_progressed": "active", "quest_completed": "completed", "quest_failed": "failed"}[change.type]
    if status == target:
        return None  # already so: applying it again changes nothing
    if target == "active" and status != "available":
        return f"quest {change.quest_id!r} is {status}, not available"
    if target in ("completed", "failed") and status != "active":
        return f"quest {change.quest_id!r} is {status}, not active"
    slot.trigger_event(slot.QuestStatusChanged, quest_id=change.quest_id, status=target)
    if target == "completed":
        _grant(slot, change.quest_id, catalogue)
    return None


def _grant(slot: SaveSlot, quest_id: str, catalogue: Catalogue) -> None:
    """A completed quest's reward bundle, in the same save as the completion.
    Items beyond their stack limit are not granted (documented in docs/sync.md)."""
    bundle = catalogue.quest(quest_id).reward_bundle
    for item_id, quantity in bundle.items.items():
        room = catalogue.items[item_id]["max_stack"] - slot.held(item_id)
        if min(room, quantity) > 0:
            slot.trigger_event(
                slot.ItemAdded,
                item_id=item_id,
                quantity=min(room, quantity),
                metadata={},
                source="reward",
                quest_id=quest_id,
            )
    for flag in bundle.flags:
        if flag not in slot.narrative_state.get(FLAGS, []):
            slot.trigger_event(slot.FlagChanged, flag=flag, holds=True)
    if bundle.flags:
        update_availability(slot, catalogue)


def update_availability(slot: SaveSlot, catalogue: Catalogue) -> None:
    """Locked quests whose required flags hold become available, and back."""
    flags = set(slot.narrative_state.get(FLAGS, []))
    for quest_id, quest in sorted(catalogue.quests.items()):
        status = slot.quests.get(quest_id, "locked")
        met = set(quest["required_flags"]) <= flags
        if status == "locked" and met:
            slot.trigger_event(slot.QuestStatusChanged, quest_id=quest_id, status="available")
        elif status == "available" and not met:
            slot.trigger_event(slot.QuestStatusChanged, quest_id=quest_id, status="locked")
