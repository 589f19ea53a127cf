"""The built-in agent policies: rules and utilities, no outside service.
Each is a pure function of what it sees (``agents.Trigger``) and the dice
seeded by the agent and the trigger, so the same trigger decides the same.

- ``quest_generator``, when a run of a quest completes: post a harder sequel
  (counts x1.5, difficulty +2, experience x1.5, named "II", "III", ...),
  unless the chain is long enough already (``configuration.max_chain``, 3)
  or the scores say rest.
- ``event_coordinator``, when a season begins: hold a fair or a market in
  its middle half (a fair: quests give x1.25 experience; a market: crafts
  go 10% better), chosen by utility with the agent's ``weights``.

- ``story_weaver``, when a character first reaches an ending of a story (a
  branch with no children): a sequel storyline ("Aftermath", "Echoes",
  "Legacy"), open to characters who ended it with the same story flags,
  unless the chain is long enough (``max_chain``, 2) or the scores say rest.
- ``character_master``, when a relationship turns hostile: a quest for the
  two to mend it together (a party of two building), unless it mediated
  between them lately (its memory) or the scores say let it be.

``world_builder`` and ``balance_keeper`` survey a world as a whole on a
schedule (``surveyors``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any
from uuid import uuid5

from domain.adventure.agents import (
    Agent,
    AgentMemory,
    AgentPolicy,
    Decision,
    PostQuest,
    PostStory,
    ScheduleEvent,
    Trigger,
)
from domain.adventure.characters import Adventurer
from domain.adventure.quests import COMPLETED, QuestProgress
from domain.adventure.relationships import HOSTILE_MAX, Relationship
from domain.adventure.surveyors import BalanceKeeper, WorldBuilder
from domain.adventure.world_events import WorldEvent
from domain.kernel.timers import Policy, SetTimer, TimerChange

SEQUEL_NAMES = ("II", "III", "IV", "V", "VI")
AFTERWORDS = ("Aftermath", "Echoes", "Legacy")
HOSTILE_KINDS = frozenset({"quarrel", "insult", "attack", "betray"})
MEDIATED_MAX = 32  # pairs character_master remembers mediating


def _scored(scores: dict[str, float]) -> str:
    """The option with the highest score (ties: the first named)."""
    return max(scores, key=lambda option: (scores[option], -list(scores).index(option)))


class QuestGenerator:
    agent_type = "quest_generator"

    def decide(self, agent: Agent, trigger: Trigger) -> Decision | None:
        quest, run = trigger.subject
        depth = next((n + 1 for n, name in enumerate(SEQUEL_NAMES) if quest.title.endswith(f" {name}")), 0)
        base = quest.title.removesuffix(f" {SEQUEL_NAMES[depth - 1]}") if depth else quest.title
        longest = int(agent.configuration.get("max_chain", 3))
        party = len(run.members)
        noise = trigger.rng(agent.id).uniform(-0.05, 0.05)
        scores = {
            "sequel": round(0.6 + 0.1 * party - 0.15 * depth + noise, 3),
            "rest": round(0.4 + 0.1 * depth, 3),
        }
        factors = {"chain_depth": depth, "max_chain": longest, "party_size": party, "scale": run.scale}
        chosen = _scored(scores) if depth < min(longest, len(SEQUEL_NAMES)) else "rest"
        if chosen == "rest":
            return None
        objectives = [
            {
                "objective_text": o["objective_text"],
                "requirements": {k: (math.ceil(v * 1.5) if k == "count" else v) for k, v in o["requirements"].items()},
            }
            for o in quest.objectives
        ]
        rewards: dict[str, Any] = dict(quest.rewards)
        if "experience" in rewards:
            rewards["experience"] = min(100_000, math.ceil(rewards["experience"] * 1.5))
        title = f"{base[:120]} {SEQUEL_NAMES[depth]}"
        return Decision(
            evolution_type="quest_sequel",
            change=PostQuest(
                title=title,
                description=f"After {quest.title}: the same road, harder.",
                quest_type=quest.quest_type,
                requirements=quest.requirements,
                rewards=rewards,
                difficulty_level=min(100, quest.difficulty_level + 2),
                objectives=objectives,
                party_max=quest.party_max,
            ),
            reasoning={
                "summary": f"{quest.title!r} was completed by a party of {party}: a harder sequel keeps them going",
                "factors": factors,
                "scores": scores,
                "chosen": chosen,
            },
            remember={"last_sequel_of": str(quest.id), "chain_depth": depth + 1},
        )


class EventCoordinator:
    agent_type = "event_coordinator"

    def decide(self, agent: Agent, trigger: Trigger) -> Decision | None:
        season = trigger.subject
        window = season.end_time - season.start_time
        weights = {"fair": 1.0, "market": 1.0, **agent.configuration.get("weights", {})}
        rng = trigger.rng(agent.id)
        busy = len(trigger.world.active_events)
        scores = {
            "fair": round(weights["fair"] * (0.5 + rng.random() * 0.5) - 0.1 * busy, 3),
            "market": round(weights["market"] * (0.5 + rng.random() * 0.5) - 0.1 * busy, 3),
            "nothing": 0.2,
        }
        chosen = _scored(scores)
        if chosen == "nothing" or window < timedelta(minutes=4):
            return None
        start = max(trigger.now, season.start_time + window / 4)
        end = min(season.end_time, start + window / 2)
        if end <= start:
            return None
        effects = {"quest_experience": 1.25} if chosen == "fair" else {"craft_odds": 0.1}
        return Decision(
            evolution_type=f"season_{chosen}",
            change=ScheduleEvent(
                event_type="festival" if chosen == "fair" else "market",
                event_name=f"{season.event_name} {'Fair' if chosen == 'fair' else 'Market'}"[:128],
                description=f"Held in the middle of {season.event_name}.",
                effects=effects,
                start_time=start,
                end_time=end,
            ),
            reasoning={
                "summary": f"{season.event_name} began: a {chosen} in its middle half gives players a reason to gather",
                "factors": {"season_hours": round(window.total_seconds() / 3600, 2), "events_active": busy},
                "scores": scores,
                "chosen": chosen,
            },
            remember={"last_season": str(season.id)},
            remember_for=window,
        )


class StoryWeaver:
    agent_type = "story_weaver"

    def decide(self, agent: Agent, trigger: Trigger) -> Decision | None:
        story, character, path = trigger.subject
        depth = int(story.metadata.get("sequel_depth", 0))
        longest = min(int(agent.configuration.get("max_chain", 2)), len(AFTERWORDS))
        ending = story.branches[path[-1]]
        flags = {k: v for k, v in ending["consequences"].get("flags", {}).items() if v is not None}
        noise = trigger.rng(agent.id).uniform(-0.05, 0.05)
        scores = {
            "sequel": round(0.55 + 0.05 * min(len(path), 6) - 0.1 * depth + noise, 3),
            "rest": round(0.35 + 0.1 * depth, 3),
        }
        chosen = _scored(scores) if depth < longest else "rest"
        if chosen == "rest":
            return None
        base = story.metadata.get("saga", story.title)
        title = f"{base[:100]}: {AFTERWORDS[depth]}"
        ids = [str(uuid5(agent.id, f"{trigger.key}/branch/{n}")) for n in range(3)]
        marker = f"sequel.{story.id.hex[:12]}"
        branches = [
            {
                "branch_id": ids[0],
                "branch_name": f"After {ending['name']}"[:128],
                "content": f"Word of how {story.title} ended spreads through the world.",
                "conditions": {"flags": dict(list(flags.items())[:8])} if flags else {},
                "consequences": {"flags": {marker: "begun"}},
                "branch_order": 0,
            },
            {
                "branch_id": ids[1],
                "parent_branch_id": ids[0],
                "branch_name": "Seek out what remains",
                "content": "Old roads, new trouble.",
                "conditions": {"level": min(100, character.level + 1)},
                "consequences": {"experience": 100 * (depth + 1), "flags": {marker: "sought"}},
                "branch_order": 0,
            },
            {
                "branch_id": ids[2],
                "parent_branch_id": ids[0],
                "branch_name": "Let it rest",
                "content": "Some stories are better left finished.",
                "conditions": {},
                "consequences": {"flags": {marker: "rested"}},
                "branch_order": 1,
            },
        ]
        return Decision(
            evolution_type="story_sequel",
            change=PostStory(
                title=title,
                description=f"After {story.title}, as {character.name} ended it.",
                story_type="side" if story.story_type == "seasonal" else story.story_type,
                metadata={"sequel_of": str(story.id), "sequel_depth": depth + 1, "saga": base[:100]},
                branches=branches,
            ),
            reasoning={
                "summary": f"{character.name} reached an ending of {story.title!r} ({ending['name']!r}): "
                "a sequel opens for those who ended it so",
                "factors": {"path_length": len(path), "sequel_depth": depth, "max_chain": longest, "flags": flags},
                "scores": scores,
                "chosen": chosen,
            },
            remember={"last_sequel_of": str(story.id), "sequel_depth": depth + 1},
        )


class CharacterMaster:
    agent_type = "character_master"

    def decide(self, agent: Agent, trigger: Trigger) -> Decision | None:
        relationship, first, second = trigger.subject
        hostile_acts = sum(1 for h in relationship.history if h["kind"] in HOSTILE_KINDS)
        mediated = trigger.memory.get("mediated", [])
        again = str(relationship.id) in mediated
        noise = trigger.rng(agent.id).uniform(-0.05, 0.05)
        scores = {
            "mediate": round(0.45 + 0.05 * min(hostile_acts, 6) + noise, 3),
            "let_be": round(0.4 + (0.5 if again else 0.0), 3),
        }
        chosen = _scored(scores)
        if chosen == "let_be":
            return None
        level = min(100, max(first.level, second.level))
        return Decision(
            evolution_type="reconciliation",
            change=PostQuest(
                title=f"Mend the rift: {first.name} and {second.name}"[:128],
                description=f"{first.name} and {second.name} have fallen out. Building something together may help.",
                quest_type="party",
                requirements={},
                rewards={"experience": min(100_000, 50 + 10 * level), "flags": {"peacemaker": True}},
                difficulty_level=max(1, level),
                objectives=[
                    {"objective_text": "Build something together", "requirements": {"kind": "build", "count": 8}}
                ],
                party_max=2,
            ),
            reasoning={
                "summary": f"{first.name} and {second.name} turned hostile ({relationship.value}) after "
                f"{hostile_acts} hostile act(s): a task for two may mend it",
                "factors": {"value": relationship.value, "hostile_acts": hostile_acts, "mediated_before": again},
                "scores": scores,
                "chosen": chosen,
            },
            remember={"mediated": [*mediated, str(relationship.id)][-MEDIATED_MAX:]},
        )


POLICIES: dict[str, AgentPolicy] = {
    p.agent_type: p
    for p in (QuestGenerator(), EventCoordinator(), StoryWeaver(), CharacterMaster(), WorldBuilder(), BalanceKeeper())
}


AGENT_QUEST_GENERATOR = "adventure.agent_quest_generator"  # a run completed: quest_generator's turn
AGENT_EVENT_COORDINATOR = "adventure.agent_event_coordinator"  # a window opened: event_coordinator's turn
AGENT_STORY_WEAVER = "adventure.agent_story_weaver"  # a character chose a branch: story_weaver's turn
AGENT_CHARACTER_MASTER = "adventure.agent_character_master"  # a relationship turned hostile
AGENT_SURVEY = "adventure.agent_survey"  # a surveyor's (world_builder, balance_keeper) scheduled look
MEMORY_EXPIRY = "adventure.agent_memory_expiry"  # an agent's memory is forgotten at its expires_at
AGENT_TURNS = frozenset(
    {AGENT_QUEST_GENERATOR, AGENT_EVENT_COORDINATOR, AGENT_STORY_WEAVER, AGENT_CHARACTER_MASTER, AGENT_SURVEY}
)
SURVEYORS = frozenset({WorldBuilder.agent_type, BalanceKeeper.agent_type})


def policies(_: Any) -> Mapping[str, Policy]:
    """What sets the agents' turns and their memory's expiry (domain/kernel/timers.py)."""

    def quest_ended(event: Any) -> Iterable[TimerChange]:
        completed = event.status == COMPLETED
        return [SetTimer(AGENT_QUEST_GENERATOR, event.originator_id, event.timestamp)] if completed else []

    def window_opened(event: Any) -> Iterable[TimerChange]:
        return [SetTimer(AGENT_EVENT_COORDINATOR, event.originator_id, event.timestamp)]

    def remembered(event: Any) -> Iterable[TimerChange]:
        return [SetTimer(MEMORY_EXPIRY, event.originator_id, event.expires_at)]

    def chosen(event: Any) -> Iterable[TimerChange]:
        return [SetTimer(AGENT_STORY_WEAVER, event.originator_id, event.timestamp)]

    def interacted(event: Any) -> Iterable[TimerChange]:
        turned = event.value <= HOSTILE_MAX < event.value - event.delta
        return [SetTimer(AGENT_CHARACTER_MASTER, event.originator_id, event.timestamp)] if turned else []

    def registered(event: Any) -> Iterable[TimerChange]:
        if event.agent_type not in SURVEYORS:
            return []
        first = Agent(event.agent_name, event.agent_type, event.configuration)
        return [SetTimer(AGENT_SURVEY, event.originator_id, event.timestamp + first.survey_interval())]

    def surveyed(event: Any) -> Iterable[TimerChange]:
        return [SetTimer(AGENT_SURVEY, event.originator_id, event.next_survey)]

    return {
        QuestProgress.Ended.TOPIC: quest_ended,
        WorldEvent.Started.TOPIC: window_opened,
        AgentMemory.Remembered.TOPIC: remembered,
        Adventurer.BranchChosen.TOPIC: chosen,
        Relationship.Interacted.TOPIC: interacted,
        Agent.Created.TOPIC: registered,
        Agent.Surveyed.TOPIC: surveyed,
    }
