"""The accounts read model: ``accounts.players``."""

from domain.accounts import PlatformLink
from projections.accounts import players
from projections.model import ReadModel

READ_MODEL = ReadModel(
    context="accounts",
    schema=players.SCHEMA,
    projections=(players.PROJECTION,),
    # Claims are an index for uniqueness: nothing reads them as a table.
    unprojected=frozenset({PlatformLink.Created.TOPIC, PlatformLink.Released.TOPIC, PlatformLink.Reclaimed.TOPIC}),
)
