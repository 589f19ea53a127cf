"""Combat's arithmetic (the ship applies it, ``ships.Ship.take_damage``):
how a hit is absorbed, layer by layer, and what a destroyed ship drops."""

from __future__ import annotations

import random
from typing import Any

from domain.kernel.errors import InvalidCommand

LAYERS = ("shield_health", "armor_health", "hull_health")  # in the order damage takes them
DAMAGE_MAX = 300.0  # one report: all three layers at most
DROP_ODDS = 0.5  # of each fitted module and each cargo stack


class CombatRefused(InvalidCommand):
    code = "combat_refused"


def absorb(health: dict[str, float], damage: float) -> dict[str, float]:
    """The layers after ``damage`` percentage points: shield, then armor, then hull."""
    if not 0 < damage <= DAMAGE_MAX:
        raise CombatRefused(f"a hit does more than 0 and at most {DAMAGE_MAX:g} points of damage")
    after = {}
    for layer in LAYERS:
        taken = min(damage, health[layer])
        after[layer] = round(health[layer] - taken, 2)
        damage -= taken
    return after


def wreckage(fitted: list[dict[str, Any]], cargo: list[dict[str, int]], roll_seed: int) -> list[dict[str, int]]:
    """What drops, by module type, drawn from ``roll_seed``: each fitted module
    and each cargo stack whole with ``DROP_ODDS``; the rest is destroyed."""
    rng = random.Random(roll_seed)
    dropped: dict[int, int] = {}
    for module_type_id, quantity in [(f["module_type_id"], 1) for f in fitted] + [
        (c["module_type_id"], c["quantity"]) for c in cargo
    ]:
        if rng.random() < DROP_ODDS:
            dropped[module_type_id] = dropped.get(module_type_id, 0) + quantity
    return [{"module_type_id": m, "quantity": q} for m, q in sorted(dropped.items())]
