"""Any sequence of Player commands keeps the invariants, and replaying the
recorded events (through the store's mapper) rebuilds an equal player."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.accounts import Player
from domain.accounts.claims import PLATFORMS
from domain.kernel.text import DISPLAY_NAME_MAX
from tests import strategies as s
from tests.property.support import RecordingMachineMixin, attempt

SLOT_LIMIT = 3


class PlayerMachine(RecordingMachineMixin, RuleBasedStateMachine):
    @initialize(name=st.none() | s.display_names)
    def create(self, name):
        self.recorded = []
        self.player = Player.create(name)
        self.clock = datetime(2026, 1, 1, tzinfo=UTC)
        self.last_seen_history: list[datetime] = []

    @rule(name=s.display_names | s.any_text)
    def rename(self, name):
        attempt(self.player, lambda: self.player.rename(name))

    @rule(platform=s.platforms | st.text(max_size=8), user_id=s.platform_user_ids | s.any_text)
    def link(self, platform, user_id):
        attempt(self.player, lambda: self.player.link_platform(platform, user_id))

    @rule(minutes=st.integers(0, 30))
    def seen(self, minutes):
        self.clock += timedelta(minutes=minutes)
        self.player.mark_seen(self.clock)
        self.last_seen_history.append(self.player.last_seen)

    @rule(opted_out=st.booleans())
    def telemetry(self, opted_out):
        self.player.set_telemetry_opt_out(opted_out)
        assert self.player.telemetry_opt_out is opted_out

    @rule()
    def open_slot(self):
        attempt(self.player, lambda: self.player.open_save_slot(uuid4(), SLOT_LIMIT))

    @invariant()
    def version_counts_events(self):
        assert self.player.version == len(self.recorded) + len(self.player.pending_events)

    @invariant()
    def state_is_valid(self):
        p = self.player
        assert p.display_name is None or 1 <= len(p.display_name) <= DISPLAY_NAME_MAX
        assert set(p.platform_links) <= PLATFORMS
        assert len(p.save_slot_ids) <= SLOT_LIMIT
        assert len(set(p.save_slot_ids)) == len(p.save_slot_ids)
        seen = [t for t in self.last_seen_history if t is not None]
        assert seen == sorted(seen)

    @invariant()
    def replay_rebuilds_the_same_player(self):
        self.check_replay(self.player)


PlayerMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
TestPlayerMachine = PlayerMachine.TestCase
