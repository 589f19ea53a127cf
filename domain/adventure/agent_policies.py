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

``story_weaver`` and ``character_master`` answer stories and people
(``storytellers``); ``world_builder`` and ``balance_keeper`` survey a world
as a whole on a schedule (``surveyors``). ``POLICIES`` are all six, and
``policies`` the timers that set their turns.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from domain.adventure.agents import Agent, AgentMemory
from domain.adventure.characters import Adventurer
from domain.adventure.decisions import AgentPolicy, Decision, PostQuest, ScheduleEvent, Trigger, reasoned, scored
from domain.adventure.quest_runs import COMPLETED, QuestProgress
from domain.adventure.relationships import HOSTILE_MAX, Relationship
from domain.adventure.storytellers import CharacterMaster, StoryWeaver
from domain.adventure.surveyors import BalanceKeeper, WorldBuilder
from domain.adventure.world_events import WorldEvent
from domain.kernel.timers import Policy, SetTimer, TimerChange

SEQUEL_NAMES = ("II", "III", "IV", "V", "VI")


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
        chosen = scored(scores) if depth < min(longest, len(SEQUEL_NAMES)) else "rest"
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
            reasoning=reasoned(
                f"{quest.title!r} was completed by a party of {party}: a harder sequel keeps them going",
                factors,
                scores,
                chosen,
            ),
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
        chosen = scored(scores)
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
            reasoning=reasoned(
                f"{season.event_name} began: a {chosen} in its middle half gives players a reason to gather",
                {"season_hours": round(window.total_seconds() / 3600, 2), "events_active": busy},
                scores,
                chosen,
            ),
            remember={"last_season": str(season.id)},
            remember_for=window,
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
