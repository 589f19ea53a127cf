"""Relationships between heroes (seed 003's ``hero_relationships``).

One aggregate per pair of heroes (its id derived from the two ids in sorted
order) holds every type of bond between them: friendship, rivalry, romantic,
mentor, each -100..100 with its interaction count, when they last met and a
bounded history. A pair is one aggregate, so its two directions (projected
as a→b and b→a rows) can never disagree; no hero has a bond with itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from domain.kernel.aggregate import Aggregate
from domain.kernel.errors import InvalidCommand
from domain.kernel.pairs import pair, pair_id
from domain.tycoon.decisions import BOND_TYPES

STRENGTH_MIN, STRENGTH_MAX = -100, 100
HISTORY_MAX = 20


class InvalidBond(InvalidCommand):
    code = "invalid_bond"


def bond_id(a: UUID, b: UUID) -> UUID:
    return pair_id("tycoon/bonds", a, b)


class HeroBond(Aggregate):
    TOPIC = "lorekeeper.hero_bond"
    snapshot_types: ClassVar[dict[str, object]] = {"first_id": UUID, "second_id": UUID, "world_id": UUID}
    SHALLOW: ClassVar[frozenset[str]] = frozenset({"bonds"})

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.hero_bond.Created"
        first_id: UUID
        second_id: UUID
        world_id: UUID

    class Changed(Aggregate.Event):
        """One meeting moved one type of bond."""

        TOPIC: ClassVar[str] = "lorekeeper.hero_bond.Changed"
        first_id: UUID  # the pair, on every change (each projects two rows)
        second_id: UUID
        actor_id: UUID
        relationship_type: str
        delta: int  # after clamping
        strength: int
        interaction_count: int
        at: datetime  # the real time of the meeting (game time made real)
        minute: int
        cause: str

        def apply(self, bond: HeroBond) -> None:
            entry = {"minute": self.minute, "by": str(self.actor_id), "delta": self.delta, "cause": self.cause}
            old = bond.bonds.get(self.relationship_type, {"history": []})
            bond.bonds[self.relationship_type] = {
                "strength": self.strength,
                "count": self.interaction_count,
                "history": [*old["history"], entry][-HISTORY_MAX:],
            }

    def __init__(self, first_id: UUID, second_id: UUID, world_id: UUID) -> None:
        self.first_id = first_id
        self.second_id = second_id
        self.world_id = world_id
        self.bonds: dict[str, dict[str, Any]] = {}

    @staticmethod
    def create_id(first_id: UUID, second_id: UUID, **_: object) -> UUID:
        return bond_id(first_id, second_id)

    @classmethod
    def between(cls, a: UUID, b: UUID, world_id: UUID) -> HeroBond:
        if a == b:
            raise InvalidBond("a hero has no relationship with themself")
        first, second = pair(a, b)
        return cls(first_id=first, second_id=second, world_id=world_id)

    def strength(self, relationship_type: str) -> int:
        return int(self.bonds.get(relationship_type, {}).get("strength", 0))

    def change(self, actor_id: UUID, relationship_type: str, delta: int, at: datetime, minute: int, cause: str) -> None:
        if actor_id not in (self.first_id, self.second_id):
            raise InvalidBond("only the two heroes of a bond change it")
        if relationship_type not in BOND_TYPES:
            raise InvalidBond(f"{relationship_type!r} is not a relationship type", types=list(BOND_TYPES))
        old = self.strength(relationship_type)
        new = max(STRENGTH_MIN, min(STRENGTH_MAX, old + delta))
        count = int(self.bonds.get(relationship_type, {}).get("count", 0)) + 1
        self.trigger_event(
            self.Changed,
            first_id=self.first_id,
            second_id=self.second_id,
            actor_id=actor_id,
            relationship_type=relationship_type,
            delta=new - old,
            strength=new,
            interaction_count=count,
            at=at,
            minute=minute,
            cause=cause,
        )
