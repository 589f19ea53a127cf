"""The Echoes economy's HTTP API (seed 004), under ``/v1/echoes``: the
universe, pilots, rewards and the market so far (docs/echoes.md)."""

from api.context import ContextHttp
from api.echoes import market

HTTP = ContextHttp("echoes", (market.router,))
