"""The surveyors' built-in policies: agents that look at a world as a whole
(``agents.Census``: where characters crowd, what they hold of each recipe's
product) on a schedule (every ``configuration.survey_minutes``, 60 if not
given), rather than answering one event. What they saw is the trigger's
subject, and their entry's reasoning records it: the decision is
reproducible from the entry.

- ``world_builder``: where characters crowd into one chunk column, a
  settlement grows: the world flag ``settlement.<x>.<z>`` becomes ``camp``
  (5 characters, ``configuration.crowd``), ``village`` (x2) or ``town``
  (x5), which stories and quests read (``world_flags`` conditions). It only
  ever raises a settlement; at most 8 a survey.
- ``balance_keeper``: when what characters hold of one recipe's product is
  far more than of the others (``ratio`` x the mean of the rest, 3; at least
  ``min_total`` items in all, 20), a shortage of that recipe's type:
  crafts of the type go 10% worse for ``hours`` (6), unless it is dampened
  already (its memory, or an active event of the world doing so).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from domain.adventure.agents import Agent
from domain.adventure.decisions import Census, Decision, ScheduleEvent, SetWorldFlags, Trigger, reasoned
from domain.adventure.world_events import craft_bonus

TIERS = (("town", 5), ("village", 2), ("camp", 1))  # a settlement's name, and its crowd in multiples of ``crowd``
SETTLED_MAX = 8  # settlements one survey raises (one write of the world's flags)
SHORTAGE = -0.1  # what a shortage does to a craft's odds


def settlement_flag(chunk_x: int, chunk_z: int) -> str:
    return f"settlement.{chunk_x}.{chunk_z}"


def _tier(characters: int, crowd: int) -> str | None:
    return next((name for name, times in TIERS if characters >= times * crowd), None)


def _rank(tier: Any) -> int:
    names = [name for name, _ in reversed(TIERS)]
    return names.index(tier) + 1 if tier in names else 0


def _setting(agent: Agent, name: str, usual: int, low: int, high: int) -> int:
    value = agent.configuration.get(name)
    return value if type(value) is int and low <= value <= high else usual


class WorldBuilder:
    agent_type = "world_builder"

    def decide(self, agent: Agent, trigger: Trigger) -> Decision | None:
        crowd = _setting(agent, "crowd", 5, 2, 1_000)
        crowds: list[dict[str, Any]] = trigger.subject
        grown: dict[str, str] = {}
        for place in crowds:
            name = settlement_flag(place["chunk_x"], place["chunk_z"])
            tier = _tier(place["characters"], crowd)
            if tier is not None and _rank(tier) > _rank(trigger.world.flags.get(name)) and len(grown) < SETTLED_MAX:
                grown[name] = tier
        if not grown:
            return None  # nowhere grew: wait
        scores = {"settle": round(min(1.0, len(grown) / 2 + 0.3), 3), "wait": 0.3}
        return Decision(
            evolution_type="settlement_grew",
            change=SetWorldFlags(flags=grown, reason="characters gather here"),
            reasoning=reasoned(
                f"characters crowd {len(grown)} place(s): " + ", ".join(f"{k} becomes a {v}" for k, v in grown.items()),
                {"crowds": crowds[:SETTLED_MAX], "crowd": crowd},
                scores,
                "settle",
            ),
            remember={"settlements": {**trigger.memory.get("settlements", {}), **grown}},
            remember_for=timedelta(days=30),
        )


class BalanceKeeper:
    agent_type = "balance_keeper"

    def decide(self, agent: Agent, trigger: Trigger) -> Decision | None:
        products: list[dict[str, Any]] = trigger.subject
        ratio = _setting(agent, "ratio", 3, 2, 100)
        least = _setting(agent, "min_total", 20, 1, 1_000_000)
        hours = _setting(agent, "hours", 6, 1, 24 * 7)
        if len(products) < 2:
            return None  # nothing to compare it with
        top, rest = products[0], products[1:]
        total = sum(p["quantity"] for p in products)
        mean_rest = sum(p["quantity"] for p in rest) / len(rest)
        dominance = round(top["quantity"] / max(mean_rest, 1), 3)
        dampened = trigger.memory.get("dampened") == top["recipe_name"] and trigger.memory.get("until", "") > (
            trigger.now.isoformat()
        )
        already = dampened or craft_bonus(trigger.world.active_events, top["recipe_type"]) <= SHORTAGE
        scores = {
            "shortage": round(min(1.0, dominance / (2 * ratio)), 3) if total >= least and not already else 0.0,
            "watch": 0.5,
        }
        chosen = "shortage" if dominance >= ratio and scores["shortage"] >= scores["watch"] else "watch"
        if chosen == "watch":
            return None
        end = trigger.now + timedelta(hours=hours)
        return Decision(
            evolution_type="recipe_shortage",
            change=ScheduleEvent(
                event_type="agent",
                event_name=f"{top['recipe_name']} shortage"[:128],
                description=f"So much {top['recipe_name']} is about that {top['recipe_type']} goes worse for a while.",
                effects={"craft_odds": SHORTAGE, "recipe_types": [top["recipe_type"]]},
                start_time=trigger.now,
                end_time=end,
            ),
            reasoning=reasoned(
                f"characters hold {dominance}x as much of {top['recipe_name']!r} as of the other "
                f"products on average: {top['recipe_type']} crafts go {abs(SHORTAGE):.0%} worse for {hours} h",
                {"products": products[:8], "total": total, "dominance": dominance, "ratio": ratio},
                scores,
                chosen,
            ),
            remember={"dampened": top["recipe_name"], "until": end.isoformat()},
            remember_for=timedelta(hours=hours),
        )


# What each surveyor looks at in a world.
SURVEYED: dict[str, Callable[[Census, Any], list[dict[str, Any]]]] = {
    WorldBuilder.agent_type: lambda census, world_id: census.crowds(world_id),
    BalanceKeeper.agent_type: lambda census, world_id: census.products(world_id),
}


def survey_key(world_id: Any, due: datetime) -> str:
    return f"survey:{world_id}:{due.isoformat()}"
