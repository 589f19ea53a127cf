"""Echoes MMO economy (seed 004), in progress on the ``wip/echoes`` branch.

Built and tested (pure domain, in-memory store):

- ``universe``: the static data (a versioned file in
  ``infra/data/``), loaded whole, checked; jumps within range.
- ``pilots``: the context's characters, a name claimed case-insensitively.
- ``wallets``: ledgers; faucets and sinks; never negative.
- ``hangars``: items per pilot and station.
- ``ships``: fitting within slots, power grid and CPU; cargo by volume.
- ``market``: order books with escrow, price-time priority, partial fills,
  fees and taxes, cancel, expiry, repricing; ``settlement``.
- ``use_cases``: the market's commands, one atomic write each.

Still to do for issue 16: register the context (``CONTEXT`` here, the
aggregates, the use cases for pilots, ships and the universe), the read model
in the ``echoes`` schema (the seed's tables, ``users`` as a view, price
history), the HTTP API, combat reports from a ``server`` token, the demo, the
64-trader HTTP test with its audit, the benches (the engine alone is ~45k
orders/s: build events without re-validating them), docs/echoes.md.
"""

from domain.echoes.hangars import Hangar
from domain.echoes.market import OrderBook
from domain.echoes.pilots import Pilot, PilotName
from domain.echoes.ships import Ship
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
)

__all__ = ["CONTEXT", "EchoesUseCases", "Hangar", "OrderBook", "Pilot", "PilotName", "Ship", "Universe", "Wallet"]
