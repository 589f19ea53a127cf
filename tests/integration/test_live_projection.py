"""Live play through the application, projected to the seed 001 read tables."""

from __future__ import annotations

import asyncio

import pytest

from domain.kernel.errors import ConcurrentWrite, PermissionDenied
from domain.live.sessions import SequenceGap
from tests.support import app_of


def rows(container, table, order):
    with container.pool.connection() as conn:
        return conn.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()


def test_actions_change_the_profile_and_land_in_the_action_log(container):
    app = app_of(container)
    player = app.accounts.create_player("Ada").aggregate
    character = app.live.create_character(player.id, "Ada", 5, 5).aggregate
    session = app.live.open_session(player.id, character.id, "1").aggregate
    first = app.live.record_action(session.id, 1, "move", {"x": 7, "y": 6})
    app.live.record_action(session.id, 2, "chat", {"text": "hello"})
    app.live.record_action(session.id, 3, "ability", {"name": "sacrifice"})
    again = app.live.record_action(session.id, 3, "ability", {"name": "sacrifice"})
    assert first.recorded and not again.recorded
    with pytest.raises(SequenceGap):
        app.live.record_action(session.id, 5, "chat", {"text": "skipped one"})
    container.follower.run_once()

    (profile,) = rows(container, "live.character_profiles", "character_id")
    assert (profile["position_x"], profile["position_y"], profile["health"]) == (7, 6, 85)
    assert profile["user_id"] == player.id
    log = rows(container, "live.action_events", "sequence_number")
    assert [(r["sequence_number"], r["action_type"]) for r in log] == [(1, "move"), (2, "chat"), (3, "ability")]
    assert all(r["character_id"] == character.id and r["session_id"] == session.id for r in log)
    (session_row,) = rows(container, "live.player_sessions", "session_id")
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
    app = app_of(container)
    owner, other = app.accounts.create_player().aggregate, app.accounts.create_player().aggregate
    character = app.live.create_character(owner.id, "Ada").aggregate
    with pytest.raises(PermissionDenied):
        app.live.open_session(other.id, character.id, "1")


def test_reconnect_counts_attempts_in_the_read_model(container):
    app = app_of(container)
    player = app.accounts.create_player().aggregate
    character = app.live.create_character(player.id, "Ada").aggregate
    session = app.live.open_session(player.id, character.id, "1").aggregate
    app.live.lose_connection(session.id)
    app.live.change_session(session.id, "resume")
    app.live.change_session(session.id, "terminate", "logout")
    container.follower.run_once()
    (row,) = rows(container, "live.player_sessions", "session_id")
    assert (row["status"], row["reconnect_attempts"]) == ("terminating", 1)


def test_long_sessions_are_snapshotted_and_reload_from_the_snapshot(database, tmp_path):
    from infra.entrypoints.bootstrap import Container
    from tests.fixtures.db import make_settings

    c = Container(make_settings(database, tmp_path, snapshot_intervals={"PlayerSession": 10}))
    try:
        app = app_of(c)
        player = app.accounts.create_player().aggregate
        character = app.live.create_character(player.id, "Ada").aggregate
        session = app.live.open_session(player.id, character.id, "1").aggregate
        for seq in range(1, 26):
            app.live.record_action(session.id, seq, "chat", {"text": f"#{seq}"})
        assert c.snapshot_writer.settle()  # a session holds no personal data: written in the background
        assert [s.originator_version for s in app.store.snapshots.get(session.id)] == [10, 20]
        app.store.repository.cache = None
        reloaded = app.live.get_session(session.id)
        assert reloaded.last_action_seq == 25
        assert reloaded.status.value == "active"
    finally:
        c.close()


def test_actions_recorded_from_an_event_loop_share_commits_and_match_the_threaded_path(container):
    """The WebSocket path: record_action_async decides on the loop and awaits the
    group commit. Many sessions at once share transactions; every action is
    durable, in order, and the read side sees what the blocking path would."""
    app = app_of(container)
    sessions = []
    for i in range(20):
        player = app.accounts.create_player(f"p{i}").aggregate
        character = app.live.create_character(player.id, f"c{i}", 0, 0).aggregate
        sessions.append(app.live.open_session(player.id, character.id, "1").aggregate)
    committer = app.store.recorder.committer
    batches_before, items_before = committer.batches, committer.items

    async def play(session) -> list[int | None]:
        positions = []
        for seq in range(1, 6):
            assert app.live.cached(session.id, session.character_id)
            result = await app.live.record_action_async(session.id, seq, "move", {"x": seq, "y": 0})
            positions.append(result.position)
        again = await app.live.record_action_async(session.id, 5, "move", {"x": 5, "y": 0})
        assert not again.recorded and again.position is None
        return positions

    async def main() -> list[list[int | None]]:
        return await asyncio.gather(*(play(s) for s in sessions))

    positions = asyncio.run(main())
    assert all(p is not None for per_session in positions for p in per_session)
    assert committer.items - items_before == 100
    assert committer.batches - batches_before < 100  # shared transactions, not one per action
    for session in sessions:
        assert app.live.get_session(session.id).last_action_seq == 5
        assert (app.live.get_character(session.character_id).position_x, app.live.get_session(session.id).version) == (
            5,
            7,
        )
    app.store.repository.cache.cache.clear()  # the store, not the cache, says the same
    assert all(app.live.get_session(s.id).last_action_seq == 5 for s in sessions)
    container.follower.run_once()
    log = rows(container, "live.action_events", "session_id, sequence_number")
    assert len(log) == 100


def test_a_lost_race_on_the_event_loop_path_is_a_conflict_and_leaves_the_cache(container):
    app = app_of(container)
    player = app.accounts.create_player().aggregate
    character = app.live.create_character(player.id, "Ada", 0, 0).aggregate
    session = app.live.open_session(player.id, character.id, "1").aggregate
    stale = app.live.get_session(session.id)
    app.live.record_action(session.id, 1, "move", {"x": 1, "y": 0})  # another writer moves on first
    app.store.repository.cache.put(session.id, stale)  # this process still holds the older copy
    with pytest.raises(ConcurrentWrite):
        asyncio.run(app.live.record_action_async(session.id, 1, "move", {"x": 2, "y": 0}))
    assert not app.live.cached(session.id)
    assert app.live.get_session(session.id).last_action_seq == 1
