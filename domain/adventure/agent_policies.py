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

The other four types (``story_weaver``, ``world_builder``,
``character_master``, ``balance_keeper``) can be registered and paused; their
built-in policies are not written yet (docs/adventure.md, "AI agents").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from domain.adventure.agents import Agent, AgentMemory, AgentPolicy, Decision, PostQuest, ScheduleEvent, Trigger
from domain.adventure.quests import COMPLETED, QuestProgress
from domain.adventure.world_events import WorldEvent
from domain.kernel.timers import Policy, SetTimer, TimerChange

SEQUEL_NAMES = ("II", "III", "IV", "V", "VI")


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


POLICIES: dict[str, AgentPolicy] = {p.agent_type: p for p in (QuestGenerator(), EventCoordinator())}


AGENT_QUEST_GENERATOR = "adventure.agent_quest_generator"  # a run completed: quest_generator's turn
AGENT_EVENT_COORDINATOR = "adventure.agent_event_coordinator"  # a window opened: event_coordinator's turn
MEMORY_EXPIRY = "adventure.agent_memory_expiry"  # an agent's memory is forgotten at its expires_at
AGENT_TURNS = frozenset({AGENT_QUEST_GENERATOR, AGENT_EVENT_COORDINATOR})


def policies(_: Any) -> Mapping[str, Policy]:
    """What sets the agents' turns and their memory's expiry (domain/kernel/timers.py)."""

    def quest_ended(event: Any) -> Iterable[TimerChange]:
        completed = event.status == COMPLETED
        return [SetTimer(AGENT_QUEST_GENERATOR, event.originator_id, event.timestamp)] if completed else []

    def window_opened(event: Any) -> Iterable[TimerChange]:
        return [SetTimer(AGENT_EVENT_COORDINATOR, event.originator_id, event.timestamp)]

    def remembered(event: Any) -> Iterable[TimerChange]:
        return [SetTimer(MEMORY_EXPIRY, event.originator_id, event.expires_at)]

    return {
        QuestProgress.Ended.TOPIC: quest_ended,
        WorldEvent.Started.TOPIC: window_opened,
        AgentMemory.Remembered.TOPIC: remembered,
    }
