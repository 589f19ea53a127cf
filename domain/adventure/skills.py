"""Skills (seed 002's ``character_skills``) and the two experience curves.

A character's level follows its experience: level ``n`` needs
``100 * (n - 1)^2`` experience (level 2 at 100, level 10 at 8,100), up to
``LEVEL_MAX``. A skill's level follows its experience the same way with
``50 * (n - 1)^2``, up to ``SKILL_LEVEL_MAX``.

The skill tree: a skill with prerequisites is locked until every
prerequisite reaches ``PREREQUISITE_LEVEL``; experience in a locked skill is
not gained (the action still happens), and a recipe of a locked skill cannot
be crafted. Actions grant skill experience: placing blocks ``building``,
removing them ``mining``, a craft its recipe's skill (``recipe_type``).
"""

from __future__ import annotations

from math import isqrt

LEVEL_MAX = 100
SKILL_LEVEL_MAX = 50
EXPERIENCE_MAX = 10**9
PREREQUISITE_LEVEL = 3

SKILL_TREE: dict[str, tuple[str, ...]] = {
    "mining": (),
    "woodcutting": (),
    "herbalism": (),
    "building": (),
    "combat": (),
    "diplomacy": (),
    "smithing": ("mining",),
    "carpentry": ("woodcutting",),
    "alchemy": ("herbalism",),
    "cooking": ("herbalism",),
    "architecture": ("building", "carpentry"),
    "enchanting": ("alchemy", "smithing"),
}


def level_for(experience: int) -> int:
    """A character's level at ``experience``."""
    return min(LEVEL_MAX, 1 + isqrt(max(0, experience) // 100))


def experience_for(level: int) -> int:
    """The experience level ``level`` needs."""
    return 100 * (level - 1) ** 2


def skill_level_for(experience: int) -> int:
    return min(SKILL_LEVEL_MAX, 1 + isqrt(max(0, experience) // 50))


def locked_by(skill: str, levels: dict[str, int]) -> list[str]:
    """The prerequisites of ``skill`` not yet at PREREQUISITE_LEVEL (``levels``: skill -> level)."""
    return [p for p in SKILL_TREE[skill] if levels.get(p, 0) < PREREQUISITE_LEVEL]
