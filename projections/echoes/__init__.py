"""The Echoes read model (seed 004), in the ``echoes`` schema (in progress on
``wip/echoes``: the market and the wallets so far; not yet registered)."""
