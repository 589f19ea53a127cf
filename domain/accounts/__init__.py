"""Accounts: players, their claims (platform links, username, email), logins and erasure.

Published to other contexts: ``Player`` (a save slot is opened on its player)
and the use cases. Everything else is this context's own.
"""

from domain.accounts.claims import PlatformLink
from domain.accounts.erasure import Erasure, ErasureSteps
from domain.accounts.errors import PlayerErased, SaveSlotLimitReached
from domain.accounts.players import Player
from domain.accounts.use_cases import AccountUseCases
from domain.kernel.context import DomainContext

CONTEXT = DomainContext(
    name="accounts",
    aggregates=(Player, PlatformLink),
    use_cases=AccountUseCases,
    snapshot_intervals={Player: 50},
)

__all__ = [
    "CONTEXT",
    "AccountUseCases",
    "Erasure",
    "ErasureSteps",
    "PlatformLink",
    "Player",
    "PlayerErased",
    "SaveSlotLimitReached",
]
