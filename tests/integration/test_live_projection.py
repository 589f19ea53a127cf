"""Live play through the application, projected to the seed 001 read tables."""

from __future__ import annotations

import pytest

from domain.errors import PermissionDenied
from domain.sessions import SequenceGap


def rows(container, table, order):
    with container.pool.connection() as conn:
        return conn.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()


def test_actions_change_the_profile_and_land_in_the_action_log(container):
    app = container.app
    player = app.create_player("Ada").aggregate
    character = app.create_character(player.id, "Ada", 5, 5).aggregate
    session = app.open_session(player.id, character.id, "1").aggregate
    first = app.record_action(session.id, 1, "move", {"x": 7, "y": 6})
    app.record_action(session.id, 2, "chat", {"text": "hello"})
    app.record_action(session.id, 3, "ability", {"name": "sacrifice"})
    again = app.record_action(session.id, 3, "ability", {"name": "sacrifice"})
    assert first.recorded and not again.recorded
    with pytest.raises(SequenceGap):
        app.record_action(session.id, 5, "chat", {"text": "skipped one"})
    container.follower.run_once()

    (profile,) = rows(container, "character_profiles", "character_id")
    assert (profile["position_x"], profile["position_y"], profile["health"]) == (7, 6, 85)
    assert profile["user_id"] == player.id
    log = rows(container, "action_events", "sequence_number")
    assert [(r["sequence_number"], r["action_type"]) for r in log] == [(1, "move"), (2, "chat"), (3, "ability")]
    assert all(r["character_id"] == character.id and r["session_id"] == session.id for r in log)
    (session_row,) = rows(container, "player_sessions", "session_id")
    assert session_row["status"] == "active"
    assert session_row["last_action_seq"] == 3


def test_the_action_log_has_the_seed_indexes(container):
    with container.pool.connection() as conn:
        indexes = {
            r["indexdef"].split(" USING btree ")[1]
            for r in conn.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'action_events'").fetchall()
        }
    assert "(character_id, sequence_number)" in indexes
    assert "(persisted_at)" in indexes


def test_a_player_cannot_open_a_session_for_another_players_character(container):
    app = container.app
    owner, other = app.create_player().aggregate, app.create_player().aggregate
    character = app.create_character(owner.id, "Ada").aggregate
    with pytest.raises(PermissionDenied):
        app.open_session(other.id, character.id, "1")


def test_reconnect_counts_attempts_in_the_read_model(container):
    app = container.app
    player = app.create_player().aggregate
    character = app.create_character(player.id, "Ada").aggregate
    session = app.open_session(player.id, character.id, "1").aggregate
    app.change_session(session.id, "lose_connection")
    app.change_session(session.id, "resume")
    app.change_session(session.id, "terminate", "logout")
    container.follower.run_once()
    (row,) = rows(container, "player_sessions", "session_id")
    assert (row["status"], row["reconnect_attempts"]) == ("terminating", 1)


def test_long_sessions_are_snapshotted_and_reload_from_the_snapshot(database, tmp_path):
    from infra.container import Container
    from tests.fixtures.db import make_settings

    c = Container(make_settings(database, tmp_path, snapshot_intervals={"PlayerSession": 10}))
    try:
        app = c.app
        player = app.create_player().aggregate
        character = app.create_character(player.id, "Ada").aggregate
        session = app.open_session(player.id, character.id, "1").aggregate
        for seq in range(1, 26):
            app.record_action(session.id, seq, "chat", {"text": f"#{seq}"})
        assert [s.originator_version for s in app.snapshots.get(session.id)] == [10, 20]
        app.repository.cache = None
        reloaded = app.get_session(session.id)
        assert reloaded.last_action_seq == 25
        assert reloaded.status.value == "active"
    finally:
        c.close()
