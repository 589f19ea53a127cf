"""What one player owns, across every context: the ids of its characters,
save slots, worlds, pilots... recorded in the event store in the same write
that creates each of them.

Erasure and export read it to find a player's aggregates without asking a read
model that may lag (or have dead-lettered an event). One ``Holdings`` per
player, its id derived from the player's, so creating it needs no lookup and
two first acquisitions race on the store's (id, version) key like any write.
"""

from __future__ import annotations

from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.kernel.aggregate import Aggregate


def holdings_id(player_id: UUID) -> UUID:
    return uuid5(NAMESPACE_URL, f"lorekeeper:/holdings/{player_id}")


class Holdings(Aggregate):
    """The aggregates one player owns (id -> aggregate type name), in the order acquired."""

    TOPIC = "lorekeeper.holdings"
    snapshot_types: ClassVar[dict[str, object]] = {"player_id": UUID}

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.holdings.Created"
        player_id: UUID

    class Acquired(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.holdings.Acquired"
        aggregate_id: UUID
        aggregate_type: str

        def apply(self, holdings: Holdings) -> None:
            holdings.owned[str(self.aggregate_id)] = self.aggregate_type

    def __init__(self, player_id: UUID) -> None:
        self.player_id = player_id
        self.owned: dict[str, str] = {}

    @staticmethod
    def create_id(player_id: UUID, **_: object) -> UUID:
        return holdings_id(player_id)

    @property
    def owner_id(self) -> UUID:
        return self.player_id

    def acquire(self, aggregate: Aggregate) -> None:
        """Record ``aggregate`` as the player's (once)."""
        if str(aggregate.id) not in self.owned:
            self.trigger_event(self.Acquired, aggregate_id=aggregate.id, aggregate_type=type(aggregate).__name__)

    def ids(self) -> list[UUID]:
        return [UUID(i) for i in self.owned]
