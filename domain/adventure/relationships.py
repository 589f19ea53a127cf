"""Relationships between two characters (seed 002's ``character_relationships``).

One aggregate per pair, its id derived from the two ids in sorted order, so
the relationship of a and b *is* the relationship of b and a: projected as
two rows (a→b and b→a) from the same events, they can never disagree. The
value is -100..100, moved by interactions (each at most ``DELTA_MAX`` either
way, clamped at the ends); the type follows the value (``relationship_type``).
The last ``HISTORY_MAX`` interactions are kept in ``interaction_history``:
who acted, what kind, the change, and, for a trade, what changed hands (the
trade log).
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from domain.kernel.aggregate import Aggregate
from domain.kernel.errors import InvalidCommand
from domain.kernel.pairs import pair, pair_id

VALUE_MIN, VALUE_MAX = -100, 100
DELTA_MAX = 25
HISTORY_MAX = 20
HOSTILE_MAX = -50  # a value at or below it is hostile
KINDS = ("greet", "gift", "help", "trade", "quarrel", "insult", "attack", "betray", "story")  # story: a branch chosen


def relationship_id(a: UUID, b: UUID) -> UUID:
    return pair_id("adventure/relationships", a, b)


def relationship_type(value: int) -> str:
    if value <= HOSTILE_MAX:
        return "hostile"
    if value < -10:
        return "unfriendly"
    if value <= 10:
        return "neutral"
    if value < 50:
        return "friendly"
    return "ally"


def history_entry(at: str, actor_id: str, kind: str, delta: int, detail: dict[str, Any]) -> dict[str, Any]:
    """One line of ``interaction_history`` (the aggregate's and the read rows' alike)."""
    entry: dict[str, Any] = {"at": at, "by": actor_id, "kind": kind, "delta": delta}
    if detail:
        entry["detail"] = detail
    return entry


class InvalidInteraction(InvalidCommand):
    code = "invalid_interaction"


class Relationship(Aggregate):
    TOPIC = "lorekeeper.relationship"
    snapshot_types: ClassVar[dict[str, object]] = {"first_id": UUID, "second_id": UUID, "world_id": UUID}
    SHARED: ClassVar[frozenset[str]] = frozenset({"history"})  # replaced whole

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.relationship.Created"
        first_id: UUID
        second_id: UUID
        world_id: UUID

    class Interacted(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.relationship.Interacted"
        actor_id: UUID
        kind: str
        delta: int  # what the value moved (after clamping)
        value: int
        relationship_type: str
        detail: dict[str, Any]

        def apply(self, relationship: Relationship) -> None:
            relationship.value = self.value
            entry = history_entry(self.timestamp.isoformat(), str(self.actor_id), self.kind, self.delta, self.detail)
            relationship.history = [*relationship.history, entry][-HISTORY_MAX:]

    def __init__(self, first_id: UUID, second_id: UUID, world_id: UUID) -> None:
        self.first_id = first_id
        self.second_id = second_id
        self.world_id = world_id
        self.value = 0
        self.history: list[dict[str, Any]] = []

    @staticmethod
    def create_id(first_id: UUID, second_id: UUID, **_: object) -> UUID:
        return relationship_id(first_id, second_id)

    @classmethod
    def between(cls, a: UUID, b: UUID, world_id: UUID) -> Relationship:
        if a == b:
            raise InvalidInteraction("a character has no relationship with itself")
        first, second = pair(a, b)
        return cls(first_id=first, second_id=second, world_id=world_id)

    def other(self, character_id: UUID) -> UUID:
        return self.second_id if character_id == self.first_id else self.first_id

    def interact(self, actor_id: UUID, kind: str, delta: int, detail: dict[str, Any] | None = None) -> None:
        if actor_id not in (self.first_id, self.second_id):
            raise InvalidInteraction("only the two characters of a relationship interact in it")
        if kind not in KINDS:
            raise InvalidInteraction(f"{kind!r} is not an interaction", kinds=list(KINDS))
        if not -DELTA_MAX <= delta <= DELTA_MAX:
            raise InvalidInteraction(f"an interaction moves the value by at most {DELTA_MAX} either way")
        value = max(VALUE_MIN, min(VALUE_MAX, self.value + delta))
        self.trigger_event(
            self.Interacted,
            actor_id=actor_id,
            kind=kind,
            delta=value - self.value,
            value=value,
            relationship_type=relationship_type(value),
            detail=detail or {},
        )
