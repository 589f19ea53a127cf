"""AI agents through their use cases, under any sequence of quest runs
completed, seasons opened, agents' turns taken (any turn, any number of
times: a redelivery, a timer fired twice), pauses, and rollbacks (cascading
or not, again and again):

- an agent acts at most once per trigger: one entry, and one thing made;
- an active entry's change stands (its quest open, its event not cancelled),
  a rolled-back one's is undone; no active entry depends on a rolled-back one;
- a refused rollback writes nothing;
- and every aggregate rebuilt from its events, or from a snapshot, is the
  one the store holds.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.adventure import AdventureUseCases, Evolution, Quest, WorldEvent
from domain.adventure.evolution import EvolutionHasDependents, EvolutionRolledBack, evolution_id
from domain.adventure.quests import quest_made_by
from domain.adventure.world_events import event_made_by
from domain.kernel.errors import DomainError, NotFound
from tests.property.support import replay, restore_snapshot
from tests.unit.adventure.helpers import store

LOGS = [{"objective_text": "Logs", "requirements": {"kind": "gather", "item_name": "log", "count": 1}}]


class AgentMachine(RuleBasedStateMachine):
    @initialize(max_chain=st.integers(1, 4))
    def open(self, max_chain):
        self.game = AdventureUseCases(store())
        self.world = self.game.create_world("Eldoria", "standard", 7, {}, {}).aggregate.id
        self.player = uuid4()
        self.characters = [
            self.game.create_character(self.player, self.world, f"Hero {n}", "artisan", {}, (8, 70, 8)).aggregate.id
            for n in range(2)
        ]
        self.agents = [
            self.game.agents.register("Quill", "quest_generator", {"max_chain": max_chain}).aggregate.id,
            self.game.agents.register("Herald", "event_coordinator", {}).aggregate.id,
        ]
        self.quests = [self.game.quests.create_quest(self.world, "Timber", "", "side", {}, {}, 1, LOGS).aggregate.id]
        self.runs: list[UUID] = []
        self.seasons: list[UUID] = []
        self.now = datetime.now(UTC)

    def head(self) -> int:
        return self.game.store.recorder.max_notification_id() or 0

    def entries(self) -> list[Evolution]:
        found = []
        for run in self.runs:
            quest = self.game.quests.quest(self.game.quests.run(run).quest_id)
            found += self._entry(self.agents[0], f"quest:{quest.id}")
        for season in self.seasons:
            happening = self.game.seasons.event(season)
            found += self._entry(self.agents[1], f"season:{season}:{happening.start_time.isoformat()}")
        return list({e.id: e for e in found}.values())

    def _entry(self, agent: UUID, key: str) -> list[Evolution]:
        try:
            return [self.game.agents.entry(evolution_id(agent, key))]
        except NotFound:
            return []

    @rule(i=st.integers(0, 1), pick=st.integers(0, 20))
    def complete_a_run(self, i, pick):
        quest = self.quests[pick % len(self.quests)]
        character = self.characters[i]
        if not self.game.quests.quest(quest).is_active:
            return
        try:
            run = self.game.quests.begin(self.player, character, quest).aggregate.id
        except DomainError:
            return
        self.game.give_items(character, "material", "log", 10, None, "gather")
        self.game.quests.advance(character, self.now)
        self.runs.append(run)

    @rule(pick=st.integers(0, 20), times=st.integers(1, 3))
    def quest_generator_turn(self, pick, times):
        if not self.runs:
            return
        run = self.runs[pick % len(self.runs)]
        for _ in range(times):
            for written in self.game.agents.quest_completed(run, self.now):
                if isinstance(written.aggregate, Evolution):
                    event("a sequel" if not written.aggregate.depends_on else "a sequel of a sequel")
                    made = UUID(written.aggregate.changes_made["quest_id"])
                    if made not in self.quests:
                        self.quests.append(made)

    @rule(i=st.integers(0, 1))
    def play_the_newest_quest_and_take_the_turn(self, i):
        """A chain: the latest sequel played at once (what makes entries depend on entries)."""
        runs = len(self.runs)
        self.complete_a_run(i, len(self.quests) - 1)
        if len(self.runs) > runs:
            self.quest_generator_turn(len(self.runs) - 1, 1)

    @rule(hours=st.integers(1, 12))
    def a_season_opens(self, hours):
        season = self.game.seasons.schedule(
            self.world, "season", "Spring", "", {}, self.now, self.now + timedelta(hours=hours)
        ).aggregate.id
        self.game.seasons.start(season, self.now)
        self.seasons.append(season)

    @rule(pick=st.integers(0, 20), times=st.integers(1, 3))
    def event_coordinator_turn(self, pick, times):
        if self.seasons:
            for _ in range(times):
                self.game.agents.season_began(self.seasons[pick % len(self.seasons)], self.now)

    @rule(which=st.integers(0, 1), active=st.booleans())
    def pause_or_resume(self, which, active):
        self.game.agents.configure(self.agents[which], None, active)

    @rule(pick=st.integers(0, 20), cascade=st.booleans())
    def roll_back(self, pick, cascade):
        entries = self.entries()
        if not entries:
            return
        entry = entries[pick % len(entries)]
        before = self.head()
        try:
            undone = self.game.agents.roll_back(entry.id, cascade)
        except (EvolutionHasDependents, EvolutionRolledBack) as refused:
            assert self.head() == before, "a refused rollback wrote"
            event(f"refused: {type(refused).__name__}")
            return
        assert undone[-1] == entry.id
        event(f"rolled back {len(undone)}")

    @invariant()
    def one_entry_per_trigger_and_changes_stand_or_are_undone(self):
        if not hasattr(self, "game"):
            return
        for entry in self.entries():
            made = entry.changes_made
            if made["kind"] == "quest_posted":
                quest = self.game.store.load(Quest, UUID(made["quest_id"]))
                assert quest.id == quest_made_by(entry.id) and quest.origin == entry.id
                assert quest.is_active == entry.is_active
            else:
                happening = self.game.store.load(WorldEvent, UUID(made["event_id"]))
                assert happening.id == event_made_by(entry.id)
                assert (happening.status == "cancelled") == (not entry.is_active)
            if not entry.is_active:
                for dependent in entry.dependents:
                    assert not self.game.agents.entry(UUID(dependent)).is_active

    def teardown(self):
        if not hasattr(self, "game"):
            return
        ids = [*self.agents, *self.quests, *self.seasons, *(e.id for e in self.entries())]
        for aggregate_id in ids:
            stored = self.game.store.repository.get(aggregate_id)
            assert replay(list(self.game.store.events.get(aggregate_id))) == stored
            assert restore_snapshot(stored) == stored


AgentMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
TestAgents = AgentMachine.TestCase
