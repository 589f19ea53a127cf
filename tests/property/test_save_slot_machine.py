"""Any sequence of SaveSlot commands keeps the invariants, and replaying the
recorded events rebuilds an equal slot."""

from __future__ import annotations

from uuid import uuid4

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.progression import SaveSlot
from tests import strategies as s
from tests.property.support import RecordingMachineMixin


class SaveSlotMachine(RecordingMachineMixin, RuleBasedStateMachine):
    @initialize(state=s.narrative_states, name=st.text(min_size=1, max_size=20).filter(str.strip))
    def open(self, state, name):
        self.recorded = []
        self.owner = uuid4()
        self.slot = SaveSlot.open(self.owner, name, state)
        self.saves = 0
        self.last_state = state

    @rule(state=s.narrative_states)
    def save(self, state):
        before = self.slot.progression_version
        self.slot.save_progress(state)
        self.saves += 1
        self.last_state = state
        assert self.slot.progression_version == before + 1

    @invariant()
    def progression_counts_saves_and_owner_never_changes(self):
        assert self.slot.progression_version == self.saves
        assert self.slot.owner_id == self.owner
        assert self.slot.narrative_state == self.last_state

    @invariant()
    def replay_rebuilds_the_same_slot(self):
        self.check_replay(self.slot)


SaveSlotMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=15, deadline=None)
TestSaveSlotMachine = SaveSlotMachine.TestCase
