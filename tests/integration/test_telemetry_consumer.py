"""The telemetry consumer fed from the event store, many events per batch: who
each event belongs to, opt-outs as of each event's position, and an erasure in
the middle of a batch."""

from __future__ import annotations

from uuid import UUID

from tests.support import app_of


def telemetry(container, account_id: UUID) -> list[dict]:
    with container.pool.connection() as conn:
        return conn.execute(
            "SELECT event_type, position FROM narrative.telemetry_events WHERE account_id = %s ORDER BY position",
            (account_id,),
        ).fetchall()


def test_one_batch_honours_each_events_own_moment(container):
    app = app_of(container)
    ada, bob = app.accounts.create_player("Ada").aggregate, app.accounts.create_player("Bob").aggregate
    character = app.live.create_character(ada.id, "Ada", 0, 0).aggregate
    session = app.live.open_session(ada.id, character.id, "1").aggregate
    before = app.live.record_action(session.id, 1, "move", {"x": 1, "y": 0}).position
    opted_out = app.accounts.update_player(ada.id, telemetry_opt_out=True).position
    during = app.live.record_action(session.id, 2, "move", {"x": 2, "y": 0}).position
    opted_in = app.accounts.update_player(ada.id, telemetry_opt_out=False).position
    after = app.live.record_action(session.id, 3, "move", {"x": 3, "y": 0}).position
    bob_slot = app.narrative.open_save_slot(bob.id, "bob").position

    container.follower.run_once()  # all of it in one feed batch

    positions = [row["position"] for row in telemetry(container, ada.id)]
    # Session and character events are the player's (sessions map by user_id).
    assert {"lorekeeper.player_session.ActionRecorded", "lorekeeper.character.Moved"} <= {
        row["event_type"] for row in telemetry(container, ada.id)
    }
    assert before in positions and after in positions
    assert opted_out not in positions and during not in positions  # nothing while opted out
    assert opted_in in positions
    assert bob_slot in [row["position"] for row in telemetry(container, bob.id)]


def test_an_erasure_inside_a_batch_removes_what_came_before_it(container):
    app = app_of(container)
    ada, bob = app.accounts.create_player("Ada").aggregate, app.accounts.create_player("Bob").aggregate
    character = app.live.create_character(ada.id, "Ada", 0, 0).aggregate
    session = app.live.open_session(ada.id, character.id, "1").aggregate
    app.live.record_action(session.id, 1, "chat", {"text": "remember me"})
    app.erasure.erase(ada.id)
    app.narrative.open_save_slot(bob.id, "bob")

    container.follower.run_once()

    assert telemetry(container, ada.id) == []
    with container.pool.connection() as conn:
        texts = conn.execute(
            "SELECT count(*) AS n FROM narrative.telemetry_events WHERE payload::text LIKE '%remember me%'"
        )
        assert texts.fetchone()["n"] == 0
    assert telemetry(container, bob.id)  # the rest of the batch was applied
