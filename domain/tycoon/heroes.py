"""Heroes (seed 003's ``heroes``, ``master_influence`` and what feeds
``hero_decisions`` and ``activity_log``).

A hero is always doing something until a game minute (``action_ends``).
``advance`` lives the hero's time up to a minute: each action that ends is
completed (``ActivityCompleted``, its outcome drawn from the hero's seed)
and the next is decided (``Decided``, every option scored by
``decisions``). Nothing in it reads the clock on the wall or another
aggregate's changing state: advancing live, one action at a time, or much
later, in one go, gives the same events.

A hero left alone for ``UNATTENDED_MAX`` decisions waits at the guild hall
for the master (the offline cap every idle game has): that bounds how much
a long absence can cost to catch up. Any attention from the master (praise,
a reprimand, a gift, an order, a quest) wakes them.

The master's influence (trust, respect, fear, 0..100, with a bounded history)
is the hero's own: one per hero, changed in the hero's own writes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from domain.kernel.aggregate import Aggregate
from domain.kernel.errors import Conflict, InvalidCommand
from domain.kernel.text import clean_display_name
from domain.tycoon import decisions as model
from domain.tycoon.clock import GameClock
from domain.tycoon.personality import backstory, motivation

NAME_MAX = 64
UNATTENDED_MAX = 100  # decisions a hero makes alone before waiting for the master
HISTORY_MAX = 20  # influence changes kept
INFLUENCE_MIN, INFLUENCE_MAX = 0, 100
GIFT_MAX = 1_000
ORDERS = tuple(model.ACTIONS)
# What each gesture of the master does to trust, respect, fear, and the hero's mood.
GESTURES: dict[str, dict[str, int]] = {
    "praise": {"trust": 4, "respect": 2, "fear": -1, "mood": 5},
    "reprimand": {"trust": -4, "respect": 1, "fear": 6, "mood": -8},
}


class InvalidHero(InvalidCommand):
    code = "invalid_hero"


class HeroBusy(Conflict):
    code = "hero_busy"


def _clamp(value: int, low: int = 0, high: int = 100) -> int:
    return max(low, min(high, value))


class Hero(Aggregate):
    TOPIC = "lorekeeper.hero"
    snapshot_types: ClassVar[dict[str, object]] = {
        "world_id": UUID,
        "guild_id": UUID,
        "owner": UUID,
        "founded_at": datetime,
    }
    SHARED: ClassVar[frozenset[str]] = frozenset({"personality", "influence_history", "quest", "items"})

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.hero.Created"
        world_id: UUID
        guild_id: UUID
        owner: UUID
        name: str
        personality: dict[str, int]
        backstory: str
        motivation: str
        seed: int
        founded_at: datetime
        ratio: int
        minute: int

    class Decided(Aggregate.Event):
        """The hero chose what to do next (a ``hero_decisions`` row)."""

        TOPIC: ClassVar[str] = "lorekeeper.hero.Decided"
        world_id: UUID
        decision: int  # the hero's decisions are numbered from 1
        minute: int
        real_time: datetime
        context: dict[str, Any]
        options: list[dict[str, Any]]
        chosen_option: str
        reasoning: str
        personality_factors: dict[str, float]
        ends_minute: int | None  # None: waiting for the master
        ends_at: datetime | None  # the real time it ends (the hero's timer)
        location: str

        def apply(self, hero: Hero) -> None:
            hero.decisions = self.decision
            hero.current_action = self.chosen_option
            hero.action_started = self.minute
            hero.action_ends = self.ends_minute
            hero.location = self.location
            hero.last_decision_minute = self.minute
            if self.chosen_option == "quest":
                hero.quest = {**hero.quest, "started": self.minute} if hero.quest else None
            hero.order = None if self.context.get("ordered") else hero.order

    class ActivityCompleted(Aggregate.Event):
        """The action the hero was doing ended (an ``activity_log`` row), and
        the outcome and satisfaction of the decision that chose it."""

        TOPIC: ClassVar[str] = "lorekeeper.hero.ActivityCompleted"
        world_id: UUID
        decision: int
        activity_type: str
        activity_data: dict[str, Any]
        minute: int
        real_time: datetime
        gold_change: int
        experience_change: int
        items_changed: dict[str, int]
        mood_impact: int
        energy: int
        mood: int
        gold: int
        experience: int
        level: int
        satisfaction: int
        companion_id: UUID | None
        bond_changes: list[dict[str, Any]]

        def apply(self, hero: Hero) -> None:
            hero.energy, hero.mood, hero.gold = self.energy, self.mood, self.gold
            hero.experience, hero.level = self.experience, self.level
            if self.items_changed:
                items = dict(hero.items)
                for name, n in self.items_changed.items():
                    items[name] = items.get(name, 0) + n
                hero.items = items
            if self.activity_type == "quest":
                hero.quest = None

    class Influenced(Aggregate.Event):
        """The master's gesture moved trust, respect and fear (a ``master_influence`` change)."""

        TOPIC: ClassVar[str] = "lorekeeper.hero.Influenced"
        world_id: UUID
        gesture: str
        minute: int
        real_time: datetime
        deltas: dict[str, int]
        trust: int
        respect: int
        fear: int
        mood: int
        gold_change: int
        gold: int
        reason: str

        def apply(self, hero: Hero) -> None:
            hero.trust, hero.respect, hero.fear = self.trust, self.respect, self.fear
            hero.mood, hero.gold = self.mood, self.gold
            entry = {"gesture": self.gesture, "minute": self.minute, "changes": self.deltas, "reason": self.reason}
            hero.influence_history = [*hero.influence_history, entry][-HISTORY_MAX:]
            hero.answer = self.reason
            hero.wake(self.minute)

    class OrderAnswered(Aggregate.Event):
        """The hero obeyed an order (doing it at their next decision) or refused it, and why."""

        TOPIC: ClassVar[str] = "lorekeeper.hero.OrderAnswered"
        world_id: UUID
        order: str
        obeyed: bool
        compliance: float
        roll: float
        reason: str
        minute: int
        real_time: datetime

        def apply(self, hero: Hero) -> None:
            hero.answer = self.reason
            hero.orders += 1
            if self.obeyed:
                hero.order = self.order
            hero.wake(self.minute)

    class QuestAnswered(Aggregate.Event):
        """The hero accepted a quest (starting it at their next decision) or refused it."""

        TOPIC: ClassVar[str] = "lorekeeper.hero.QuestAnswered"
        world_id: UUID
        quest_id: UUID
        accepted: bool
        willingness: float
        roll: float
        reason: str
        minute: int
        real_time: datetime
        quest: dict[str, Any]

        def apply(self, hero: Hero) -> None:
            hero.answer = self.reason
            hero.orders += 1
            if self.accepted:
                hero.quest = self.quest
            hero.wake(self.minute)

    def __init__(
        self,
        world_id: UUID,
        guild_id: UUID,
        owner: UUID,
        name: str,
        personality: dict[str, int],
        backstory: str,
        motivation: str,
        seed: int,
        founded_at: datetime,
        ratio: int,
        minute: int,
    ) -> None:
        self.world_id = world_id
        self.guild_id = guild_id
        self.owner = owner
        self.name = name
        self.personality = personality
        self.backstory = backstory
        self.motivation = motivation
        self.seed = seed
        self.founded_at = founded_at
        self.ratio = ratio
        self.current_action = "arriving"
        self.action_started = minute
        self.action_ends: int | None = minute  # the first decision is due on arrival
        self.location = "guild_hall"
        self.energy, self.mood, self.gold = 100, 60, 0
        self.level, self.experience = 1, 0
        self.items: dict[str, int] = {}
        self.trust, self.respect, self.fear = 50, 50, 0
        self.influence_history: list[dict[str, Any]] = []
        self.decisions = 0
        self.attended = 0  # the decision count when the master last attended
        self.orders = 0  # orders and quests answered (numbers their draws)
        self.last_decision_minute: int | None = None
        self.order: str | None = None
        self.quest: dict[str, Any] | None = None
        self.answer: str | None = None  # what the hero said to the master's last command

    @property
    def owner_id(self) -> UUID:
        return self.owner

    @property
    def clock(self) -> GameClock:
        return GameClock(self.founded_at, self.ratio)

    @classmethod
    def recruit(
        cls,
        world_id: UUID,
        guild_id: UUID,
        owner: UUID,
        name: str,
        personality: dict[str, int],
        seed: int,
        clock: GameClock,
        minute: int,
    ) -> Hero:
        name = clean_display_name(name, NAME_MAX)
        return cls(
            world_id=world_id,
            guild_id=guild_id,
            owner=owner,
            name=name,
            personality=personality,
            backstory=backstory(name, personality, seed),
            motivation=motivation(personality),
            seed=seed,
            founded_at=clock.founded_at,
            ratio=clock.ratio,
            minute=minute,
        )

    # -- living ------------------------------------------------------------------

    def due(self, minute: int) -> bool:
        return self.action_ends is not None and self.action_ends <= minute

    def advance(
        self,
        until: int,
        companions: Any,
        effects: Any,
        max_steps: int,
        policy: model.Policy | None = None,
    ) -> int:
        """Live every action that ends by game minute ``until``, at most
        ``max_steps`` of them; how many were lived. ``companions(minute)`` are
        the heroes one could meet then; ``effects(minute)`` the active world
        events' score changes."""
        steps = 0
        while steps < max_steps and self.due(until):
            minute = self.action_ends
            assert minute is not None
            self._complete(minute, companions(minute))
            self._decide(minute, effects(minute), policy or model.Utility())
            steps += 1
        return steps

    def situation(self, effects: dict[str, int]) -> model.Situation:
        return model.Situation(
            self.personality, self.energy, self.mood, self.gold, self.level, self.respect, self.fear, effects
        )

    def _complete(self, minute: int, candidates: list[str]) -> None:
        action = self.current_action
        if action in ("arriving", "wait"):
            return
        draw = model.rng(self.seed, "outcome", self.decisions)
        minutes = minute - self.action_started
        result = model.outcome(action, self.situation({}), minutes, draw, self.quest)
        partner = None
        bonds: list[dict[str, Any]] = []
        if action == "socialize":
            partner = model.companion(draw, candidates)
            if partner is not None:
                bonds = model.bond_changes(self.personality, self.level, draw)
                result["activity_data"]["partners"] = [partner]
        experience = self.experience + result["experience_change"]
        self.trigger_event(
            self.ActivityCompleted,
            world_id=self.world_id,
            decision=self.decisions,
            activity_type=action,
            activity_data=result["activity_data"],
            minute=minute,
            real_time=self.clock.real(minute),
            gold_change=result["gold_change"],
            experience_change=result["experience_change"],
            items_changed=result["items_changed"],
            mood_impact=result["mood_impact"],
            energy=_clamp(self.energy + result["energy_change"]),
            mood=_clamp(self.mood + result["mood_impact"]),
            gold=self.gold + result["gold_change"],
            experience=experience,
            level=model.level_for(experience),
            satisfaction=model.satisfaction(action, self.personality, result["mood_impact"]),
            companion_id=partner,
            bond_changes=bonds,
        )

    def _decide(self, minute: int, effects: dict[str, int], policy: model.Policy) -> None:
        number = self.decisions + 1
        s = self.situation(effects)
        scored = model.options(s, model.rng(self.seed, "noise", number))
        context: dict[str, Any] = {
            "energy": self.energy,
            "mood": self.mood,
            "gold": self.gold,
            "level": self.level,
            "influence": {"trust": self.trust, "respect": self.respect, "fear": self.fear},
            "world_effects": effects,
        }
        chosen: dict[str, Any]
        if self.decisions - self.attended >= UNATTENDED_MAX:
            chosen = {"action": "wait", "score": 0, "by_trait": {}}
            reason = (
                f"{self.name} has heard nothing from the master in {UNATTENDED_MAX} decisions "
                "and waits at the guild hall."
            )
            ends = None
        elif self.quest is not None:
            chosen = {"action": "quest", "score": 0, "by_trait": {}}
            reason = f"{self.name} sets out on the quest they accepted ({self.quest['title']})."
            context["quest"] = self.quest
            ends = minute + int(self.quest["duration_minutes"])
        elif self.order is not None and (self.order == "rest" or self.energy >= model.EXHAUSTED):
            chosen = next(o for o in scored if o["action"] == self.order)
            reason = f"{self.name} does as the master ordered: {self.order}."
            context["ordered"] = self.order
            ends = minute + model.ACTIONS[self.order][0]
        else:
            chosen = policy.choose(scored)
            reason = model.reasoning(self.name, chosen, scored)
            ends = minute + model.ACTIONS[chosen["action"]][0]
        if self.order is not None and "ordered" not in context and chosen["action"] != "wait":
            context["ordered"] = self.order  # an order put off by a quest or exhaustion is forgotten
            reason += f" The order to {self.order} is put aside."
        self.trigger_event(
            self.Decided,
            world_id=self.world_id,
            decision=number,
            minute=minute,
            real_time=self.clock.real(minute),
            context=context,
            # Each option's parts; the per-trait split of the chosen one only (personality_factors).
            options=[{k: v for k, v in o.items() if k != "by_trait"} for o in scored],
            chosen_option=chosen["action"],
            reasoning=reason,
            personality_factors=dict(chosen.get("by_trait", {})),
            ends_minute=ends,
            ends_at=None if ends is None else self.clock.real(ends),
            location=model.LOCATIONS[chosen["action"]],
        )

    def wake(self, minute: int) -> None:
        """The master attended: a waiting hero decides again at ``minute``."""
        self.attended = self.decisions
        if self.current_action == "wait":
            self.action_ends = minute

    # -- the master's commands ----------------------------------------------------------

    def _gesture(self, gesture: str, minute: int, changes: dict[str, int], gold: int, reason: str) -> None:
        self.trigger_event(
            self.Influenced,
            world_id=self.world_id,
            gesture=gesture,
            minute=minute,
            real_time=self.clock.real(minute),
            deltas=changes,
            trust=_clamp(self.trust + changes.get("trust", 0)),
            respect=_clamp(self.respect + changes.get("respect", 0)),
            fear=_clamp(self.fear + changes.get("fear", 0)),
            mood=_clamp(self.mood + changes.get("mood", 0)),
            gold_change=gold,
            gold=self.gold + gold,
            reason=reason,
        )

    @staticmethod
    def check_command(gesture: str | None = None, amount: int | None = None, order: str | None = None) -> None:
        """Refuse a malformed command before anything is lived or written."""
        if gesture is not None and gesture not in GESTURES:
            raise InvalidHero(f"{gesture!r} is not a gesture", gestures=sorted(GESTURES))
        if amount is not None and (
            isinstance(amount, bool) or not isinstance(amount, int) or not 1 <= amount <= GIFT_MAX
        ):
            raise InvalidHero(f"a gift is 1..{GIFT_MAX} gold")
        if order is not None and order not in ORDERS:
            raise InvalidHero(f"{order!r} is not an order a hero knows", orders=list(ORDERS))

    def influence(self, gesture: str, minute: int, reason: str) -> None:
        self.check_command(gesture=gesture)
        self._gesture(gesture, minute, GESTURES[gesture], 0, reason)

    def gift(self, amount: int, minute: int, reason: str) -> None:
        self.check_command(amount=amount)
        greed = self.personality["greed"]
        changes = {
            "trust": min(10, 1 + amount // 20) + greed // 25,
            "respect": 1,
            "mood": min(15, amount // 10 + greed // 20),
        }
        self._gesture("gift", minute, changes, amount, reason)

    def answer_order(self, order: str, minute: int) -> bool:
        self.check_command(order=order)
        if self.quest is not None:
            raise HeroBusy(f"{self.name} is committed to a quest", quest_id=self.quest["quest_id"])
        score = model.compliance(self.trust, self.respect, self.fear, self.personality["loyalty"])
        roll = round(model.rng(self.seed, "order", self.orders).uniform(-15, 15), 2)
        if order != "rest" and self.energy < model.EXHAUSTED:
            obeyed, reason = False, f"{self.name} is too exhausted to {order}."
        elif score + roll >= 50:
            obeyed, reason = True, f"{self.name} will {order} next (readiness {score:.0f}{roll:+.0f})."
        else:
            weakest = min(
                (("trust", self.trust), ("respect", self.respect), ("loyalty", self.personality["loyalty"])),
                key=lambda kv: kv[1],
            )
            obeyed = False
            reason = (
                f"{self.name} refuses to {order}: too little {weakest[0]} ({weakest[1]}); "
                f"readiness {score:.0f}{roll:+.0f} < 50."
            )
        self.trigger_event(
            self.OrderAnswered,
            world_id=self.world_id,
            order=order,
            obeyed=obeyed,
            compliance=round(score, 2),
            roll=roll,
            reason=reason,
            minute=minute,
            real_time=self.clock.real(minute),
        )
        return obeyed

    def answer_quest(self, quest: dict[str, Any], minute: int) -> bool:
        """Accept or refuse ``quest`` (its id, title, difficulty, duration, rewards, party size)."""
        if self.quest is not None:
            raise HeroBusy(f"{self.name} is already committed to a quest", quest_id=self.quest["quest_id"])
        score = model.willingness(self.personality, self.trust, self.level, quest["difficulty"])
        roll = round(model.rng(self.seed, "quest", self.orders).uniform(-15, 15), 2)
        accepted = score + roll >= 40
        reason = (
            f"{self.name} accepts {quest['title']!r} (willingness {score:.0f}{roll:+.0f})."
            if accepted
            else f"{self.name} turns down {quest['title']!r}: difficulty {quest['difficulty']} at level {self.level} "
            f"(willingness {score:.0f}{roll:+.0f} < 40)."
        )
        self.trigger_event(
            self.QuestAnswered,
            world_id=self.world_id,
            quest_id=UUID(quest["quest_id"]),
            accepted=accepted,
            willingness=round(score, 2),
            roll=roll,
            reason=reason,
            minute=minute,
            real_time=self.clock.real(minute),
            quest=quest,
        )
        return accepted
