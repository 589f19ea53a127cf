"""World events through their use cases, under any sequence of schedules
(with or without a period), the start and end timers firing at any instant
(early, late, twice), and cancellations, on a clock that only moves forward:

- an event is active exactly while the world lists its effects, and only
  inside its window;
- a periodic event's windows move by whole periods, never backwards, and
  never end in the past once rescheduled;
- an ended or cancelled event never opens again; a refused command writes
  nothing;
- and every aggregate rebuilt from its events, or from a snapshot, is the
  one the store holds.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from unittest import mock

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

from domain.adventure import AdventureUseCases
from domain.adventure.world_events import ACTIVE, CANCELLED, ENDED
from domain.kernel.errors import DomainError
from tests.property.support import replay, restore_snapshot
from tests.unit.adventure.helpers import store

EPOCH = datetime(2026, 12, 1, tzinfo=UTC)


class WorldEventMachine(RuleBasedStateMachine):
    events = Bundle("events")

    @initialize(target=events)
    def open(self):
        self.game = AdventureUseCases(store())
        self.world = self.game.create_world("Eldoria", "standard", 7, {}, {}).aggregate.id
        self.now = EPOCH
        self.windows: dict = {}  # event id -> the windows it has had, in order
        self.finished: set = set()
        return self.schedule(30, 60, 0)  # a season, from the start

    def clock(self):
        return mock.patch("domain.kernel.clock.now", lambda: self.now)

    @rule(target=events, start=st.integers(0, 600), length=st.integers(1, 600), period=st.none() | st.integers(0, 3))
    def schedule(self, start, length, period):
        every = None if period is None else max(60, length) + 60 * period
        with self.clock():
            made = self.game.seasons.schedule(
                self.world,
                "season" if every else "festival",
                "Fair",
                "",
                {"craft_odds": 0.1},
                self.now + timedelta(seconds=start),
                self.now + timedelta(seconds=start + length),
                every,
            ).aggregate
        self.windows[made.id] = [(made.start_time, made.end_time)]
        return made.id

    @rule(seconds=st.integers(0, 900))
    def time_passes(self, seconds):
        self.now += timedelta(seconds=seconds)

    @rule(happening=events, early=st.integers(-300, 0), twice=st.booleans())
    def start_fires(self, happening, early, twice):
        """A timer fires once its due instant has come: on time, or one set for
        an earlier window (``early``), once or twice."""
        due = self.event(happening).start_time + timedelta(seconds=early)
        self.now = max(self.now, due)
        with self.clock():
            for _ in range(2 if twice else 1):
                self.game.seasons.start(happening, due)
        event(f"after start: {self.event(happening).status}")

    @rule(happening=events, early=st.integers(-300, 0))
    def end_fires(self, happening, early):
        before = self.event(happening)
        due = before.end_time + timedelta(seconds=early)
        self.now = max(self.now, due)
        with self.clock():
            self.game.seasons.end(happening, due)
        after = self.event(happening)
        if (after.start_time, after.end_time) != (before.start_time, before.end_time):
            self.windows[happening].append((after.start_time, after.end_time))
            event("rescheduled")

    @rule(happening=events)
    def cancel(self, happening):
        head = self.game.store.recorder.max_notification_id()
        over = self.event(happening).status in (ENDED, CANCELLED)
        try:
            with self.clock():
                self.game.seasons.cancel(happening)
        except DomainError:
            assert self.game.store.recorder.max_notification_id() == head
            assert over, "an event under way or to come refused to be cancelled"
            return
        assert not over
        self.finished.add(happening)

    def event(self, event_id):
        return self.game.seasons.event(event_id)

    @invariant()
    def active_exactly_while_listed_and_inside_the_window(self):
        if not hasattr(self, "game"):
            return
        listed = self.game.world(self.world).active_events
        for event_id in self.windows:
            happening = self.event(event_id)
            assert (happening.status == ACTIVE) == (str(event_id) in listed)
            if happening.status == ACTIVE:
                assert happening.start_time <= self.now
            if event_id in self.finished:
                assert happening.status == CANCELLED

    @invariant()
    def periodic_windows_move_by_whole_periods(self):
        if not hasattr(self, "game"):
            return
        for event_id, windows in self.windows.items():
            happening = self.event(event_id)
            for (s0, e0), (s1, e1) in pairwise(windows):
                assert happening.every_seconds is not None
                shift = (s1 - s0).total_seconds()
                assert shift > 0 and shift % happening.every_seconds == 0 and e1 - s1 == e0 - s0
            if happening.status == ENDED:
                assert happening.every_seconds is None

    def teardown(self):
        if not hasattr(self, "game"):
            return
        for aggregate_id in (*self.windows, self.world):
            stored = self.game.store.repository.get(aggregate_id)
            assert replay(list(self.game.store.events.get(aggregate_id))) == stored
            assert restore_snapshot(stored) == stored


WorldEventMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
TestWorldEvents = WorldEventMachine.TestCase
