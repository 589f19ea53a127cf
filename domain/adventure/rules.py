"""The adventure's rule language (docs/adventure.md, "Rules"): **conditions**,
what must hold of a character for it to discover a recipe or choose a story
branch, and **consequences**, what a story branch does to the character
that chooses it (and to its world and relationships).

Both are small JSON objects, checked when an admin writes them (a rule that
does not parse is a 422 naming the part that is wrong) and evaluated on the
server, never by the client.

A condition is an object whose keys must all hold (``{}`` always holds):

    {"level": 3,                              level at least 3
     "stats": {"strength": 14},               each stat at least
     "skills": {"smithing": 2},               each skill at least (unpractised: 0)
     "items": ["torch"] | {"arrow": 10},      holding one of each | at least so many
     "flags": {"met_the_king": true},         the character's story flags equal (unset: null/false)
     "world_flags": {"bridge": "burned"},     the world's story flags equal
     "achievements": ["first_craft"],         the player unlocked each
     "any": [condition, ...],                 at least one of them holds
     "not": condition}                        it does not hold

Consequences are an object of what a choice does, every key optional:

    {"experience": 50,                                   experience granted
     "stats": {"charisma": 2, "health": -10},            stats moved (kept within 0..9,999)
     "items": [{"item_type": "trinket", "item_name": "seal", "quantity": 1}],  items given
     "take_items": {"torch": 1},                         items taken (the choice is refused without them)
     "flags": {"met_the_king": true, "quest": null},     story flags set (null: cleared)
     "relationships": {"<character id>": -20},           relationships with characters of the world moved (-25..25)
     "world_flags": {"bridge": "burned"}}                the world's story flags set
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from domain.adventure import inventory
from domain.adventure.classes import CLASS_STATS
from domain.adventure.relationships import DELTA_MAX as RELATIONSHIP_MOVE_MAX
from domain.adventure.skills import LEVEL_MAX, SKILL_TREE
from domain.kernel.aggregate import Aggregate
from domain.kernel.errors import InvalidCommand

STATS = tuple(next(iter(CLASS_STATS.values())))
CONDITION_KEYS = ("achievements", "any", "flags", "items", "level", "not", "skills", "stats", "world_flags")
CONSEQUENCE_KEYS = ("experience", "flags", "items", "relationships", "stats", "take_items", "world_flags")
NESTING_MAX = 4  # "any" and "not" inside each other
NAMES_MAX = 8  # names in one list or object of a rule
FLAG = re.compile(r"[a-z0-9_.:-]{1,64}")
FLAG_TEXT_MAX = 64
STAT_MOVE_MAX = 100
EXPERIENCE_MAX = 100_000


class InvalidRule(InvalidCommand):
    code = "invalid_rule"


Flag = bool | int | str | None


@dataclass(frozen=True)
class Facts:
    """What conditions read: a character, its player's achievements, its world's flags."""

    level: int
    stats: Mapping[str, int]
    skills: Mapping[str, int]
    held: Callable[[str], int]
    flags: Mapping[str, Flag] = field(default_factory=dict)
    world_flags: Mapping[str, Flag] = field(default_factory=dict)
    achievements: frozenset[str] = frozenset()


def facts(character: Any, achievements: set[str] | frozenset[str] = frozenset(), world: Any = None) -> Facts:
    """The facts of an ``Adventurer`` (and of its ``World``, for ``world_flags``)."""
    bag = character.inventory
    return Facts(
        level=character.level,
        stats=character.stats,
        skills=character.skill_levels(),
        held=lambda name: inventory.count(bag, name),
        flags=getattr(character, "flags", {}),
        world_flags=getattr(world, "flags", {}) if world is not None else {},
        achievements=frozenset(achievements),
    )


# -- checking what an admin writes -------------------------------------------------------


def _names(value: Any) -> bool:
    return isinstance(value, list) and len(value) <= NAMES_MAX and all(isinstance(i, str) and i for i in value)


def _counts(value: Any, known: Any, low: int, high: int) -> bool:
    """An object of at most NAMES_MAX names (``known``'s, if given) to integers in low..high."""
    return (
        isinstance(value, dict)
        and len(value) <= NAMES_MAX
        and all(
            (known is None or k in known) and type(n) is int and low <= n <= high and (known is not None or k)
            for k, n in value.items()
        )
    )


def _flags(value: Any, where: str, clearing: bool = False) -> dict[str, Flag]:
    if not isinstance(value, dict) or len(value) > NAMES_MAX:
        raise InvalidRule(f"{where} is an object of at most {NAMES_MAX} flags")
    for name, flag in value.items():
        if not FLAG.fullmatch(name):
            raise InvalidRule(f"{where}: a flag's name is 1 to 64 of a-z, 0-9, _ . : -, not {name!r}")
        if not (
            type(flag) in (bool, int)
            or (isinstance(flag, str) and len(flag) <= FLAG_TEXT_MAX)
            or (flag is None and clearing)
        ):
            raise InvalidRule(f"{where}.{name} is true, false, an integer or a text of at most {FLAG_TEXT_MAX}")
    return dict(value)


def check_flags(value: Any, where: str = "flags") -> dict[str, Flag]:
    """Flags to set (None: clear one), or InvalidRule saying what is wrong."""
    return _flags(value, where, clearing=True)


def check_condition(
    condition: Any, where: str = "conditions", error: type[InvalidCommand] = InvalidRule, depth: int = 0
) -> dict[str, Any]:
    """``condition`` as stored, or ``error`` saying what in it does not parse."""
    try:
        return _condition(condition, where, depth)
    except InvalidRule as wrong:
        if error is InvalidRule:
            raise
        raise error(wrong.message, **wrong.details) from None


def _condition(condition: Any, where: str, depth: int) -> dict[str, Any]:
    if not isinstance(condition, dict) or set(condition) - set(CONDITION_KEYS):
        raise InvalidRule(f"{where} is an object of {list(CONDITION_KEYS)}")
    if depth > NESTING_MAX:
        raise InvalidRule(f"{where}: 'any' and 'not' nest at most {NESTING_MAX} deep")
    checks: dict[str, tuple[Callable[[Any], bool], str]] = {
        "level": (lambda v: type(v) is int and 1 <= v <= LEVEL_MAX, f"is 1 to {LEVEL_MAX}"),
        "stats": (lambda v: _counts(v, STATS, 0, 9_999), f"maps stats to values, of {list(STATS)}"),
        "skills": (lambda v: _counts(v, SKILL_TREE, 0, 50), "maps skills to levels"),
        "items": (
            lambda v: _names(v) or _counts(v, None, 1, inventory.QUANTITY_MAX),
            f"is a list of at most {NAMES_MAX} names, or an object of names to quantities",
        ),
        "achievements": (_names, f"is a list of at most {NAMES_MAX} names"),
    }
    for key, (valid, rule) in checks.items():
        if key in condition and not valid(condition[key]):
            raise InvalidRule(f"{where}.{key} {rule}", **({"skills": sorted(SKILL_TREE)} if key == "skills" else {}))
    checked = dict(condition)
    for key in ("flags", "world_flags"):
        if key in condition:
            checked[key] = _flags(condition[key], f"{where}.{key}")
    if "any" in condition:
        options = condition["any"]
        if not isinstance(options, list) or not 1 <= len(options) <= NAMES_MAX:
            raise InvalidRule(f"{where}.any is a list of 1 to {NAMES_MAX} conditions")
        checked["any"] = [_condition(c, f"{where}.any[{i}]", depth + 1) for i, c in enumerate(options)]
    if "not" in condition:
        checked["not"] = _condition(condition["not"], f"{where}.not", depth + 1)
    return checked


def check_consequences(consequences: Any, where: str = "consequences") -> dict[str, Any]:
    """``consequences`` as stored, or InvalidRule saying what in them does not parse."""
    if not isinstance(consequences, dict) or set(consequences) - set(CONSEQUENCE_KEYS):
        raise InvalidRule(f"{where} is an object of {list(CONSEQUENCE_KEYS)}")
    checked = dict(consequences)
    experience = consequences.get("experience", 1)
    if not (type(experience) is int and 1 <= experience <= EXPERIENCE_MAX):
        raise InvalidRule(f"{where}.experience is 1 to {EXPERIENCE_MAX}")
    if not _counts(consequences.get("stats", {}), STATS, -STAT_MOVE_MAX, STAT_MOVE_MAX):
        raise InvalidRule(f"{where}.stats moves stats by -{STAT_MOVE_MAX} to {STAT_MOVE_MAX}, of {list(STATS)}")
    if not _counts(consequences.get("take_items", {}), None, 1, inventory.QUANTITY_MAX):
        raise InvalidRule(f"{where}.take_items is an object of at most {NAMES_MAX} item names to quantities")
    if "items" in consequences:
        given = consequences["items"]
        if not isinstance(given, list) or len(given) > NAMES_MAX:
            raise InvalidRule(f"{where}.items is a list of at most {NAMES_MAX} items")
        checked["items"] = [_item(i, f"{where}.items[{n}]") for n, i in enumerate(given)]
    for key in ("flags", "world_flags"):
        if key in consequences:
            checked[key] = check_flags(consequences[key], f"{where}.{key}")
    moves = consequences.get("relationships", {})
    if not _counts(moves, None, -RELATIONSHIP_MOVE_MAX, RELATIONSHIP_MOVE_MAX) or not all(map(_is_uuid, moves)):
        raise InvalidRule(
            f"{where}.relationships maps at most {NAMES_MAX} character ids to moves of "
            f"-{RELATIONSHIP_MOVE_MAX} to {RELATIONSHIP_MOVE_MAX}"
        )
    if moves:
        checked["relationships"] = {str(UUID(k)): v for k, v in moves.items()}
    return checked


def _is_uuid(text: str) -> bool:
    try:
        UUID(text)
    except ValueError:
        return False
    return True


def _item(given: Any, where: str) -> dict[str, Any]:
    if not isinstance(given, dict) or set(given) - {"item_type", "item_name", "quantity", "item_data"}:
        raise InvalidRule(f"{where} is an object of item_type, item_name, quantity, item_data")
    quantity = given.get("quantity", 1)
    if not (type(quantity) is int and 1 <= quantity <= inventory.QUANTITY_MAX):
        raise InvalidRule(f"{where}.quantity is 1 to {inventory.QUANTITY_MAX}")
    try:
        stack = inventory.item(given.get("item_type", ""), given.get("item_name", ""), given.get("item_data"))
    except InvalidCommand as wrong:
        raise InvalidRule(f"{where}: {wrong.message}") from None
    return {**stack, "quantity": quantity}


# -- evaluating ------------------------------------------------------------------------


def unmet(condition: Mapping[str, Any], facts: Facts) -> list[str]:
    """What of ``condition`` does not hold of ``facts``, as text ([] when it all holds)."""
    missing = []
    if facts.level < condition.get("level", 1):
        missing.append(f"level {condition['level']}")
    missing += [f"{s} {n}" for s, n in condition.get("stats", {}).items() if facts.stats.get(s, 0) < n]
    missing += [f"{s} {n}" for s, n in condition.get("skills", {}).items() if facts.skills.get(s, 0) < n]
    items = condition.get("items", [])
    wanted = items if isinstance(items, dict) else dict.fromkeys(items, 1)
    for name, quantity in wanted.items():
        if facts.held(name) < quantity:
            missing.append(f"holding {name}" if quantity == 1 else f"holding {quantity} {name}")
    for key, flags in (("flag", facts.flags), ("world flag", facts.world_flags)):
        for name, value in condition.get(key.replace(" ", "_") + "s", {}).items():
            if flags.get(name, False if value is False else None) != value:
                missing.append(f"{key} {name} = {value!r}")
    missing += [f"achievement {a}" for a in condition.get("achievements", []) if a not in facts.achievements]
    options = condition.get("any")
    if options and all(unmet(option, facts) for option in options):
        missing.append("one of: " + " | ".join(", ".join(unmet(option, facts)) for option in options))
    if "not" in condition and not unmet(condition["not"], facts):
        missing.append(f"not ({describe(condition['not'])})")
    return missing


def describe(condition: Mapping[str, Any]) -> str:
    """A condition as compact JSON (what a refusal quotes of a ``not``)."""
    return json.dumps(condition, sort_keys=True, separators=(",", ":"))


def changed_flags(current: Mapping[str, Flag], flags: Mapping[str, Flag]) -> dict[str, Flag]:
    """Of ``flags`` to set (None: clear), those that change ``current``."""
    return {k: v for k, v in flags.items() if current.get(k) != v}


def with_flags(current: Mapping[str, Flag], flags: Mapping[str, Flag]) -> dict[str, Flag]:
    """``current`` with ``flags`` set (None: cleared)."""
    merged = {**current, **flags}
    return {k: v for k, v in merged.items() if v is not None}


class FlagsSet(Aggregate.Event):
    """Story flags set (None: cleared) on what holds them (a character, a world),
    and why; each holder subclasses it with its own topic."""

    flags: dict[str, Flag]
    reason: str

    def apply(self, holder: Any) -> None:
        holder.flags = with_flags(holder.flags, self.flags)


def befall(character: Any, consequences: Mapping[str, Any], reason: str, reference: UUID) -> None:
    """What consequences do to the character they befall (an ``Adventurer``):
    stats, then experience, then items taken and given (one change of its
    bag, under ``reference``), then its story flags. The world's flags and
    relationships are the caller's: they are other aggregates."""
    if consequences.get("stats"):
        character.move_stats(consequences["stats"], reason)
    if consequences.get("experience"):
        character.gain_experience(consequences["experience"], reason)
    changes: inventory.Changes = {}
    bag = dict(character.inventory)
    for name, quantity in consequences.get("take_items", {}).items():
        taken, _ = inventory.remove(bag, name, quantity)
        changes.update(taken)
        bag = inventory.after(bag, taken)
    for stack in consequences.get("items", ()):
        given = inventory.add(bag, {k: v for k, v in stack.items() if k != "quantity"}, stack["quantity"])
        changes.update(given)
        bag = inventory.after(bag, given)
    if changes:
        character.change_items(changes, reason.split(":")[0], reference)
    character.set_flags(consequences.get("flags", {}), reason)
