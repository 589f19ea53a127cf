"""The accounts read model: ``accounts.players``."""

from domain.accounts import PlatformLink, Player
from projections.accounts import players
from projections.model import ReadModel

READ_MODEL = ReadModel(
    context="accounts",
    schema=players.SCHEMA,
    projections=(players.PROJECTION,),
    unprojected=frozenset(
        {
            # Claims are an index for uniqueness: nothing reads them as a table.
            PlatformLink.Created.TOPIC,
            PlatformLink.Released.TOPIC,
            PlatformLink.Reclaimed.TOPIC,
            # Login outcomes are security state the Player aggregate decides with, not a read model.
            Player.LoginFailed.TOPIC,
            Player.LoginSucceeded.TOPIC,
        }
    ),
)
