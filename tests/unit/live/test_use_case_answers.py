"""Live play's use cases, what mutation testing showed no test stated (the
WebSocket tests reach them, but a mutant of them needs a fast test to die):
the reconnect window, session changes, heartbeats, take-overs, the async
write path and the delta's bounds."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from domain.live.sessions import PlayerSession, Status
from tests.support import memory_app


def active_session(**settings):
    app = memory_app(**settings)
    ada = app.accounts.create_player("Ada").aggregate
    character = app.live.create_character(ada.id, "Ada", 3, 4).aggregate
    session = app.live.open_session(ada.id, character.id, "1").aggregate
    return app, session, character


def status_events(app, session_id) -> list[tuple[str, str]]:
    return [
        (e.status.value, e.reason)
        for e in app.store.events.get(session_id)
        if isinstance(e, PlayerSession.StatusChanged)
    ]


def test_a_character_is_created_where_and_as_asked():
    _, session, character = active_session()
    assert (character.display_name, character.position_x, character.position_y) == ("Ada", 3, 4)
    assert session.character_id == character.id and session.protocol_version == "1"


@pytest.mark.parametrize("window", [60, 120])
def test_a_reconnecting_session_ends_exactly_when_its_window_has_passed(window):
    app, session, _ = active_session(reconnect_window_seconds=window)
    lost = app.live.lose_connection(session.id).aggregate
    assert lost.status == Status.RECONNECTING
    since = lost.status_since
    early = app.live.expire(session.id, since + timedelta(seconds=window) - timedelta(microseconds=1))
    assert early.position is None and early.aggregate.status == Status.RECONNECTING
    ended = app.live.expire(session.id, since + timedelta(seconds=window))
    assert ended.position is not None and ended.aggregate.status == Status.TERMINATING
    assert status_events(app, session.id)[-1] == ("terminating", "timeout")
    assert app.live.expire(session.id, since + timedelta(days=1)).position is None  # firing again: nothing


def test_an_active_session_does_not_expire():
    app, session, _ = active_session()
    assert app.live.expire(session.id, session.modified_on + timedelta(days=1)).position is None
    assert app.live.get_session(session.id).status == Status.ACTIVE


def test_session_changes_resume_or_terminate_with_a_reason():
    app, session, _ = active_session()
    with pytest.raises(ValueError, match="unknown session change 'pause'"):
        app.live.change_session(session.id, "pause")
    app.live.lose_connection(session.id)
    assert app.live.change_session(session.id, "resume").aggregate.status == Status.ACTIVE
    app.live.change_session(session.id, "terminate")
    assert status_events(app, session.id)[-1] == ("terminating", "logout")
    app2, second, _ = active_session()
    app2.live.change_session(second.id, "terminate", "kicked")
    assert status_events(app2, second.id)[-1] == ("terminating", "kicked")


def test_a_lost_connection_the_session_moved_past_records_nothing():
    app, session, _ = active_session()
    assert app.live.take_over(session.id).aggregate.connection == 2
    assert app.live.lose_connection(session.id, connection=1).position is None
    assert app.live.lose_connection(session.id, connection=2).aggregate.status == Status.RECONNECTING
    assert status_events(app, session.id)[-3:] == [
        ("reconnecting", "connection_replaced"),
        ("active", "resynced"),
        ("reconnecting", "connection_lost"),
    ]


def test_heartbeats_are_recorded_at_most_once_per_resolution():
    app, session, _ = active_session()
    at = session.modified_on
    first = app.live.heartbeat(session.id, at)
    assert first.position is not None and first.aggregate.last_heartbeat_at == at
    assert app.live.heartbeat(session.id, at + timedelta(seconds=29)).position is None
    assert app.live.heartbeat(session.id, at + timedelta(seconds=30)).position is not None


def test_the_async_path_records_as_the_sync_one_does():
    app, session, character = active_session()
    assert app.live.cached(session.id, character.id) in (True, False)
    moved = asyncio.run(app.live.record_action_async(session.id, 1, "move", {"x": 4, "y": 4}))
    assert moved.recorded and moved.position is not None
    assert (moved.character.position_x, moved.character.position_y) == (4, 4)
    again = asyncio.run(app.live.record_action_async(session.id, 1, "move", {"x": 5, "y": 5}))
    assert not again.recorded and again.position is None
    assert app.live.get_character(character.id).position_x == 4
    ability = app.live.record_action(session.id, 2, "ability", {"name": "sacrifice"})
    assert ability.recorded and ability.session.last_action_seq == 2
    assert app.live.get_character(character.id).health == 85


def test_the_delta_is_bounded_exactly_and_never_has_a_gap():
    app, session, _ = active_session()
    for seq in range(1, 6):
        app.live.record_action(session.id, seq, "chat", {"text": f"line {seq}"})
    assert [e.sequence_number for e in app.live.actions_after(session.id, 2, 5, limit=3)] == [3, 4, 5]
    assert app.live.actions_after(session.id, 1, 5, limit=3) is None  # one past the limit
    assert app.live.actions_after(session.id, 3, 2, limit=3) == []
    assert app.live.actions_after(session.id, 4, 7, limit=5) is None  # 6 and 7 were never recorded
