"""Every context's use cases and the store of a container, as one object for tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain.accounts import AccountUseCases, Erasure
from domain.kernel.store import Lorekeeper
from domain.live import LiveUseCases
from domain.narrative import NarrativeUseCases


@dataclass(frozen=True)
class App:
    store: Lorekeeper
    accounts: AccountUseCases
    narrative: NarrativeUseCases
    live: LiveUseCases
    erasure: Erasure


def app_of(container) -> App:
    return App(
        store=container.store,
        accounts=container.use(AccountUseCases),
        narrative=container.use(NarrativeUseCases),
        live=container.use(LiveUseCases),
        erasure=container.erasure,
    )


class MemorySteps:
    """Erasure's infrastructure part, in memory: what began, what finished."""

    def __init__(self, keys: Any) -> None:
        self.keys = keys
        self.begun: list[UUID] = []
        self.finished: list[UUID] = []

    def begin(self, player_id: UUID) -> None:
        self.begun.append(player_id)

    def finish(self, player_id: UUID) -> None:
        self.keys.destroy(player_id)
        self.finished.append(player_id)

    def unfinished(self) -> list[UUID]:
        return [p for p in dict.fromkeys(self.begun) if p not in self.finished]


def memory_app(**settings: Any) -> App:
    """Every context's use cases on eventsourcing's in-memory store: no PostgreSQL."""
    from infra.crypto import MemoryKeys
    from infra.entrypoints.contexts import domain_contexts, snapshot_intervals
    from infra.persistence import PERSISTENCE_ENV
    from infra.settings import Settings

    contexts = domain_contexts()
    config = Settings(**settings)
    store = Lorekeeper(
        {**PERSISTENCE_ENV, "PERSISTENCE_MODULE": "eventsourcing.popo", "APPLICATION_RECORDER_TOPIC": ""},
        aggregates=[a for c in contexts for a in c.aggregates],
        snapshot_intervals=snapshot_intervals(contexts, config.snapshot_intervals),
    )
    keys = MemoryKeys()
    store.mapper.keys = keys  # type: ignore[attr-defined]
    built = {type(u): u for u in (c.use_cases(store, config) for c in contexts)}
    return App(
        store=store,
        accounts=built[AccountUseCases],
        narrative=built[NarrativeUseCases],
        live=built[LiveUseCases],
        erasure=Erasure(store, MemorySteps(keys)),
    )
