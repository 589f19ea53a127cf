"""PlayerSession: the seed's state transitions and sequenced actions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.live.actions import ACTION_PAYLOAD_MAX, InvalidAction, parse_action
from domain.live.sessions import IllegalTransition, PlayerSession, SequenceGap, SessionNotActive, Status


def active() -> PlayerSession:
    session = PlayerSession.open(uuid4(), uuid4(), "1.0")
    session.activate()
    return session


CHAT = parse_action("chat", {"text": "hello"})


def test_the_seed_state_transitions():
    session = PlayerSession.open(uuid4(), uuid4(), "1.0")
    assert session.status == Status.CONNECTING
    session.activate()
    session.lose_connection()
    assert session.status == Status.RECONNECTING
    session.resume()
    assert session.status == Status.ACTIVE
    assert session.reconnect_attempts == 1
    session.terminate("logout")
    assert session.status == Status.TERMINATING
    for change in (session.activate, session.resume, session.lose_connection):
        with pytest.raises(IllegalTransition):
            change()


def test_an_active_session_cannot_resume_and_a_connecting_one_cannot_lose_its_connection():
    with pytest.raises(IllegalTransition):
        active().resume()
    with pytest.raises(IllegalTransition):
        PlayerSession.open(uuid4(), uuid4(), "1.0").lose_connection()


def test_actions_are_recorded_in_sequence_and_duplicates_record_nothing():
    session = active()
    assert session.record_action(1, CHAT) is True
    assert session.record_action(2, CHAT) is True
    version = session.version
    assert session.record_action(2, CHAT) is False
    assert session.record_action(1, CHAT) is False
    assert session.version == version
    assert session.last_action_seq == 2


def test_a_gap_asks_the_client_to_resync_from_the_last_acknowledged_number():
    session = active()
    session.record_action(1, CHAT)
    with pytest.raises(SequenceGap) as caught:
        session.record_action(3, CHAT)
    assert caught.value.details == {"last_action_seq": 1}


def test_only_an_active_session_takes_actions():
    session = active()
    session.lose_connection()
    with pytest.raises(SessionNotActive):
        session.record_action(1, CHAT)


@pytest.mark.parametrize(
    ("action_type", "payload"),
    [
        ("move", {"x": "a", "y": 1}),
        ("move", {"x": 1}),
        ("chat", {"text": ""}),
        ("chat", {"text": "x", "channel": "shout"}),
        ("ability", {}),
        ("system", {"kind": "format_disk"}),
        ("teleport", {"x": 1}),
        ("chat", {"text": "x", "extra": True}),
        ("system", {"kind": "ping", "data": {"blob": "x" * ACTION_PAYLOAD_MAX}}),
    ],
)
def test_payloads_are_validated_per_type_and_bounded(action_type, payload):
    with pytest.raises(InvalidAction):
        parse_action(action_type, payload)


def test_heartbeats_are_recorded_at_most_once_per_resolution():
    session = active()
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    session.heartbeat(t0)
    session.heartbeat(t0 + timedelta(seconds=10))
    assert session.last_heartbeat_at == t0
    session.heartbeat(t0 + timedelta(seconds=30))
    assert session.last_heartbeat_at == t0 + timedelta(seconds=30)
