"""A tycoon world on the in-memory store, with a clock the test moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from domain.kernel.store import Lorekeeper
from domain.tycoon import CONTEXT, TycoonUseCases
from infra.persistence import PERSISTENCE_ENV

FOUNDED = datetime(2026, 1, 1, tzinfo=UTC)
BRAVE = {"courage": 90, "greed": 20, "loyalty": 80, "curiosity": 50, "ambition": 60, "patience": 40, "empathy": 70}


def store() -> Lorekeeper:
    return Lorekeeper(
        {**PERSISTENCE_ENV, "PERSISTENCE_MODULE": "eventsourcing.popo", "APPLICATION_RECORDER_TOPIC": ""},
        aggregates=CONTEXT.aggregates,
        snapshot_intervals=CONTEXT.snapshot_intervals,
    )


class Clock:
    """Real time a test moves by hand (``game.now``)."""

    def __init__(self, start: datetime = FOUNDED) -> None:
        self.at = start

    def __call__(self) -> datetime:
        return self.at

    def forward(self, **delta: float) -> datetime:
        self.at += timedelta(**delta)
        return self.at


def tycoon(ratio: int = 60, seed: int = 7) -> tuple[TycoonUseCases, Clock, UUID, UUID]:
    """(use cases, clock, player, world id): a world founded at ``FOUNDED``."""
    game = TycoonUseCases(store())
    clock = Clock()
    game.now = clock
    player = uuid4()
    world = game.found_world(player, "Aldmere", seed, ratio).aggregate
    return game, clock, player, world.id


def recruit(
    game: TycoonUseCases, player: UUID, world_id: UUID, name: str = "Brienne", seed: int = 1, **traits: int
) -> UUID:
    return game.recruit(player, world_id, name, {**BRAVE, **traits}, seed).aggregate.id
