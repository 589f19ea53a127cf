"""The adventure context's HTTP API (seed 002): worlds, chunks and recipes
(``worlds``); characters, their items, crafting, relationships and
achievements (``characters``) (docs/adventure.md)."""

from api.adventure import characters, worlds
from api.context import ContextHttp

HTTP = ContextHttp("adventure", (worlds.router, characters.router))
