"""Any sequence of session and character commands keeps their invariants,
and replaying the recorded events rebuilds equal aggregates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.kernel.errors import DomainError
from domain.live.actions import parse_action
from domain.live.characters import ABILITIES, MAP_HEIGHT, MAP_WIDTH, MAX_HEALTH, MAX_STEP, Character
from domain.live.sessions import TRANSITIONS, PlayerSession, Status
from tests.property.support import RecordingMachineMixin, attempt

coords = st.integers(-3, 20)
actions = st.one_of(
    st.fixed_dictionaries({"type": st.just("move"), "payload": st.fixed_dictionaries({"x": coords, "y": coords})}),
    st.fixed_dictionaries(
        {"type": st.just("chat"), "payload": st.fixed_dictionaries({"text": st.text(min_size=1, max_size=20)})}
    ),
    st.fixed_dictionaries(
        {"type": st.just("ability"), "payload": st.fixed_dictionaries({"name": st.sampled_from([*ABILITIES, "nope"])})}
    ),
)


class CharacterMachine(RecordingMachineMixin, RuleBasedStateMachine):
    @initialize(x=st.integers(0, 10), y=st.integers(0, 10))
    def create(self, x, y):
        self.recorded = []
        self.character = Character.create(uuid4(), "Ada", x, y)

    @rule(dx=st.integers(-6, 6), dy=st.integers(-6, 6))
    def move(self, dx, dy):
        c = self.character
        before = (c.position_x, c.position_y)
        if attempt(c, lambda: c.move_to(c.position_x + dx, c.position_y + dy)):
            assert max(abs(c.position_x - before[0]), abs(c.position_y - before[1])) <= MAX_STEP

    @rule(name=st.sampled_from([*ABILITIES, "nope"]))
    def ability(self, name):
        attempt(self.character, lambda: self.character.use_ability(name))

    @invariant()
    def stays_on_the_map_with_bounded_health(self):
        c = self.character
        assert 0 <= c.position_x < MAP_WIDTH and 0 <= c.position_y < MAP_HEIGHT
        assert 0 <= c.health <= MAX_HEALTH

    @invariant()
    def replay_rebuilds_the_same_character(self):
        self.check_replay(self.character)


class SessionMachine(RecordingMachineMixin, RuleBasedStateMachine):
    @initialize()
    def open(self):
        self.recorded = []
        self.session = PlayerSession.open(uuid4(), uuid4(), "1.0")
        self.accepted = 0
        self.clock = datetime(2026, 1, 1, tzinfo=UTC)
        self.statuses = [self.session.status]

    @rule(change=st.sampled_from(["activate", "lose_connection", "resume", "terminate"]))
    def transition(self, change):
        s = self.session
        before = s.status
        ok = attempt(s, (lambda: s.terminate("timeout")) if change == "terminate" else getattr(s, change))
        if ok:
            assert s.status in TRANSITIONS[before]
            self.statuses.append(s.status)

    @rule(offset=st.integers(-2, 2), action=actions)
    def act(self, offset, action):
        s = self.session
        seq = s.last_action_seq + 1 + offset
        try:
            parsed = parse_action(action["type"], action["payload"])
        except DomainError:
            return
        before = s.last_action_seq
        try:
            recorded = s.record_action(seq, parsed)
        except DomainError:
            assert s.last_action_seq == before
            return
        assert recorded == (seq == before + 1)
        self.accepted += recorded

    @rule(seconds=st.integers(0, 60))
    def heartbeat(self, seconds):
        self.clock += timedelta(seconds=seconds)
        self.session.heartbeat(self.clock)

    @invariant()
    def sequence_counts_accepted_actions_and_terminating_is_final(self):
        assert self.session.last_action_seq == self.accepted
        if Status.TERMINATING in self.statuses:
            assert self.statuses[-1] == Status.TERMINATING

    @invariant()
    def replay_rebuilds_the_same_session(self):
        self.check_replay(self.session)


CharacterMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)
SessionMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=30, deadline=None)
TestCharacterMachine = CharacterMachine.TestCase
TestSessionMachine = SessionMachine.TestCase
