"""Echoes MMO economy (seed 004), in progress on this branch: the market's
order book with escrow (``market``), wallets as ledgers (``wallets``) and
items at a station (``hangars``), pure and tested. Not yet a registered
context: no ``CONTEXT`` here, no projections, no API (issue 16)."""
