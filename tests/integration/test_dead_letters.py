"""The read side never stops: an event a reader cannot apply is dead-lettered,
loudly, and every reader goes on; a reader whose batches fail never holds
back another; status and health tell the truth; retry applies dead letters
after a fix; a database that already holds poison recovers on upgrade."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from domain.accounts import Player
from domain.narrative.save_slots import SaveSlot
from infra.health import ReadSideState, problems
from projections import dead_letters
from projections.follower import BACKOFF_FIRST_SECONDS
from projections.model import Handler, Projection
from projections.runner import ProjectionRunner
from projections.tracking import TRACKING_TABLE
from tests.support import app_of


def poison_slot(container, owner) -> SaveSlot:
    """A save slot with U+0000 in its name (sealed in the store) and its state
    (in the clear): stored before the edge refused it (PostgreSQL cannot store
    it as text)."""
    slot = SaveSlot(owner_id=owner, name="a\x00b", narrative_state={"note": "a\x00b"})
    container.store.write(slot)
    return slot


def statuses(container):
    return {s.name: s for s in ReadSideState(container.pool, container.event_log, container.readers).statuses()}


def letters(container, reader):
    with container.pool.connection() as conn:
        return dead_letters.listed(conn, reader)


def test_a_string_postgresql_cannot_store_is_dead_lettered_and_every_reader_goes_on(container, caplog):
    app = app_of(container)
    ada = app.accounts.create_player("Ada").aggregate
    poison = poison_slot(container, ada.id)
    after = app.accounts.create_player("Grace").aggregate
    slot = app.narrative.open_save_slot(after.id, "main").aggregate

    with caplog.at_level(logging.ERROR):
        container.follower.run_once()

    found = statuses(container)
    assert all(s.lag == 0 for s in found.values()), "every reader moved past the poison"
    (letter,) = letters(container, "save_slots")
    assert letter.originator_id == poison.id and letter.topic == SaveSlot.Created.TOPIC
    assert "UntranslatableCharacter" in letter.error or "U+0000" in letter.error
    assert any("dead-lettered" in r.message for r in caplog.records), "loudly: logged as an error"
    with container.pool.connection() as conn:
        names = {r["name"] for r in conn.execute("SELECT name FROM narrative.save_slots").fetchall()}
        players = conn.execute("SELECT count(*) AS n FROM accounts.players").fetchone()["n"]
    assert names == {"main"} and players == 2
    assert found["save_slots"].dead_letters == 1 and found["players"].dead_letters == 0
    assert app.narrative.get_save_slot(slot.id).version == 1
    reasons = problems(list(found.values()), container.settings)
    assert any("save_slots has 1 dead letter" in r for r in reasons)


def test_a_handler_that_raises_sets_aside_its_event_alone_and_retry_applies_it_after_a_fix(container):
    app = app_of(container)
    players = [app.accounts.create_player(name).aggregate for name in ("Ada", "Bug", "Grace")]
    from projections.accounts import players as players_projection

    broken = {"on": True}
    created = players_projection.created

    def fragile(event, row):
        if broken["on"] and event.data["display_name"] == "Bug":
            raise RuntimeError("a bug in the handler")
        return created(event, row)

    table = replace(players_projection.PLAYERS, schema="fragile")
    handlers = {
        topic: [Handler(table, fragile if topic == Player.Created.TOPIC else h.apply, h.key) for h in hs]
        for topic, hs in players_projection.PROJECTION.handlers.items()
    }
    projection = Projection("players_fragile", 1, (table,), handlers)
    runner = ProjectionRunner(projection, container.pool, container.event_log, container.mapper.open_state)
    runner.setup()
    runner.catch_up()
    with container.pool.connection() as conn:
        rows = {r["display_name"] for r in conn.execute("SELECT display_name FROM fragile.players").fetchall()}
    assert rows == {"Ada", "Grace"}
    (letter,) = letters(container, "players_fragile")
    assert letter.originator_id == players[1].id and "a bug in the handler" in letter.error

    assert runner.retry_dead_letters() == (0, 1), "still broken: still set aside, attempts counted"
    assert letters(container, "players_fragile")[0].attempts == 2
    broken["on"] = False
    assert runner.retry_dead_letters() == (1, 0)
    assert letters(container, "players_fragile") == []
    with container.pool.connection() as conn:
        rows = {r["display_name"] for r in conn.execute("SELECT display_name FROM fragile.players").fetchall()}
    assert rows == {"Ada", "Bug", "Grace"}


def test_a_reader_whose_batches_fail_holds_back_no_other_and_is_reported_stuck(container):
    app = app_of(container)
    app.accounts.create_player("Ada")
    with container.pool.connection() as conn:
        conn.execute("DROP TABLE narrative.save_slots")  # the schema is wrong: no event is to blame
    player = app.accounts.create_player("Grace").aggregate
    app.narrative.open_save_slot(player.id, "main")

    container.follower.run_once()

    found = statuses(container)
    assert found["players"].lag == 0 and found["live"].lag == 0
    assert found["save_slots"].lag > 0 and found["save_slots"].failing_since is not None
    assert "UndefinedTable" in found["save_slots"].last_error
    assert found["save_slots"].dead_letters == 0, "a wrong schema is not any event's fault"
    later = datetime.now(UTC) + timedelta(seconds=container.settings.health_stuck_seconds + 1)
    assert any("save_slots is stuck" in r for r in problems(list(found.values()), container.settings, later))

    container.setup()  # the table is back (as after a fix)
    time.sleep(BACKOFF_FIRST_SECONDS + 0.1)  # its next try, after the first pause
    container.follower.run_once()
    found = statuses(container)
    assert found["save_slots"].lag == 0 and found["save_slots"].failing_since is None


def test_a_database_that_already_holds_poison_recovers_on_upgrade(container):
    app = app_of(container)
    ada = app.accounts.create_player("Ada").aggregate
    poison_slot(container, ada.id)
    app.narrative.open_save_slot(ada.id, "main")
    with container.pool.connection() as conn:  # as the code before the fix left it: stuck at the poison
        conn.execute(f"UPDATE {TRACKING_TABLE} SET schema_version = 2 WHERE name = 'save_slots'")

    container.setup()  # the upgrade rebuilds save_slots, through the poison

    found = statuses(container)
    assert found["save_slots"].lag == 0 and found["save_slots"].dead_letters == 1
    assert found["save_slots"].schema_version == container.runners["save_slots"].projection.schema_version
    assert letters(container, "save_slots@rebuild") == []
    with container.pool.connection() as conn:
        assert [r["name"] for r in conn.execute("SELECT name FROM narrative.save_slots").fetchall()] == ["main"]


def test_the_telemetry_feed_sets_aside_what_it_cannot_store_and_goes_on(container):
    app = app_of(container)
    ada = app.accounts.create_player("Ada").aggregate
    poison = poison_slot(container, ada.id)
    app.accounts.update_player(ada.id, display_name="Ada L")
    container.follower.run_once()
    (letter,) = letters(container, "feed:telemetry")
    assert letter.originator_id == poison.id
    with container.pool.connection() as conn:
        types = {r["event_type"] for r in conn.execute("SELECT event_type FROM narrative.telemetry_events").fetchall()}
    assert "lorekeeper.player.Renamed" in types
