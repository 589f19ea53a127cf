"""Inventory rules (seed 002's ``inventory``): stacks in slots.

Bag slots are ``0..BAG_SLOTS-1``; equipment slots are ``EQUIPMENT`` (100 and
up), each holding one item of the kinds it takes. No two stacks share a slot
(a slot holds at most one stack, by construction: the inventory is a map of
slot to stack); quantities are positive. Items with ``item_data`` (durability,
enchantments) are unique and never stack; plain items stack up to
``STACK_MAX``. Every function here returns the changes to make, slot by slot
(a new stack, or ``None`` for an emptied slot), and changes nothing itself.
"""

from __future__ import annotations

from typing import Any

from domain.kernel import values
from domain.kernel.errors import Conflict, InvalidCommand

BAG_SLOTS = 36
STACK_MAX = 64
QUANTITY_MAX = 10_000  # items added or removed by one command
NAME_MAX = 64
ITEM_TYPES = ("material", "block", "tool", "weapon", "armor", "consumable", "trinket")
EQUIPMENT: dict[int, tuple[str, tuple[str, ...]]] = {
    100: ("head", ("armor",)),
    101: ("chest", ("armor",)),
    102: ("legs", ("armor",)),
    103: ("feet", ("armor",)),
    104: ("main_hand", ("weapon", "tool")),
    105: ("off_hand", ("weapon", "tool", "armor")),
    106: ("ring", ("trinket",)),
    107: ("amulet", ("trinket",)),
}
DURABILITY_MAX = 10_000
ENCHANTMENTS_MAX = 8

Stack = dict[str, Any]  # {"item_type", "item_name", "quantity", "item_data"}
Changes = dict[str, Stack | None]  # slot (as text) -> its new stack, or None


class InvalidItem(InvalidCommand):
    code = "invalid_item"


class InventoryFull(Conflict):
    code = "inventory_full"


class InsufficientItems(Conflict):
    code = "insufficient_items"


def item(item_type: str, item_name: str, item_data: dict[str, Any] | None = None) -> Stack:
    """An item (a stack of none yet), checked: a known type, a name, bounded data."""
    if item_type not in ITEM_TYPES:
        raise InvalidItem(f"{item_type!r} is not an item type", item_types=list(ITEM_TYPES))
    name = item_name.replace("_", "")
    if not (1 <= len(item_name) <= NAME_MAX and name.isascii() and name.isalnum() and name == name.lower()):
        raise InvalidItem(f"an item name is 1 to {NAME_MAX} lower-case ASCII letters, digits and underscores")
    data = dict(item_data or {})
    if set(data) - {"durability", "enchantments"}:
        raise InvalidItem("item_data holds durability and enchantments only")
    durability = data.get("durability")
    if durability is not None and not (isinstance(durability, int) and 0 < durability <= DURABILITY_MAX):
        raise InvalidItem(f"durability is 1 to {DURABILITY_MAX}")
    enchantments = data.get("enchantments")
    if enchantments is not None and not (
        isinstance(enchantments, list)
        and len(enchantments) <= ENCHANTMENTS_MAX
        and values.problem(enchantments, max_depth=3) is None
    ):
        raise InvalidItem(f"enchantments are a list of at most {ENCHANTMENTS_MAX}")
    return {"item_type": item_type, "item_name": item_name, "quantity": 0, "item_data": data}


def stackable(stack: Stack) -> bool:
    return not stack["item_data"]


def _same(a: Stack, b: Stack) -> bool:
    return (a["item_type"], a["item_name"], a["item_data"]) == (b["item_type"], b["item_name"], b["item_data"])


def _check_quantity(quantity: int) -> None:
    if not 0 < quantity <= QUANTITY_MAX:
        raise InvalidItem(f"a quantity is 1 to {QUANTITY_MAX}", quantity=quantity)


def add(inventory: dict[str, Stack], new: Stack, quantity: int) -> Changes:
    """Put ``quantity`` of ``new`` in the bag: onto matching stacks first, then empty slots in order."""
    _check_quantity(quantity)
    limit = STACK_MAX if stackable(new) else 1
    changes: Changes = {}
    left = quantity
    for slot in range(BAG_SLOTS):
        if not left:
            break
        held = inventory.get(str(slot))
        if held is None:
            taken = min(limit, left)
            changes[str(slot)] = {**new, "quantity": taken}
        elif _same(held, new) and held["quantity"] < limit:
            taken = min(limit - held["quantity"], left)
            changes[str(slot)] = {**held, "quantity": held["quantity"] + taken}
        else:
            continue
        left -= taken
    if left:
        raise InventoryFull(f"no room for {left} more {new['item_name']}", item_name=new["item_name"])
    return changes


def count(inventory: dict[str, Stack], item_name: str) -> int:
    return sum(s["quantity"] for s in inventory.values() if s["item_name"] == item_name)


def remove(inventory: dict[str, Stack], item_name: str, quantity: int) -> tuple[Changes, list[Stack]]:
    """Take ``quantity`` of ``item_name`` from the bag (the last slots first):
    the changes, and the stacks taken (what a trade hands over)."""
    _check_quantity(quantity)
    held = sum(s["quantity"] for k, s in inventory.items() if s["item_name"] == item_name and int(k) < BAG_SLOTS)
    if held < quantity:
        raise InsufficientItems(
            f"holds {held} {item_name} in the bag, not {quantity}", item_name=item_name, held=held, needed=quantity
        )
    changes: Changes = {}
    taken: list[Stack] = []
    left = quantity
    for slot in sorted((int(k) for k in inventory if int(k) < BAG_SLOTS), reverse=True):
        stack = inventory[str(slot)]
        if not left or stack["item_name"] != item_name:
            continue
        part = min(left, stack["quantity"])
        changes[str(slot)] = {**stack, "quantity": stack["quantity"] - part} if part < stack["quantity"] else None
        taken.append({**stack, "quantity": part})
        left -= part
    return changes, taken


def move(inventory: dict[str, Stack], from_slot: int, to_slot: int) -> Changes:
    """Move a stack to another slot: into an empty one, onto a matching stack,
    or swapping with what is there; equipment slots take one item of their kinds."""
    for slot in (from_slot, to_slot):
        if not (0 <= slot < BAG_SLOTS or slot in EQUIPMENT):
            raise InvalidItem(f"there is no slot {slot}: bag 0..{BAG_SLOTS - 1}, equipment {sorted(EQUIPMENT)}")
    stack = inventory.get(str(from_slot))
    if stack is None:
        raise InvalidItem(f"slot {from_slot} is empty")
    if from_slot == to_slot:
        return {}
    there = inventory.get(str(to_slot))
    _fits(stack, to_slot)
    if there is not None:
        if _same(there, stack) and stackable(stack):
            total = there["quantity"] + stack["quantity"]
            moved = min(total, STACK_MAX)
            rest = total - moved
            return {
                str(to_slot): {**there, "quantity": moved},
                str(from_slot): {**stack, "quantity": rest} if rest else None,
            }
        _fits(there, from_slot)
    return {str(to_slot): stack, str(from_slot): there}


def _fits(stack: Stack, slot: int) -> None:
    if slot in EQUIPMENT:
        name, kinds = EQUIPMENT[slot]
        if stack["item_type"] not in kinds or stack["quantity"] != 1:
            raise InvalidItem(f"the {name} slot takes one {' or '.join(kinds)}", slot=slot)


def after(inventory: dict[str, Stack], changes: Changes) -> dict[str, Stack]:
    """The bag once ``changes`` are made (what the next change of one command starts from)."""
    merged = {**inventory, **changes}
    return {k: v for k, v in merged.items() if v is not None}
