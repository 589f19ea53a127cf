"""Echoes MMO economy (seed 004): the static universe, pilots, wallets as
ledgers, hangars, ships and fitting, and a market with escrow (docs/echoes.md).

- ``universe``: the static data (a versioned file in ``infra/data/``), loaded
  whole and checked; jumps within range.
- ``pilots``: the context's characters, a name claimed case-insensitively.
- ``wallets``: ledgers; faucets and sinks; never negative.
- ``hangars``: items per pilot and station.
- ``ships``: fitting within slots, power grid and CPU (``fitting``); cargo
  by volume; docking; combat reported by a game server (``combat``).
- ``market``: order books with escrow, price-time priority, partial fills,
  fees and taxes, cancel, expiry, repricing; ``settlement``; ``orders``.
- ``timers``: an order expires on time, touched or not.
- ``use_cases`` (pilots, faucets, the market) and ``fleet`` (ships), over
  ``access``: each command one atomic write.
"""

from domain.echoes.hangars import Hangar
from domain.echoes.market import OrderBook
from domain.echoes.pilots import Pilot, PilotName
from domain.echoes.ships import Ship
from domain.echoes.timers import ORDER_EXPIRY, policies
from domain.echoes.universe import Universe
from domain.echoes.use_cases import EchoesUseCases
from domain.echoes.wallets import Wallet
from domain.kernel.context import DomainContext

CONTEXT = DomainContext(
    name="echoes",
    aggregates=(Universe, Pilot, PilotName, Wallet, Hangar, Ship, OrderBook),
    use_cases=EchoesUseCases,
    # A hot book is long: its snapshots keep a load to the last few hundred events.
    snapshot_intervals={OrderBook: 200, Wallet: 100, Hangar: 100},
    policies=policies,
    timers={ORDER_EXPIRY: EchoesUseCases.expire_order},
)

__all__ = ["CONTEXT", "EchoesUseCases", "Hangar", "OrderBook", "Pilot", "PilotName", "Ship", "Universe", "Wallet"]
