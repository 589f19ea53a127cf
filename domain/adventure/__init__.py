"""Magic Adventure (seed 002), part 1: a persistent voxel world
(docs/adventure.md).

- ``worlds``: worlds with a unique name, a seed and a type; created by admins.
- ``terrain``: what an untouched chunk holds, generated from the seed.
- ``chunks``: 16x16x16 blocks; only edits are events; restore by new events.
- ``characters``: this context's own characters, with stats, position,
  experience and level, an ``inventory``, ``skills`` (a tree) and the
  recipes they discovered; ``rosters`` bound how many per player and world.
- ``recipes``: crafting, with the server's roll recorded in the event.
- ``relationships``: one aggregate per pair, -100..100, a bounded history.
- ``achievements``: rules unlocked once per player by a policy.
- ``rules``: the rule language of conditions and consequences.
- ``stories``: storylines with a tree of branches; ``storytelling``: writing
  them, and a character's choices (each one atomic write of its consequences).
- ``quests``: quests with ordered objectives; ``quest_runs``: a party's run of one;
  ``quest_counting``: what the game's events count toward them, and their
  timers; ``questing``: posting, beginning, joining, counting.
- ``world_events``: time windows with effects crafts and quests read;
  ``seasons``: scheduling them, and opening and closing each window on time.
- ``agents`` (and ``agent_policies``, ``storytellers``, ``surveyors``): AI agents, their memory and the
  interface their policies sit behind; ``evolution``: the log of what they
  changed; ``stewardship``: their turns, exactly once; ``rollbacks``: undoing
  their changes.
- ``use_cases`` (with ``worldkeeping``: worlds and recipes) and ``building``
  (chunks): each command one atomic write.
"""

from domain.adventure import achievements, agent_policies, quest_counting, world_events
from domain.adventure.achievements import ACHIEVEMENT_CHECK, Achievements
from domain.adventure.agent_policies import (
    AGENT_CHARACTER_MASTER,
    AGENT_EVENT_COORDINATOR,
    AGENT_QUEST_GENERATOR,
    AGENT_STORY_WEAVER,
    AGENT_SURVEY,
    AGENT_TURNS,
    MEMORY_EXPIRY,
)
from domain.adventure.agents import Agent, AgentMemory, AgentRegistry
from domain.adventure.characters import Adventurer
from domain.adventure.chunks import Chunk
from domain.adventure.evolution import Evolution
from domain.adventure.quest_counting import QUEST_CLOSING, QUEST_EXPIRY, QUEST_PROGRESS
from domain.adventure.quest_runs import QuestProgress
from domain.adventure.quests import Quest
from domain.adventure.recipes import Recipe
from domain.adventure.relationships import Relationship
from domain.adventure.rosters import Roster
from domain.adventure.stories import Story
from domain.adventure.use_cases import AdventureUseCases
from domain.adventure.world_events import WORLD_EVENT_END, WORLD_EVENT_START, WorldEvent
from domain.adventure.worlds import World, WorldName
from domain.kernel.context import DomainContext
from domain.kernel.timers import combined

CONTEXT = DomainContext(
    name="adventure",
    aggregates=(
        World,
        WorldName,
        Chunk,
        Adventurer,
        Roster,
        Recipe,
        Relationship,
        Achievements,
        Story,
        Quest,
        QuestProgress,
        WorldEvent,
        Agent,
        AgentRegistry,
        AgentMemory,
        Evolution,
    ),
    use_cases=AdventureUseCases,
    # A busy chunk is edited thousands of times: a load is its last snapshot and
    # at most nine edits (issue 13: 10,000 edits load within 2x of 10).
    # An agent records every change it makes, and its memory every decision: their loads stay short too.
    snapshot_intervals={Chunk: 10, Adventurer: 100, Relationship: 100, Story: 100, Agent: 100, AgentMemory: 100},
    policies=combined(achievements.policies, quest_counting.policies, world_events.policies, agent_policies.policies),
    # The agents decide in the lorekeeper-ai consumer group when a broker is configured.
    ai_turns=AGENT_TURNS,
    timers={
        ACHIEVEMENT_CHECK: AdventureUseCases.check_achievements,
        QUEST_PROGRESS: lambda game, character_id, due: game.quests.advance(character_id, due),
        QUEST_EXPIRY: lambda game, run_id, due: game.quests.expire(run_id, due),
        QUEST_CLOSING: lambda game, quest_id, due: game.quests.close(quest_id, due),
        WORLD_EVENT_START: lambda game, event_id, due: game.seasons.start(event_id, due),
        WORLD_EVENT_END: lambda game, event_id, due: game.seasons.end(event_id, due),
        AGENT_QUEST_GENERATOR: lambda game, run_id, due: game.agents.quest_completed(run_id, due),
        AGENT_EVENT_COORDINATOR: lambda game, event_id, due: game.agents.season_began(event_id, due),
        AGENT_STORY_WEAVER: lambda game, character_id, due: game.agents.branch_chosen(character_id, due),
        AGENT_CHARACTER_MASTER: lambda game, pair, due: game.agents.relationship_soured(pair, due),
        AGENT_SURVEY: lambda game, agent, due: game.agents.survey(agent, due),
        MEMORY_EXPIRY: lambda game, memory, due: game.agents.forget(memory, due),
    },
)

__all__ = [
    "CONTEXT",
    "Achievements",
    "AdventureUseCases",
    "Adventurer",
    "Agent",
    "AgentMemory",
    "AgentRegistry",
    "Chunk",
    "Evolution",
    "Quest",
    "QuestProgress",
    "Recipe",
    "Relationship",
    "Roster",
    "Story",
    "World",
    "WorldEvent",
    "WorldName",
]
