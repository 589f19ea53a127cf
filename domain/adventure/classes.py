"""Character classes: each class's base values of the seed's seven stats
(``health``, ``mana``, ``strength``, ``intelligence``, ``dexterity``,
``constitution``, ``charisma``), a new character's stats."""

from __future__ import annotations

CLASS_STATS: dict[str, dict[str, int]] = {
    "warrior": {
        "health": 120,
        "mana": 20,
        "strength": 16,
        "intelligence": 8,
        "dexterity": 12,
        "constitution": 16,
        "charisma": 10,
    },
    "mage": {
        "health": 80,
        "mana": 120,
        "strength": 8,
        "intelligence": 18,
        "dexterity": 10,
        "constitution": 10,
        "charisma": 12,
    },
    "ranger": {
        "health": 100,
        "mana": 50,
        "strength": 12,
        "intelligence": 12,
        "dexterity": 18,
        "constitution": 12,
        "charisma": 10,
    },
    "artisan": {
        "health": 100,
        "mana": 50,
        "strength": 12,
        "intelligence": 14,
        "dexterity": 14,
        "constitution": 12,
        "charisma": 14,
    },
}
