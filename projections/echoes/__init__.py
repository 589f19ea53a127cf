"""The Echoes read model (seed 004), in the ``echoes`` schema: the static
universe, pilots and their items (``world``), ships and combat logs
(``fleet``), the market and the wallets (``market``)."""

from projections.echoes import fleet, market, world
from projections.model import ReadModel, View

READ_MODEL = ReadModel(
    context="echoes",
    schema="echoes",
    projections=(world.UNIVERSE_PROJECTION, world.PILOTS_PROJECTION, fleet.PROJECTION, market.PROJECTION),
    views=(
        # The seed's users: the accounts that registered credentials, without
        # the password hash (which no read table holds); last_login is the
        # account's last presence.
        View(
            "users",
            "echoes",
            "SELECT account_id AS id, username, email, created_at, last_seen AS last_login "
            "FROM accounts.players WHERE username IS NOT NULL",
        ),
    ),
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
        }
    ),
)
