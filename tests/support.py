"""Every context's use cases and the store of a container, as one object for tests."""

from __future__ import annotations

from dataclasses import dataclass

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
