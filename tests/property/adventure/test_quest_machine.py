"""Quests through their use cases, under any sequence of beginnings and
joinings by three characters, loot, crafts (any rolls), experience, building,
abandoning, and the progress timer firing for any character, any number of
times (a timer fired twice, a redelivery):

- objectives are done in order: every objective before the one under way is
  full, none after it has anything, none is past its target;
- counting is exactly once: a member's counted version only moves forward,
  and firing the timer again at once records nothing;
- a completed run rewarded every member once (the reward item counts the
  runs each completed), and a character leaves every run that ended;
- a refused command writes nothing;
- and every aggregate rebuilt from its events, or from a snapshot, is the
  one the store holds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.adventure import AdventureUseCases, QuestProgress
from domain.adventure.quest_runs import COMPLETED, progress_id
from domain.kernel.errors import DomainError, NotFound
from tests.property.support import replay, restore_snapshot
from tests.unit.adventure.helpers import PLANKS, store

OBJECTIVES = st.lists(
    st.sampled_from(
        [
            {"objective_text": "Logs", "requirements": {"kind": "gather", "item_name": "log", "count": 4}},
            {"objective_text": "Planks", "requirements": {"kind": "craft", "recipe_name": "Planks", "count": 2}},
            {"objective_text": "Build", "requirements": {"kind": "build", "count": 3}},
            {"objective_text": "Grow", "requirements": {"kind": "reach_level", "level": 2}},
            {
                "objective_text": "Logs, once holding a stick",
                "requirements": {"kind": "gather", "item_name": "log", "count": 2, "unlock": {"items": ["stick"]}},
            },
        ]
    ),
    min_size=1,
    max_size=4,
)
MEDAL = {"experience": 10, "items": [{"item_type": "trinket", "item_name": "medal", "quantity": 1}]}


class QuestMachine(RuleBasedStateMachine):
    @initialize(objectives=OBJECTIVES, difficulty=st.integers(1, 3))
    def open(self, objectives, difficulty):
        self.game = AdventureUseCases(store())
        self.world = self.game.create_world("Eldoria", "standard", 7, {}, {}).aggregate.id
        self.game.create_recipe(**PLANKS)
        self.players = [uuid4(), uuid4(), uuid4()]
        self.characters = [
            self.game.create_character(p, self.world, f"Hero {n}", "artisan", {}, (8, 70, 8)).aggregate.id
            for n, p in enumerate(self.players)
        ]
        self.quest = self.game.quests.create_quest(
            self.world, "The Mill", "", "party", {}, MEDAL, difficulty, objectives, party_max=2
        ).aggregate
        self.runs: set[UUID] = set()
        self.completed: dict[UUID, int] = dict.fromkeys(self.characters, 0)  # runs each completed
        self.seen: dict[tuple[UUID, str], int] = {}

    def head(self) -> int:
        return self.game.store.recorder.max_notification_id() or 0

    def attempt(self, command) -> bool:
        before = self.head()
        try:
            command()
        except DomainError as refused:
            assert self.head() == before, "a refused command wrote"
            event(f"refused: {type(refused).__name__}")
            return False
        return True

    @rule(i=st.integers(0, 2))
    def begin(self, i):
        c = self.characters[i]
        if self.attempt(lambda: self.game.quests.begin(self.players[i], c, self.quest.id)):
            self.runs.add(progress_id(self.quest.id, c))

    @rule(i=st.integers(0, 2), j=st.integers(0, 2))
    def join(self, i, j):
        party = progress_id(self.quest.id, self.characters[j])
        self.attempt(lambda: self.game.quests.join(self.players[i], self.characters[i], self.quest.id, party))

    @rule(i=st.integers(0, 2), name=st.sampled_from(["log", "stick"]), quantity=st.integers(1, 3))
    def loot(self, i, name, quantity):
        self.attempt(lambda: self.game.give_items(self.characters[i], "material", name, quantity, None, "gather"))

    @rule(i=st.integers(0, 2), roll=st.floats(0, 0.999))
    def craft(self, i, roll):
        self.game.roll = lambda: roll
        self.attempt(lambda: self.game.craft(self.players[i], self.characters[i], "Planks"))

    @rule(i=st.integers(0, 2), blocks=st.integers(1, 3))
    def build(self, i, blocks):
        changes = {f"{n},1,1": {"type": "brick"} for n in range(blocks)}
        c = self.characters[i]
        self.attempt(lambda: self.game.building.edit_chunk(self.players[i], self.world, (i, 4, 0), changes, None, c))

    @rule(i=st.integers(0, 2), amount=st.integers(50, 200))
    def experience(self, i, amount):
        self.attempt(lambda: self.game.grant_experience(self.characters[i], amount, "quest"))

    @rule(i=st.integers(0, 2))
    def abandon(self, i):
        self.attempt(lambda: self.game.quests.abandon(self.players[i], self.characters[i], self.quest.id))

    @rule(i=st.integers(0, 2), times=st.integers(1, 2))
    def advance(self, i, times):
        c = self.characters[i]
        members = {r: self.run(r).members for r in self.runs if self.run(r).status == "active"}
        in_runs = [r for r, m in members.items() if str(c) in m]
        self.game.quests.advance(c, datetime.now(UTC))
        for r in in_runs:
            if self.run(r).status == COMPLETED:
                for member in members[r]:
                    self.completed[UUID(member)] += 1
                event("a run completed")
        head = self.head()
        for _ in range(times - 1):
            self.game.quests.advance(c, datetime.now(UTC))
            assert self.head() == head, "counting again recorded something"

    def run(self, run_id: UUID) -> QuestProgress:
        return self.game.quests.run(run_id)

    @invariant()
    def objectives_are_done_in_order_and_counted_once(self):
        if not hasattr(self, "game"):
            return
        for run_id in self.runs:
            run = self.run(run_id)
            assert 0 <= run.current <= len(run.targets)
            for k, (count, target) in enumerate(zip(run.counts, run.targets, strict=True)):
                assert 0 <= count <= target
                if k < run.current:
                    assert count == target
                elif k > run.current:
                    assert count == 0
            for member, seen in run.members.items():
                assert seen >= self.seen.get((run_id, member), 0), "a member's counted version went back"
                self.seen[(run_id, member)] = seen

    @invariant()
    def rewards_once_and_ended_runs_left(self):
        if not hasattr(self, "game"):
            return
        for c in self.characters:
            character = self.game.character(c)
            medals = sum(s["quantity"] for s in character.inventory.values() if s["item_name"] == "medal")
            assert medals == self.completed[c]
            for quest_id, run_id in character.quests.items():
                run = self.run(UUID(run_id))
                assert run.status == "active" and str(c) in run.members and quest_id == str(self.quest.id)

    def teardown(self):
        if not hasattr(self, "game"):
            return
        for aggregate_id in (*self.characters, *self.runs, self.quest.id):
            try:
                stored = self.game.store.repository.get(aggregate_id)
            except NotFound:
                continue
            assert replay(list(self.game.store.events.get(aggregate_id))) == stored
            assert restore_snapshot(stored) == stored


QuestMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
TestQuests = QuestMachine.TestCase
