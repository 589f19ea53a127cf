"""An adventure on the in-memory store: a world, a player with two characters, recipes."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

from domain.adventure import CONTEXT, AdventureUseCases
from domain.kernel.store import Lorekeeper
from infra.persistence import PERSISTENCE_ENV


def store() -> Lorekeeper:
    return Lorekeeper(
        {**PERSISTENCE_ENV, "PERSISTENCE_MODULE": "eventsourcing.popo", "APPLICATION_RECORDER_TOPIC": ""},
        aggregates=CONTEXT.aggregates,
        snapshot_intervals=CONTEXT.snapshot_intervals,
    )


def rolls(*values: float) -> Iterator[float]:
    yield from values


def adventure(seed: int = 42):
    """(use cases, world id, player, ada, bob): ada and bob in one world, one player."""
    game = AdventureUseCases(store())
    world = game.create_world(f"Eldoria {uuid4().hex[:6]}", "standard", seed, {}, {}).aggregate
    player = uuid4()
    ada, bob = (
        game.create_character(player, world.id, name, "artisan", {"hair": "red"}, (8.0, 70.0, 8.0)).aggregate
        for name in ("Ada", "Bob")
    )
    return game, world.id, player, ada.id, bob.id


SWORD = {
    "recipe_name": "Iron Sword",
    "ingredients": [{"item_name": "iron_ingot", "quantity": 2}, {"item_name": "stick", "quantity": 1}],
    "result_item": {"item_type": "weapon", "item_name": "iron_sword", "quantity": 1, "item_data": {"durability": 250}},
    "required_level": 1,
    "recipe_type": "smithing",
    "unlock_conditions": {},
}
PLANKS = {
    "recipe_name": "Planks",
    "ingredients": [{"item_name": "log", "quantity": 1}],
    "result_item": {"item_type": "block", "item_name": "planks", "quantity": 4},
    "required_level": 1,
    "recipe_type": "woodcutting",
    "unlock_conditions": {},
}
