"""The Echoes economy's HTTP API (seed 004), under ``/v1/echoes`` (in progress
on ``wip/echoes``: the universe, pilots and the market so far)."""

from api.context import ContextHttp
from api.echoes import market

HTTP = ContextHttp("echoes", (market.router,))
