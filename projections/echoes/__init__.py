"""The Echoes read model (seed 004), in the ``echoes`` schema: the static
universe, pilots and their items, the market and the wallets (ships, combat
logs and the ``users`` view are still to come: issue 16)."""

from projections.echoes import market, world
from projections.model import ReadModel

READ_MODEL = ReadModel(
    context="echoes",
    schema="echoes",
    projections=(world.UNIVERSE_PROJECTION, world.PILOTS_PROJECTION, market.PROJECTION),
    unprojected=frozenset(
        {
            # Creations whose rows come with their first change (a wallet's first
            # entry, a hangar's first items, a book's first order), or that hold
            # nothing to show (a name claim is a hash; the universe's data comes loaded).
            "lorekeeper.wallet.Created",
            "lorekeeper.hangar.Created",
            "lorekeeper.order_book.Created",
            "lorekeeper.pilot_name.Created",
            "lorekeeper.universe.Created",
            # TODO(issue 16): ship_instances and ship_instance_modules.
            "lorekeeper.ship.Created",
            "lorekeeper.ship.ModuleFitted",
            "lorekeeper.ship.ModuleUnfitted",
            "lorekeeper.ship.CargoMoved",
        }
    ),
)
