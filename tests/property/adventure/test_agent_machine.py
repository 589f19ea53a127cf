"""AI agents of every type through their use cases, under any sequence of
quest runs completed, seasons opened, stories walked to their endings,
relationships souring, crowds and stockpiles growing, agents' turns and
surveys taken (any turn, any number of times: a redelivery, a timer fired
twice), pauses, and rollbacks (cascading or not, again and again):

- an agent acts at most once per trigger: one entry, and one thing made;
- an active entry's change stands (its quest open, its event not cancelled,
  its story open, its flags the world's unless a change built on them moved
  them on), a rolled-back one's is undone; no active entry depends on a
  rolled-back one;
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

from domain.adventure import AdventureUseCases, Evolution, Quest, Story, WorldEvent
from domain.adventure.evolution import EvolutionHasDependents, EvolutionRolledBack, evolution_id
from domain.adventure.quests import quest_made_by
from domain.adventure.relationships import relationship_id
from domain.adventure.stories import story_made_by
from domain.adventure.surveyors import survey_key
from domain.adventure.world_events import event_made_by
from domain.kernel.errors import DomainError, NotFound
from tests.property.support import replay, restore_snapshot
from tests.unit.adventure.helpers import store
from tests.unit.adventure.test_agent_kinds_in_detail import Census, crowd, held

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
        register = self.game.agents.register
        self.agents = [
            register("Quill", "quest_generator", {"max_chain": max_chain}).aggregate.id,
            register("Herald", "event_coordinator", {}).aggregate.id,
            register("Weaver", "story_weaver", {"max_chain": max_chain}).aggregate.id,
            register("Warden", "character_master", {}).aggregate.id,
            register("Mason", "world_builder", {"crowd": 2}).aggregate.id,
            register("Scales", "balance_keeper", {"min_total": 1, "ratio": 2}).aggregate.id,
        ]
        self.quests = [self.game.quests.create_quest(self.world, "Timber", "", "side", {}, {}, 1, LOGS).aggregate.id]
        root, leaf = uuid4(), uuid4()
        tale = [
            {"branch_id": str(root), "branch_name": "Go down", "content": ""},
            {"branch_id": str(leaf), "parent_branch_id": str(root), "branch_name": "Drink", "content": ""},
        ]
        self.stories = [self.game.stories.create_story(self.world, "Well", "", "side", {}, tale).aggregate.id]
        self.runs: list[UUID] = []
        self.seasons: list[UUID] = []
        self.turns: list[tuple[UUID, str]] = []  # (agent, trigger key) of every turn taken but the two above
        self.census = self.game.agents.census = Census(self.world)
        self.now = datetime.now(UTC)
        self.due = self.now

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
        for agent, key in self.turns:
            found += self._entry(agent, key)
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

    @rule(i=st.integers(0, 1), pick=st.integers(0, 20), times=st.integers(1, 3))
    def walk_a_story_and_take_the_weavers_turn(self, i, pick, times):
        story = self.game.stories.story(self.stories[pick % len(self.stories)])
        character = self.game.character(self.characters[i])
        for branch in story.next_choices(character.stories.get(str(story.id), [])):
            try:
                self.game.stories.choose(self.player, character.id, story.id, UUID(branch))
                break
            except DomainError:
                continue
        for _ in range(times):
            for written in self.game.agents.branch_chosen(character.id, self.now):
                if isinstance(written.aggregate, Evolution) and written.position is not None:
                    event("a sequel story")
                    self.stories.append(UUID(written.aggregate.changes_made["story_id"]))
        for key in character.stories:
            self.turns.append((self.agents[2], f"story_end:{key}"))

    @rule(mood=st.integers(0, 3), times=st.integers(1, 3))
    def fall_out_or_make_up_and_take_the_masters_turn(self, mood, times):
        kind, delta = ("attack", -25) if mood else ("help", 25)  # mostly falling out
        self.game.interact(self.player, self.characters[0], self.characters[1], kind, delta)
        self.due += timedelta(seconds=1)  # a turning's time: its own trigger
        pair = relationship_id(*self.characters)
        for _ in range(times):
            for written in self.game.agents.relationship_soured(pair, self.due):
                if isinstance(written.aggregate, Evolution) and written.position is not None:
                    event("a reconciliation quest")
        self.turns.append((self.agents[3], f"hostile:{pair}:{self.due.isoformat()}"))

    @rule(
        which=st.integers(4, 5),
        crowded=st.integers(0, 12),
        stock=st.lists(st.integers(1, 50), max_size=3),
        times=st.integers(1, 3),
    )
    def survey(self, which, crowded, stock, times):
        self.census.seen_crowds = [crowd(0, 0, crowded), crowd(1, 1, crowded // 2)]
        self.census.seen_products = [held(f"R{n}", "smithing", q) for n, q in enumerate(sorted(stock, reverse=True))]
        self.due = max(self.due, self.game.agents.agent(self.agents[which]).next_survey or self.due)
        for _ in range(times):  # the same survey, again: found, not made again
            for written in self.game.agents.survey(self.agents[which], self.due):
                if isinstance(written.aggregate, Evolution) and written.position is not None:
                    made = written.aggregate
                    event(f"{made.evolution_type}{' (built on another)' if made.depends_on else ''}")
        self.turns.append((self.agents[which], survey_key(self.world, self.due)))

    @rule(which=st.integers(0, 5), active=st.booleans())
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
        world = self.game.world(self.world)
        entries = {e.id: e for e in self.entries()}
        for entry in entries.values():
            made = entry.changes_made
            if made["kind"] == "quest_posted":
                quest = self.game.store.load(Quest, UUID(made["quest_id"]))
                assert quest.id == quest_made_by(entry.id) and quest.origin == entry.id
                assert quest.is_active == entry.is_active
            elif made["kind"] == "event_scheduled":
                happening = self.game.store.load(WorldEvent, UUID(made["event_id"]))
                assert happening.id == event_made_by(entry.id)
                assert (happening.status == "cancelled") == (not entry.is_active)
            elif made["kind"] == "story_written":
                story = self.game.store.load(Story, UUID(made["story_id"]))
                assert story.id == story_made_by(entry.id) and story.is_active == entry.is_active
            else:
                for name, value in made["flags"].items():
                    if not entry.is_active:
                        assert world.flag_origins.get(name) != str(entry.id), "a rolled-back change's flag stands"
                    elif world.flag_origins.get(name) != str(entry.id):  # moved on: by a change built on it
                        moved = [
                            UUID(d)
                            for d in entry.dependents
                            if name in self.game.agents.entry(UUID(d)).changes_made.get("flags", {})
                        ]
                        assert moved, f"{name} moved on from an active change, not by one built on it"
                    else:
                        assert world.flags.get(name) == value
            if not entry.is_active:
                for dependent in entry.dependents:
                    assert not self.game.agents.entry(UUID(dependent)).is_active
        for name, origin in world.flag_origins.items():
            assert self.game.agents.entry(UUID(origin)).is_active, f"{name} is a rolled-back change's"

    def _exists(self, aggregate_id: UUID) -> bool:
        return bool(list(self.game.store.events.get(aggregate_id)))

    def teardown(self):
        if not hasattr(self, "game"):
            return
        pair = relationship_id(*self.characters)
        others = [self.world, *self.stories, *self.characters, *([pair] if self._exists(pair) else [])]
        ids = [*self.agents, *self.quests, *self.seasons, *(e.id for e in self.entries()), *others]
        for aggregate_id in ids:
            stored = self.game.store.repository.get(aggregate_id)
            assert replay(list(self.game.store.events.get(aggregate_id))) == stored
            assert restore_snapshot(stored) == stored


AgentMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
TestAgents = AgentMachine.TestCase
