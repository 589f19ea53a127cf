"""A hero's personality: the seed's seven traits, each 0..100, and the
backstory and motivation written from them.

The text is generated deterministically from templates chosen by the
strongest and weakest traits and the hero's seed (no outside service): the
same hero always reads the same, and a studio can replace the templates.
"""

from __future__ import annotations

import random
from typing import Any

from domain.kernel.errors import InvalidCommand

TRAITS = ("courage", "greed", "loyalty", "curiosity", "ambition", "patience", "empathy")
TRAIT_MIN, TRAIT_MAX = 0, 100


class InvalidPersonality(InvalidCommand):
    code = "invalid_personality"


def checked(personality: Any) -> dict[str, int]:
    """Exactly the seven traits, each a whole number 0..100."""
    if not isinstance(personality, dict) or set(personality) != set(TRAITS):
        raise InvalidPersonality("a personality has exactly the seven traits", traits=list(TRAITS))
    for trait in TRAITS:
        value = personality[trait]
        if isinstance(value, bool) or not isinstance(value, int) or not TRAIT_MIN <= value <= TRAIT_MAX:
            raise InvalidPersonality(f"{trait} must be a whole number {TRAIT_MIN}..{TRAIT_MAX}", trait=trait)
    return {trait: personality[trait] for trait in TRAITS}


def rolled(rng: random.Random) -> dict[str, int]:
    """A random personality (recruits whose player left it to chance)."""
    return {trait: rng.randint(10, 90) for trait in TRAITS}


ORIGINS = (
    "grew up in a fishing village on the edge of the map",
    "was raised by monks in a mountain monastery",
    "ran with a gang of thieves in the capital",
    "is the youngest child of a ruined noble house",
    "was a caravan guard until the caravan was lost",
    "apprenticed to a travelling herbalist",
)
STRONG = {
    "courage": "never once stepped back from a fight",
    "greed": "counts every coin twice",
    "loyalty": "has never broken a promise",
    "curiosity": "cannot pass a ruin without going in",
    "ambition": "means to be remembered in songs",
    "patience": "waits out storms other heroes run from",
    "empathy": "feels the pain of strangers as their own",
}
WEAK = {
    "courage": "hides it, but fears the dark",
    "greed": "gives away more than they keep",
    "loyalty": "has left three masters already",
    "curiosity": "distrusts anything new",
    "ambition": "is content with a quiet life",
    "patience": "acts before thinking",
    "empathy": "rarely notices how others feel",
}
MOTIVES = {
    "courage": "to face the monster that took their home",
    "greed": "to own a hall of gold",
    "loyalty": "to serve a master worth serving",
    "curiosity": "to map the edges of the world",
    "ambition": "to lead a guild of their own",
    "patience": "to master one craft completely",
    "empathy": "to keep the weak from harm",
}


def ranked(personality: dict[str, int]) -> list[str]:
    """Traits from strongest to weakest (ties in the seed's order)."""
    return sorted(TRAITS, key=lambda t: (-personality[t], TRAITS.index(t)))


def backstory(name: str, personality: dict[str, int], seed: int) -> str:
    order = ranked(personality)
    origin = random.Random(seed).choice(ORIGINS)
    return f"{name} {origin}. {name} {STRONG[order[0]]}, and {WEAK[order[-1]]}."


def motivation(personality: dict[str, int]) -> str:
    return f"Wants {MOTIVES[ranked(personality)[0]]}."
