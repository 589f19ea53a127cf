"""The Echoes economy's HTTP API (seed 004), under ``/v1/echoes``: the
universe, pilots, rewards and the market (``market``); ships, fitting,
cargo and combat (``fleet``); what players read (``reads``) (docs/echoes.md)."""

from api.context import ContextHttp
from api.echoes import fleet, market, reads

HTTP = ContextHttp("echoes", (market.router, fleet.router, reads.router))
