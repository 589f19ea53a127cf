"""Live play (seed 001): characters' live profile, sessions and their actions."""

from domain.kernel.context import DomainContext
from domain.live.characters import Character
from domain.live.sessions import PlayerSession
from domain.live.timers import SESSION_EXPIRY, policies
from domain.live.use_cases import LiveUseCases

CONTEXT = DomainContext(
    name="live",
    aggregates=(Character, PlayerSession),
    use_cases=LiveUseCases,
    snapshot_intervals={Character: 100, PlayerSession: 200},
    policies=policies,
    timers={SESSION_EXPIRY: LiveUseCases.expire},
)

__all__ = ["CONTEXT", "Character", "LiveUseCases", "PlayerSession"]
