"""The heroes' utility model: what a hero may do, how each option is scored,
and what doing it brings (docs/tycoon.md has the tables).

Every function here is pure: the hero's state, the game minute and a random
source seeded from the hero's seed and the decision's number go in; scores,
choices and outcomes come out. That is what lets a hero's days be lived as
they happen or computed later from the same starting state with the same
result, and it is the one interface a studio replaces to plug in another
policy (``Policy``).

A score is the sum of four parts, each recorded in the decision:

- ``traits``: each personality trait (0..100) times the action's weight;
- ``needs``: energy, mood and gold below what the hero wants;
- ``influence``: the master's respect and fear;
- ``world``: the world events active at that minute;

plus ``noise``, uniform in ±``NOISE``, drawn from the recorded seed.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from domain.tycoon.personality import TRAITS, ranked

NOISE = 10.0
EXHAUSTED = 15  # below this energy a hero can only rest
# Action: its length in game minutes and what each trait adds per point.
ACTIONS: dict[str, tuple[int, dict[str, float]]] = {
    "rest": (480, {"patience": 0.25}),
    "train": (120, {"ambition": 0.5, "courage": 0.25, "patience": 0.1}),
    "explore": (240, {"curiosity": 0.55, "courage": 0.3}),
    "work": (180, {"greed": 0.55, "patience": 0.2, "loyalty": 0.1}),
    "socialize": (90, {"empathy": 0.5, "loyalty": 0.15}),
}
# The action each trait leans to (a hero is more satisfied doing what they are).
CALLING = {
    "courage": "train",
    "greed": "work",
    "loyalty": "work",
    "curiosity": "explore",
    "ambition": "train",
    "patience": "rest",
    "empathy": "socialize",
}
LOCATIONS = {
    "rest": "guild_hall",
    "train": "training_grounds",
    "explore": "wilds",
    "work": "market",
    "socialize": "tavern",
    "quest": "quest",
    "wait": "guild_hall",
}


def level_for(experience: int) -> int:
    """Level L needs 50·(L-1)² experience: 50 for level 2, 4,050 for level 10."""
    return 1 + math.isqrt(experience // 50)


def rng(seed: int, purpose: str, number: int) -> random.Random:
    """The seeded random source of one draw (string seeds are stable across processes)."""
    return random.Random(f"{seed}:{purpose}:{number}")


@dataclass(frozen=True)
class Situation:
    """What a hero weighs at one decision."""

    personality: dict[str, int]
    energy: int
    mood: int
    gold: int
    level: int
    respect: int
    fear: int
    effects: dict[str, int]  # active world events' additions, by action


def needs(action: str, s: Situation) -> float:
    if action == "rest":
        return (100 - s.energy) * 0.8 + (100 - s.mood) * 0.1
    if action == "work":
        return max(0, 200 - s.gold) * 0.15
    if action == "socialize":
        return (100 - s.mood) * 0.4
    if action == "train":
        return s.energy * 0.2
    return s.energy * 0.25  # explore


def influence(action: str, s: Situation) -> float:
    if action == "work":
        return s.fear * 0.1
    if action == "train":
        return s.respect * 0.1
    return 0.0


def options(s: Situation, draw: random.Random) -> list[dict[str, Any]]:
    """Every action scored, in a fixed order (the noise is drawn in that order)."""
    scored = []
    for action, (_, weights) in ACTIONS.items():
        traits = {t: round(s.personality[t] * w, 2) for t, w in weights.items()}
        parts = {
            "traits": round(sum(traits.values()), 2),
            "needs": round(needs(action, s), 2),
            "influence": round(influence(action, s), 2),
            "world": s.effects.get(action, 0),
            "noise": round(draw.uniform(-NOISE, NOISE), 2),
        }
        available = action == "rest" or s.energy >= EXHAUSTED
        scored.append(
            {
                "action": action,
                "score": round(sum(parts.values()), 2),
                "available": available,
                **parts,
                "by_trait": traits,
            }
        )
    return scored


class Policy(Protocol):
    """Chooses among scored options; the built-in one takes the best available."""

    def choose(self, scored: Sequence[dict[str, Any]]) -> dict[str, Any]: ...


class Utility:
    def choose(self, scored: Sequence[dict[str, Any]]) -> dict[str, Any]:
        return max((o for o in scored if o["available"]), key=lambda o: o["score"])


def reasoning(name: str, chosen: dict[str, Any], scored: Sequence[dict[str, Any]]) -> str:
    parts = sorted(
        ((k, chosen[k]) for k in ("traits", "needs", "influence", "world") if chosen[k]), key=lambda kv: -abs(kv[1])
    )
    why = ", ".join(f"{k} {v:+.0f}" for k, v in parts[:3]) or "nothing pressing"
    traits = sorted(chosen["by_trait"].items(), key=lambda kv: -kv[1])
    lead = f"; most of all {traits[0][0]}" if traits else ""
    others = sorted((o for o in scored if o is not chosen and o["available"]), key=lambda o: -o["score"])
    runner = f"; next best was {others[0]['action']} ({others[0]['score']:.0f})" if others else ""
    if not all(o["available"] for o in scored):
        runner += "; too tired for anything but rest"
    return f"{name} chose to {chosen['action']} (score {chosen['score']:.0f}: {why}{lead}){runner}."


def satisfaction(action: str, personality: dict[str, int], mood_impact: int) -> int:
    top = ranked(personality)[:2]
    calling = 15 if any(CALLING[t] == action for t in top) else 0
    return max(0, min(100, 50 + 2 * mood_impact + calling))


def outcome(
    action: str, s: Situation, minutes: int, draw: random.Random, quest: dict[str, Any] | None
) -> dict[str, Any]:
    """What finishing ``action`` brings: changes to gold, experience, energy and
    mood, items found, and the activity's details (``activity_data``)."""
    p = s.personality
    effectiveness = int(50 + s.energy / 4 + draw.uniform(-20, 20))  # 30..95
    gold = experience = 0
    energy = -minutes // 12
    mood = 0
    items: dict[str, int] = {}
    data: dict[str, Any] = {"action": action, "duration_minutes": minutes, "effectiveness": effectiveness}
    if action == "rest":
        energy = min(100, minutes // 5)
        mood = 4
    elif action == "train":
        experience = int((20 + p["ambition"] / 5) * effectiveness / 50)
        mood = 2 if p["ambition"] > 50 else -2
        data["skill_trained"] = draw.choice(("sword_fighting", "archery", "spellcraft", "shield_work"))
    elif action == "explore":
        gold = draw.randint(0, 30)
        experience = 10 + effectiveness // 10
        mood = (p["curiosity"] - 40) // 10
        if draw.random() < 0.4:
            found = draw.choice(("herbs", "relic", "map_fragment", "gemstone"))
            items[found] = 1
    elif action == "work":
        gold = 10 + p["greed"] // 5 + effectiveness // 10
        mood = (p["greed"] - 60) // 10
    elif action == "socialize":
        mood = 6 + p["empathy"] // 20
    elif action == "quest" and quest is not None:
        chance = 0.5 + 0.08 * (s.level - quest["difficulty"]) + p["courage"] / 400 + s.energy / 400
        chance += 0.05 * (quest["party"] - 1)
        chance = max(0.05, min(0.95, chance))
        roll = draw.random()
        success = roll < chance
        data.update(
            {"quest_id": quest["quest_id"], "chance": round(chance, 3), "roll": round(roll, 4), "success": success}
        )
        rewards = quest["rewards"]
        if success:
            gold = int(rewards.get("gold", 0))
            experience = int(rewards.get("experience", 0))
            items = {str(k): int(v) for k, v in rewards.get("items", {}).items()}
            mood = 10
        else:
            injury = 10 + 5 * max(0, quest["difficulty"] - s.level)
            data["injury"] = injury
            energy -= injury
            mood = -10
    return {
        "gold_change": gold,
        "experience_change": experience,
        "energy_change": energy,
        "mood_impact": mood,
        "items_changed": items,
        "activity_data": data,
    }


def companion(draw: random.Random, candidates: Sequence[str]) -> str | None:
    return draw.choice(list(candidates)) if candidates else None


BOND_TYPES = ("friendship", "rivalry", "romantic", "mentor")


def bond_changes(p: dict[str, int], level: int, draw: random.Random) -> list[dict[str, Any]]:
    """What meeting a companion does to the bonds between them (decided from the
    hero's own traits and draw, never from the bond, so it is order-free)."""
    changes = [{"relationship_type": "friendship", "delta": (p["empathy"] - 40) // 10 + draw.randint(-2, 3)}]
    if p["ambition"] > 60:
        changes.append({"relationship_type": "rivalry", "delta": (p["ambition"] - 50) // 10})
    if p["empathy"] > 60 and draw.random() < 0.05:
        changes.append({"relationship_type": "romantic", "delta": 5})
    if level >= 5 and draw.random() < 0.2:
        changes.append({"relationship_type": "mentor", "delta": 3})
    return [c for c in changes if c["delta"]]


def compliance(trust: int, respect: int, fear: int, loyalty: int) -> float:
    """How ready a hero is to obey, 0..100."""
    return 0.3 * trust + 0.25 * respect + 0.2 * fear + 0.25 * loyalty


def willingness(p: dict[str, int], trust: int, level: int, difficulty: int) -> float:
    """How ready a hero is to take a quest, before the draw."""
    return (
        0.3 * p["courage"]
        + 0.2 * p["ambition"]
        + 0.15 * p["greed"]
        + 0.15 * trust
        + 0.2 * p["loyalty"]
        - 6 * (difficulty - level)
    )


__all__ = ["ACTIONS", "TRAITS", "Policy", "Situation", "Utility"]
