"""The tycoon context's use cases: a player's worlds, heroes, gestures,
orders, quests and world events, and the heroes' own turns (the timer's
handler and the lazy catch-up).

Every command on a hero first lives the hero's time up to now (``_lived``),
so that a command lands on the hero as they are at that game minute,
whether or not a timer fired meanwhile. What the hero's time did to others
is written in the same write: the bonds of those they met, the quests they
set out on or came back from, and the guild's share of the gold.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from domain.kernel.aggregate import Aggregate
from domain.kernel.clock import now as wall_clock
from domain.kernel.errors import NotFound
from domain.kernel.store import Lorekeeper, Written
from domain.tycoon import personality as traits
from domain.tycoon.bonds import HeroBond, bond_id
from domain.tycoon.clock import DEFAULT_RATIO
from domain.tycoon.heroes import Hero
from domain.tycoon.quests import GUILD_SHARE, Quest
from domain.tycoon.turns import effects_at
from domain.tycoon.worlds import (
    RECRUIT_COST,
    WORLDS_PER_PLAYER,
    Guild,
    TycoonWorld,
    WorldLimit,
    guild_id,
)

BATCH = 100  # decisions lived per write: the offline cap's worth (a save holds at most 500 events)


class TycoonUseCases:
    def __init__(self, store: Lorekeeper, settings: Any = None) -> None:
        self.store = store
        self.now: Callable[[], datetime] = wall_clock  # a test seam
        self.seeds: Callable[[], int] = lambda: random.SystemRandom().randrange(2**62)

    # -- worlds -------------------------------------------------------------------

    def found_world(self, owner: UUID, name: str, seed: int | None, ratio: int | None) -> Written:
        """A world, its guild and the player's holdings of both: one write."""

        def step() -> Written:
            holdings = self.store.holdings(owner)
            if sum(1 for kind in holdings.owned.values() if kind == "TycoonWorld") >= WORLDS_PER_PLAYER:
                raise WorldLimit(f"a player has at most {WORLDS_PER_PLAYER} tycoon worlds", limit=WORLDS_PER_PLAYER)
            world = TycoonWorld.found(
                owner,
                name,
                self.seeds() if seed is None else seed,
                DEFAULT_RATIO if ratio is None else ratio,
                self.now(),
            )
            guild = Guild.of(world)
            holdings.acquire(world)
            holdings.acquire(guild)
            return Written(world, self.store.write(world, guild, holdings))

        return self.store.change(owner, step)

    def world(self, world_id: UUID, owner: UUID | None = None) -> TycoonWorld:
        return self.store.load(TycoonWorld, world_id, actor_id=owner)

    def guild(self, world_id: UUID) -> Guild:
        return self.store.load(Guild, guild_id(world_id))

    def announce(
        self, owner: UUID, world_id: UUID, event_type: str, description: str, starts_in: int, minutes: int
    ) -> Written:
        """A world event starting ``starts_in`` game minutes from now (at least
        the next minute, so no hero has already decided past its start)."""

        def decide(world: TycoonWorld) -> None:
            start = world.clock.minute(self.now()) + max(1, starts_in)
            world.announce(event_type, description, start, minutes, uuid4())

        return self.store.command(TycoonWorld, world_id, decide, None, owner)

    # -- heroes -------------------------------------------------------------------

    def recruit(
        self, owner: UUID, world_id: UUID, name: str, personality: dict[str, int] | None, seed: int | None
    ) -> Written:
        """A hero joins the world's guild for ``RECRUIT_COST`` gold: one write."""
        world = self.world(world_id, owner)
        checked = traits.checked(personality) if personality is not None else None

        def step() -> Written:
            guild = self.guild(world_id)
            hero_seed = self.seeds() if seed is None else seed
            minute = world.clock.minute(self.now())
            character = checked or traits.rolled(random.Random(hero_seed))
            hero = Hero.recruit(world_id, guild.id, owner, name, character, hero_seed, world.clock, minute)
            guild.spend(RECRUIT_COST, f"recruited {hero.name}")
            guild.enrol(hero.id, minute)
            holdings = self.store.holdings(owner)
            holdings.acquire(hero)
            return Written(hero, self.store.write(hero, guild, holdings))

        return self.store.change(guild_id(world_id), step)

    def hero(self, hero_id: UUID, owner: UUID | None = None) -> Hero:
        return self.store.load(Hero, hero_id, actor_id=owner)

    def live(self, hero_id: UUID, until: datetime | None = None) -> Written:
        """Live the hero's time up to ``until`` (now), in writes of at most
        ``BATCH`` decisions: the timer's handler and the lazy catch-up."""
        until = until or self.now()
        written = Written(self.hero(hero_id), None)
        while True:
            step = self.store.change(hero_id, lambda: self._lived(hero_id, until, lambda _: None))
            if step.position is None:
                return written
            written = step
            hero = step.aggregate
            assert isinstance(hero, Hero)
            if not hero.due(hero.clock.minute(until)):
                return written  # lived up to ``until``: no write to try

    def catch_up(self, owner: UUID, world_id: UUID) -> int | None:
        """Every hero of the player's world lived up to now; the last position written."""
        self.world(world_id, owner)
        until = self.now()
        position = None
        for hero_id in sorted(self.guild(world_id).members):
            position = self.live(UUID(hero_id), until).position or position
        return position

    def visit(self, owner: UUID, world_id: UUID) -> tuple[Written, datetime]:
        """The player is back: every hero lived up to now, the visit recorded;
        the world and when the previous visit was (the report's start)."""
        self.catch_up(owner, world_id)  # checks the world is the player's
        since: list[datetime] = []
        written = self.store.command(TycoonWorld, world_id, lambda world: since.append(world.visit(self.now())))
        return written, since[-1]

    def hero_turn(self, hero_id: UUID, due: datetime) -> Written | None:
        """The hero's turn (a timer, or the lorekeeper-ai group): their action
        ended at ``due``; live up to then. Taken again, it writes nothing."""
        try:
            return self.live(hero_id, due)
        except NotFound:
            return None

    def _lived(self, hero_id: UUID, until: datetime, command: Callable[[Hero], None]) -> Written:
        """One write: the hero lived up to ``until`` (one batch), ``command``
        applied there, then lived on (a woken hero decides at once), with what
        it did to bonds, quests and the guild."""
        hero = self.hero(hero_id)
        world = self.world(hero.world_id)
        guild = self.guild(hero.world_id)
        minute = world.clock.minute(until)
        effects = effects_at(world)
        lived = hero.advance(minute, lambda m: guild.companions(hero_id, m), effects, BATCH)
        if hero.due(minute) and lived == BATCH:
            return self._save(hero, guild)  # more to live first: the caller writes again
        command(hero)
        hero.advance(minute, lambda m: guild.companions(hero_id, m), effects, BATCH)
        return self._save(hero, guild)

    def _save(self, hero: Hero, guild: Guild) -> Written:
        others: dict[UUID, Aggregate] = {}
        self._consequences(hero, guild, others)
        if not hero.pending_events:
            return Written(hero, None)
        return Written(hero, self.store.write(hero, *others.values()))

    def _consequences(self, hero: Hero, guild: Guild, others: dict[UUID, Aggregate]) -> None:
        """What the hero's pending events do to others (into ``others``, the guild last)."""
        for event in hero.pending_events:
            if isinstance(event, Hero.ActivityCompleted):
                self._effects(hero, event, guild, others)
            elif isinstance(event, Hero.Decided) and event.chosen_option == "quest" and event.context.get("quest"):
                quest = self._quest(UUID(event.context["quest"]["quest_id"]), others)
                quest.start(hero.id, event.real_time)
        if guild.pending_events:
            others[guild.id] = guild

    def _quest(self, quest_id: UUID, others: dict[UUID, Aggregate]) -> Quest:
        if quest_id not in others:
            others[quest_id] = self.store.load(Quest, quest_id)
        quest = others[quest_id]
        assert isinstance(quest, Quest)
        return quest

    def _effects(self, hero: Hero, event: Hero.ActivityCompleted, guild: Guild, others: dict[UUID, Aggregate]) -> None:
        if event.companion_id is not None:
            key = bond_id(hero.id, event.companion_id)
            if key not in others:
                try:
                    others[key] = self.store.load(HeroBond, key)
                except NotFound:
                    others[key] = HeroBond.between(hero.id, event.companion_id, hero.world_id)
            bond = others[key]
            assert isinstance(bond, HeroBond)
            for change in event.bond_changes:
                bond.change(hero.id, change["relationship_type"], change["delta"], event.real_time, event.minute, "met")
        if event.activity_type == "quest" and "quest_id" in event.activity_data:
            success = bool(event.activity_data.get("success"))
            quest = self._quest(UUID(event.activity_data["quest_id"]), others)
            outcome = {
                "success": success,
                "gold": event.gold_change,
                "experience": event.experience_change,
                "items": event.items_changed,
                "injury": event.activity_data.get("injury", 0),
            }
            quest.finish(hero.id, success, outcome, event.real_time)
            if success:
                guild.credit(int(event.gold_change * GUILD_SHARE), 1 + quest.difficulty, f"quest {quest.title}")

    # -- the master's commands --------------------------------------------------------

    def _command(self, owner: UUID, hero_id: UUID, command: Callable[[Hero, int], None]) -> Written:
        hero = self.hero(hero_id, owner)  # ownership first (it never changes): nobody lives another's hero
        now = self.now()
        self.live(hero_id, now)
        minute = hero.clock.minute(now)
        return self.store.change(hero_id, lambda: self._lived(hero_id, now, lambda h: command(h, minute)))

    def influence(self, owner: UUID, hero_id: UUID, gesture: str, reason: str) -> Written:
        Hero.check_command(gesture=gesture)
        return self._command(owner, hero_id, lambda hero, minute: hero.influence(gesture, minute, reason))

    def order(self, owner: UUID, hero_id: UUID, order: str) -> Written:
        Hero.check_command(order=order)
        return self._command(owner, hero_id, lambda hero, minute: self._answer(hero, order, minute))

    @staticmethod
    def _answer(hero: Hero, order: str, minute: int) -> None:
        hero.answer_order(order, minute)

    def gift(self, owner: UUID, hero_id: UUID, amount: int, reason: str) -> Written:
        """Gold from the guild to the hero: both in one write."""
        Hero.check_command(amount=amount)
        hero = self.hero(hero_id, owner)
        if amount > self.guild(hero.world_id).gold:  # refused before the hero's time is lived
            self.guild(hero.world_id).spend(amount, "")
        now = self.now()
        self.live(hero_id, now)

        def step() -> Written:
            hero = self.hero(hero_id)  # the player's: checked above, and it never changes
            guild = self.guild(hero.world_id)
            guild.spend(amount, f"gift to {hero.name}")
            hero.gift(amount, hero.clock.minute(now), reason)
            return self._save(hero, guild)

        return self.store.change(hero_id, step)

    # -- quests -------------------------------------------------------------------

    def post_quest(
        self,
        owner: UUID,
        world_id: UUID,
        title: str,
        description: str,
        difficulty: int,
        duration_minutes: int,
        rewards: Any,
    ) -> Written:
        self.world(world_id, owner)
        quest = Quest.post(world_id, owner, title, description, difficulty, duration_minutes, rewards)
        return self.store.written(quest)

    def quest(self, quest_id: UUID, owner: UUID | None = None) -> Quest:
        return self.store.load(Quest, quest_id, actor_id=owner)

    def assign(self, owner: UUID, quest_id: UUID, hero_ids: list[UUID]) -> Written:
        """Ask heroes to take the quest: each accepts or refuses; the quest and
        every hero asked in one write."""
        quest = self.quest(quest_id, owner)
        quest.check_assignable(hero_ids)
        heroes = [self.hero(h, owner) for h in hero_ids]
        for hero in heroes:
            if hero.world_id != quest.world_id:
                raise NotFound(f"hero {hero.id} is not in the quest's world", id=str(hero.id))
        now = self.now()
        for hero_id in hero_ids:
            self.live(hero_id, now)

        def step() -> Written:
            current = self.quest(quest_id, owner)
            current.check_assignable(hero_ids)
            party = sum(1 for s in current.assignments.values() if s != "refused") + len(hero_ids)
            guild = self.guild(current.world_id)
            world = self.world(current.world_id)
            minute = world.clock.minute(now)
            touched: list[Hero] = []
            for hero_id in hero_ids:  # each lived up to now above
                hero = self.hero(hero_id, owner)
                accepted = hero.answer_quest(current.terms(party), minute)
                current.assign(hero_id, accepted, hero.pending_events[-1].reason)  # type: ignore[attr-defined]
                hero.advance(minute, lambda m, h=hero_id: guild.companions(h, m), effects_at(world), BATCH)
                touched.append(hero)
            others: dict[UUID, Aggregate] = {current.id: current}
            for hero in touched:
                self._consequences(hero, guild, others)
            return Written(current, self.store.write(*touched, *others.values()))

        return self.store.change(quest_id, step)
