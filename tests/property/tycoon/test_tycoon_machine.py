"""AI Hero Tycoon's use cases under random command sequences (in memory):

- heroes, influence, bonds, quests and the guild keep their bounds: traits,
  trust, respect, fear, energy and mood 0..100, gold never below zero,
  strengths -100..100, decisions numbered 1, 2, 3... with nothing skipped;
- a refused command records nothing;
- a hero is assigned to a quest once, and a quest's status follows its heroes;
- a bond is one aggregate per pair: both heroes see the same strengths;
- every aggregate rebuilt from its events, or from a snapshot, is the stored one;

and the property the issue names: **living a hero's time as it happens
(timers firing at every action's end) and catching up later give the same
history**, for any personality, seed and schedule of the master's commands.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.kernel.errors import DomainError, NotFound
from domain.tycoon import Hero, HeroBond, Quest
from domain.tycoon.bonds import bond_id
from domain.tycoon.personality import TRAITS
from domain.tycoon.worlds import guild_id
from tests.property.support import replay, restore_snapshot
from tests.unit.tycoon.helpers import tycoon

PERSONALITIES = st.fixed_dictionaries({t: st.integers(0, 100) for t in TRAITS})
MINUTES = st.integers(1, 600)  # real seconds between commands (ratio 60: up to ten game hours)


class TycoonMachine(RuleBasedStateMachine):
    @initialize(first=PERSONALITIES, second=PERSONALITIES)
    def found(self, first, second):
        self.game, self.clock, self.player, self.world = tycoon()
        self.heroes = [
            self.game.recruit(self.player, self.world, name, traits, seed).aggregate.id
            for name, traits, seed in (("Ada", first, 1), ("Bob", second, 2))
        ]
        self.quests: list[UUID] = []

    def attempt(self, command) -> None:
        """A refusal writes nothing (once the heroes' time up to now is lived:
        a command lives it first, refused or not, as a timer would have)."""
        for hero_id in self.heroes:
            self.game.live(hero_id)
        before = len(list(self.game.store.recorder.select_notifications(start=1, limit=10**6)))
        try:
            command()
        except DomainError:
            after = len(list(self.game.store.recorder.select_notifications(start=1, limit=10**6)))
            assert after == before, "a refused command wrote events"

    @rule(seconds=MINUTES)
    def time_passes(self, seconds):
        self.clock.forward(seconds=seconds)

    @rule(i=st.integers(0, 1))
    def timer_fires(self, i):
        self.game.hero_turn(self.heroes[i], self.clock())

    @rule(i=st.integers(0, 1), gesture=st.sampled_from(["praise", "reprimand", "sulk"]))
    def gesture(self, i, gesture):
        self.attempt(lambda: self.game.influence(self.player, self.heroes[i], gesture, "because"))

    @rule(i=st.integers(0, 1), amount=st.integers(-5, 1200))
    def gift(self, i, amount):
        self.attempt(lambda: self.game.gift(self.player, self.heroes[i], amount, ""))

    @rule(i=st.integers(0, 1), order=st.sampled_from(["rest", "train", "explore", "work", "socialize", "dance"]))
    def order(self, i, order):
        self.attempt(lambda: self.game.order(self.player, self.heroes[i], order))

    @rule(difficulty=st.integers(0, 11), minutes=st.integers(20, 2000), gold=st.integers(0, 500))
    def post_quest(self, difficulty, minutes, gold):
        def post():
            self.quests.append(
                self.game.post_quest(
                    self.player, self.world, "Quest", "", difficulty, minutes, {"gold": gold, "experience": 40}
                ).aggregate.id
            )

        self.attempt(post)

    @rule(data=st.data())
    def assign(self, data):
        if not self.quests:
            return
        quest = data.draw(st.sampled_from(self.quests))
        party = data.draw(st.lists(st.sampled_from(self.heroes), min_size=1, max_size=2))
        self.attempt(lambda: self.game.assign(self.player, quest, party))

    @rule(kind=st.sampled_from(["festival", "storm", "plague"]), starts=st.integers(0, 600))
    def announce(self, kind, starts):
        self.attempt(lambda: self.game.announce(self.player, self.world, kind, "news", starts, 600))

    # -- invariants ---------------------------------------------------------------

    @invariant()
    def heroes_keep_their_bounds(self):
        if not hasattr(self, "game"):
            return
        for hero_id in self.heroes:
            hero = self.game.hero(hero_id)
            assert all(0 <= hero.personality[t] <= 100 for t in TRAITS)
            assert all(0 <= v <= 100 for v in (hero.trust, hero.respect, hero.fear, hero.energy, hero.mood))
            assert hero.gold >= 0 and hero.level >= 1
            numbers = [e.decision for e in self.game.store.events.get(hero_id) if isinstance(e, Hero.Decided)]
            assert numbers == list(range(1, len(numbers) + 1))
            assert len(hero.influence_history) <= 20
        assert self.game.guild(self.world).gold >= 0

    @invariant()
    def quests_follow_their_heroes(self):
        if not hasattr(self, "game"):
            return
        for quest_id in self.quests:
            quest = self.game.quest(quest_id)
            assigned = [e.hero_id for e in self.game.store.events.get(quest_id) if isinstance(e, Quest.Assigned)]
            assert len(assigned) == len(set(assigned)), "a hero assigned twice"
            states = [s for s in quest.assignments.values() if s != "refused"]
            if states and all(s in ("succeeded", "failed") for s in states):
                assert quest.status == ("completed" if "succeeded" in states else "failed")
            elif states:
                assert quest.status == "in_progress"

    @invariant()
    def a_pair_has_one_bond(self):
        if not hasattr(self, "game"):
            return
        a, b = self.heroes
        try:
            bond = self.game.store.load(HeroBond, bond_id(a, b))
        except NotFound:
            return
        assert bond.id == bond_id(b, a)
        assert all(-100 <= v["strength"] <= 100 for v in bond.bonds.values())

    def teardown(self):
        """Every aggregate, rebuilt from its events and from a snapshot, is the stored one."""
        if not hasattr(self, "game"):
            return
        a, b = self.heroes
        for aggregate_id in (*self.heroes, self.world, guild_id(self.world), bond_id(a, b), *self.quests):
            events = list(self.game.store.events.get(aggregate_id))
            if not events:
                continue
            stored = self.game.store.repository.get(aggregate_id)
            assert replay(events) == stored
            assert restore_snapshot(stored) == stored


TycoonMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=25, deadline=None)
TestTycoon = TycoonMachine.TestCase


# -- live versus catch-up -----------------------------------------------------------

COMMANDS = st.lists(
    st.tuples(
        st.integers(1, 4 * 3600),  # real seconds after the previous command
        st.sampled_from(["praise", "reprimand", "gift", "order:train", "order:rest", "quest", "festival", "nothing"]),
    ),
    max_size=6,
)


def history(game, hero_id) -> list[tuple[str, object]]:
    """The hero's events without when they were written (what lived them may
    differ), ids named by their first appearance (each run draws its own)."""
    names: dict[str, str] = {}

    def canonical(value):
        if isinstance(value, dict):
            return {canonical(k): canonical(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [canonical(v) for v in value]
        text = str(value)
        if isinstance(value, UUID) or (isinstance(value, str) and len(text) == 36 and text.count("-") == 4):
            return names.setdefault(text, f"id{len(names)}")
        return value

    return [
        (type(e).__name__, canonical(e.model_dump(exclude={"timestamp", "originator_id"})))
        for e in game.store.events.get(hero_id)
    ]


def play(traits, seed, schedule, live: bool):
    game, clock, player, world = tycoon(seed=seed)
    hero = game.recruit(player, world, "Ada", traits, seed).aggregate.id
    other = game.recruit(player, world, "Bob", traits, seed + 1).aggregate.id
    for seconds, command in schedule:
        if live:  # the timer fires at every action's end on the way
            target = clock() + timedelta(seconds=seconds)
            while True:
                h = game.hero(hero)
                due = None if h.action_ends is None else h.clock.real(h.action_ends)
                if due is None or due > target:
                    break
                clock.at = max(clock(), due)
                game.hero_turn(hero, due)
            clock.at = target
        else:
            clock.forward(seconds=seconds)
        try:
            if command in ("praise", "reprimand"):
                game.influence(player, hero, command, "")
            elif command == "gift":
                game.gift(player, hero, 10, "")
            elif command.startswith("order:"):
                game.order(player, hero, command.split(":")[1])
            elif command == "quest":
                quest = game.post_quest(player, world, "Quest", "", 2, 300, {"gold": 50}).aggregate.id
                game.assign(player, quest, [hero])
            elif command == "festival":
                game.announce(player, world, "festival", "Midsummer", 30, 600)
        except DomainError:
            pass
    clock.forward(hours=1)
    game.live(hero)
    del other
    return history(game, hero)


@given(traits=PERSONALITIES, seed=st.integers(0, 2**32), schedule=COMMANDS)
@settings(max_examples=40, deadline=None)
def test_living_as_it_happens_and_catching_up_later_give_the_same_history(traits, seed, schedule):
    assert play(traits, seed, schedule, live=True) == play(traits, seed, schedule, live=False)
