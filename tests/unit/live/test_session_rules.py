"""A session's transitions, sequence numbers and connections, with the reasons
and codes recorded and shown."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.live.actions import parse_action
from domain.live.sessions import IllegalTransition, PlayerSession, SequenceGap, SessionNotActive, Status

CHAT = parse_action("chat", {"text": "hi"})


def active() -> PlayerSession:
    session = PlayerSession.open(uuid4(), uuid4(), "1")
    session.activate()
    session.collect_events()
    return session


def reasons(session: PlayerSession) -> list[tuple[str, str]]:
    return [(e.status.value, e.reason) for e in session.collect_events() if hasattr(e, "reason")]


def test_each_transition_records_its_reason():
    session = PlayerSession.open(uuid4(), uuid4(), "1")
    assert (session.status, session.connection) == (Status.CONNECTING, 1)
    session.activate()
    session.lose_connection()
    session.resume()
    session.terminate("logout")
    assert reasons(session)[-4:] == [
        ("active", "version_lock_passed"),
        ("reconnecting", "connection_lost"),
        ("active", "resynced"),
        ("terminating", "logout"),
    ]
    assert session.connection == 2


def test_an_illegal_transition_names_both_states():
    session = active()
    session.terminate("timeout")
    with pytest.raises(IllegalTransition) as refused:
        session.resume()
    assert refused.value.message == "a session cannot go from terminating to active"
    assert refused.value.details == {"status": "terminating"}


def test_a_take_over_from_active_records_the_loss_first_then_the_resume():
    session = active()
    session.take_over()
    assert reasons(session) == [("reconnecting", "connection_replaced"), ("active", "resynced")]
    assert (session.status, session.connection) == (Status.ACTIVE, 2)
    session.lose_connection()
    session.take_over()
    assert reasons(session) == [("reconnecting", "connection_lost"), ("active", "resynced")]
    assert session.connection == 3


def test_the_loss_of_a_connection_the_session_moved_past_records_nothing():
    session = active()
    old = session.connection
    session.take_over()
    session.collect_events()
    session.lose_connection(old)
    assert session.collect_events() == [] and session.status == Status.ACTIVE
    session.lose_connection(session.connection)
    assert reasons(session) == [("reconnecting", "connection_lost")]
    session.lose_connection(session.connection)  # already reconnecting: nothing
    assert session.collect_events() == []


def test_sequence_numbers_are_next_duplicate_or_a_gap_naming_the_last():
    session = active()
    assert session.record_action(1, CHAT) is True
    assert session.record_action(1, CHAT) is False
    assert session.record_action(0, CHAT) is False
    with pytest.raises(SequenceGap) as gap:
        session.record_action(3, CHAT)
    assert gap.value.message == "expected action 2, got 3"
    assert gap.value.details == {"last_action_seq": 1}
    [recorded] = [e for e in session.collect_events() if hasattr(e, "sequence_number")]
    assert (recorded.sequence_number, recorded.action_type, recorded.payload) == (
        1,
        "chat",
        {"text": "hi", "channel": "say"},
    )
    assert (recorded.user_id, recorded.character_id) == (session.user, session.character_id)


def test_only_an_active_session_takes_actions_and_says_its_status():
    session = active()
    session.lose_connection()
    with pytest.raises(SessionNotActive) as refused:
        session.record_action(1, CHAT)
    assert refused.value.message == "the session is reconnecting"
    assert refused.value.details == {"status": "reconnecting"}
