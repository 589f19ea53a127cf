"""The adventure context's HTTP API (seed 002): worlds (``worlds``), chunks and
areas (``chunks``), recipes (``recipes``); characters, their items, crafting,
relationships and achievements (``characters`` and ``actions``); stories and
choices (``stories``); quests and their runs (``quests``); world events (``world_events``);
AI agents, the evolution log and rollback (``agents``) (docs/adventure.md)."""

from api.adventure import actions, agents, characters, chunks, quests, recipes, stories, world_events, worlds
from api.context import ContextHttp

HTTP = ContextHttp(
    "adventure",
    (
        worlds.router,
        chunks.router,
        recipes.router,
        characters.router,
        actions.router,
        stories.router,
        quests.router,
        world_events.router,
        agents.router,
    ),
)
