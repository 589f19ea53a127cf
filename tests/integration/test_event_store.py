"""The event store on real PostgreSQL: one global order, stable topics,
snapshots, optimistic concurrency, bounded saves."""

from __future__ import annotations

import time
from uuid import uuid4

import pytest

from domain.kernel.errors import ConcurrentWrite, NotFound, PermissionDenied, TooManyEvents, VersionConflict
from domain.kernel.holdings import holdings_id
from domain.kernel.saving import MAX_EVENTS_PER_SAVE
from domain.narrative.save_slots import SaveSlot
from tests.support import app_of


def stored_rows(container):
    with container.pool.connection() as conn:
        return conn.execute(
            "SELECT notification_id, originator_id, originator_version, topic FROM lorekeeper_events "
            "ORDER BY notification_id"
        ).fetchall()


def test_all_aggregates_share_one_gapless_global_order(container):
    app = app_of(container)
    player = app.accounts.create_player("Ada").aggregate
    slot = app.narrative.open_save_slot(player.id, "main").aggregate
    written = app.narrative.save_progress(slot.id, {"chapter": 2}, expected_version=1)
    rows = stored_rows(container)
    assert [r["notification_id"] for r in rows] == list(range(1, len(rows) + 1))
    assert written.position == rows[-1]["notification_id"]
    assert {r["originator_id"] for r in rows} == {player.id, slot.id, holdings_id(player.id)}


def test_the_store_records_stable_topic_names_not_module_paths(container):
    app_of(container).accounts.create_player("Ada")
    topics = {r["topic"] for r in stored_rows(container)}
    assert topics == {"lorekeeper.player.Created", "lorekeeper.player.Seen"}


def test_an_aggregate_reloads_equal_to_what_was_saved(container):
    app = app_of(container)
    player = app.accounts.create_player("Ada").aggregate
    written = app.accounts.link_platform(player.id, "steam", "765").aggregate
    app.store.repository.cache = None  # force a replay from the store
    reloaded = app.accounts.get_player(player.id)
    assert reloaded.platform_links == {"steam": "765"}
    assert reloaded == written


def test_snapshots_are_taken_at_the_configured_interval_and_used(database, tmp_path):
    from infra.entrypoints.bootstrap import Container
    from tests.fixtures.db import make_settings

    c = Container(make_settings(database, tmp_path, snapshot_intervals={"SaveSlot": 5}))
    try:
        owner = app_of(c).accounts.create_player().aggregate
        slot = app_of(c).narrative.open_save_slot(owner.id, "main").aggregate
        for i in range(11):
            slot = app_of(c).narrative.save_progress(slot.id, {"i": i}, expected_version=slot.version).aggregate
        snapshots = list(c.store.snapshots.get(slot.id))
        assert [s.originator_version for s in snapshots] == [5, 10]
        c.store.repository.cache = None  # force a load from the store
        assert app_of(c).narrative.get_save_slot(slot.id).narrative_state == {"i": 10}
    finally:
        c.close()


def test_a_stale_expected_version_is_a_typed_conflict(container):
    app = app_of(container)
    owner = app.accounts.create_player().aggregate
    slot = app.narrative.open_save_slot(owner.id, "main").aggregate
    app.narrative.save_progress(slot.id, {"a": 1}, expected_version=1)
    with pytest.raises(VersionConflict) as caught:
        app.narrative.save_progress(slot.id, {"a": 2}, expected_version=1)
    assert caught.value.details["current_version"] == 2


def test_two_writers_of_the_same_version_cannot_both_win(container):
    app = app_of(container)
    owner = app.accounts.create_player().aggregate
    slot_id = app.narrative.open_save_slot(owner.id, "main").aggregate.id
    first, second = app.narrative.get_save_slot(slot_id), app.narrative.get_save_slot(slot_id)
    first.save_progress({"by": "first"})
    second.save_progress({"by": "second"})
    app.store.save(first)
    with pytest.raises(ConcurrentWrite):
        app.store.save(second)
    assert app.narrative.get_save_slot(slot_id).narrative_state == {"by": "first"}


def test_a_foreign_actor_is_refused_and_unknown_ids_are_not_found(container):
    app = app_of(container)
    owner = app.accounts.create_player().aggregate
    slot = app.narrative.open_save_slot(owner.id, "main").aggregate
    with pytest.raises(PermissionDenied):
        app.narrative.save_progress(slot.id, {}, expected_version=1, actor_id=uuid4())
    with pytest.raises(NotFound):
        app.narrative.get_save_slot(uuid4())
    with pytest.raises(NotFound):
        app.narrative.get_save_slot(owner.id)  # a player id is not a save slot


def test_a_save_of_thousands_of_events_is_refused_quickly_not_hung(container):
    app = app_of(container)
    owner = app.accounts.create_player().aggregate
    slot = app.narrative.open_save_slot(owner.id, "main").aggregate
    for i in range(4000):
        slot.save_progress({"i": i})
    started = time.monotonic()
    with pytest.raises(TooManyEvents):
        app.store.save(slot)
    assert time.monotonic() - started < 1
    assert app.narrative.get_save_slot(slot.id).version == 1


def test_a_save_at_the_bound_completes(container):
    app = app_of(container)
    owner = app.accounts.create_player().aggregate
    slot = SaveSlot.open(owner.id, "big")
    for i in range(MAX_EVENTS_PER_SAVE - 1):
        slot.save_progress({"i": i})
    app.store.save(slot)
    assert app.narrative.get_save_slot(slot.id).progression_version == MAX_EVENTS_PER_SAVE - 1


def test_an_aggregate_a_caller_changed_without_saving_never_reaches_the_store(container):
    app = app_of(container)
    owner = app.accounts.create_player().aggregate
    slot = app.narrative.open_save_slot(owner.id, "main").aggregate
    slot.save_progress({"rogue": True})  # mutated, never saved
    app.narrative.save_progress(slot.id, {"legit": True}, expected_version=1)
    stored = [e.narrative_state for e in app.store.events.get(slot.id) if hasattr(e, "progression_version")]
    assert stored == [{"legit": True}]


def test_a_cache_trailing_another_process_is_corrected_by_the_store(container, database, tmp_path):
    from infra.entrypoints.bootstrap import Container
    from tests.fixtures.db import make_settings

    other = Container(make_settings(database, tmp_path))
    try:
        owner = app_of(container).accounts.create_player().aggregate
        slot_id = app_of(container).narrative.open_save_slot(owner.id, "main").aggregate.id
        app_of(container).narrative.get_save_slot(slot_id)  # cached at version 1 here
        app_of(other).narrative.save_progress(slot_id, {"by": "other"}, expected_version=1)
        # Trusting the stale cache fails at the store, which then tells the truth.
        with pytest.raises(VersionConflict) as caught:
            app_of(container).narrative.save_progress(slot_id, {"by": "us"}, expected_version=1)
        assert caught.value.details["current_version"] == 2
        written = app_of(container).narrative.save_progress(slot_id, {"by": "us"}, expected_version=2)
        assert written.aggregate.version == 3
        # Without an expected version the command is re-decided on fresh state.
        app_of(other).narrative.save_progress(slot_id, {"by": "other again"}, expected_version=3)
        app_of(container).accounts.update_player(owner.id, display_name="fresh")
        assert app_of(other).narrative.get_save_slot(slot_id).version == 4
    finally:
        other.close()


def test_writes_go_on_while_vacuum_or_analyze_holds_the_events_table(container):
    """Autovacuum and ANALYZE take SHARE UPDATE EXCLUSIVE. Writers serialise on an
    advisory lock, not on a table lock that would wait behind them."""
    app = app_of(container)
    player = app.accounts.create_player("Ada").aggregate
    with container.pool.connection() as maintenance, maintenance.transaction():
        maintenance.execute("LOCK TABLE lorekeeper_events IN SHARE UPDATE EXCLUSIVE MODE")
        started = time.monotonic()
        written = app.accounts.update_player(player.id, display_name="Ada Lovelace")
        assert time.monotonic() - started < 1.0  # would wait until this transaction ends
    assert written.position == stored_rows(container)[-1]["notification_id"]


def test_writers_of_different_aggregates_still_take_turns(container, database, tmp_path):
    """Another process's recorder (its own pool, as a second API process would
    have) waits while a write is in progress, and goes on once it commits."""
    import threading

    from infra.entrypoints.bootstrap import Container
    from tests.fixtures.db import make_settings

    other = Container(make_settings(database, tmp_path))
    try:
        player = app_of(other).accounts.create_player("Bob").aggregate
        done = threading.Event()

        def write() -> None:
            app_of(other).accounts.update_player(player.id, display_name="Bob B")
            done.set()

        with container.pool.connection() as writer, writer.transaction():
            for statement in container.store.recorder.lock_table_statements:
                writer.execute(statement)  # a write in progress, not yet committed
            thread = threading.Thread(target=write)
            thread.start()
            assert not done.wait(0.5)  # waiting its turn
        assert done.wait(10)  # the turn came with the commit
        thread.join(10)
    finally:
        other.close()


def test_events_and_snapshots_are_exchanged_in_binary_and_read_back_byte_for_byte(container):
    """Both recorders send their arrays of stored events in binary (``%b``) and
    read them with binary results: a state of any bytes (quotes, backslashes,
    braces, NUL, non-UTF-8, as sealed personal fields are) comes back as it
    went in, and a read's bounds, order and limit hold as eventsourcing's."""
    from eventsourcing.persistence import StoredEvent

    from infra.persistence import EventsInBinary

    awkward = b'{"a": "\\\\ \\" ( ) , {} \\u00e9"}\x00\xff\xfe' + bytes(range(256))
    for recorder in (container.store.recorder, container.store.snapshots.recorder):
        assert isinstance(recorder, EventsInBinary)
        assert "%b" in recorder.insert_events_statement.as_string()
        originator = uuid4()
        recorder.insert_events([StoredEvent(originator, 1, "lorekeeper.test", awkward)])
        (back,) = recorder.select_events(originator)
        assert back.state == awkward and back.topic == "lorekeeper.test" and back.originator_version == 1
        assert back.originator_id == originator and type(back.state) is bytes
        recorder.insert_events([StoredEvent(originator, v, "lorekeeper.test", bytes([v])) for v in (2, 3, 4)])
        assert [e.originator_version for e in recorder.select_events(originator, gt=1, lte=3)] == [2, 3]
        assert [e.state for e in recorder.select_events(originator, desc=True, limit=2)] == [b"\x04", b"\x03"]


def test_a_closed_store_leaves_no_thread_behind_and_refuses_writes(database, tmp_path):
    """A process that opens and closes containers (the CLI's commands, tests,
    an operator's script) kept the group committer's and the snapshot
    writer's threads of every closed store, parked, holding its pools."""
    import threading

    from domain.adventure import AdventureUseCases
    from infra.entrypoints.bootstrap import Container
    from infra.group_commit import CommitterClosed
    from tests.fixtures.db import make_settings

    def threads() -> dict[str, int]:
        names = ("event-store-group-commit", "snapshot-writer")
        return {name: sum(t.name == name for t in threading.enumerate()) for name in names}

    before = threads()
    for i in range(3):
        c = Container(make_settings(database, tmp_path / str(i), snapshot_intervals={"World": 1}))
        c.use(AdventureUseCases).create_world(f"W{i}", "flat", 1, {}, {})  # a snapshot, written in the background
        assert threads() == {name: n + 1 for name, n in before.items()}
        c.close()
        assert threads() == before
        with pytest.raises(CommitterClosed):
            c.recorder.committer.submit([])


def waits_for_the_ddl_lock(database: str, create) -> bool:
    """Whether ``create()`` waits while another connection holds the DDL lock
    (and then finishes once it is let go)."""
    import threading

    import psycopg

    from projections.ddl import DDL_LOCK

    done, errors = threading.Event(), []

    def run() -> None:
        try:
            create()
        except BaseException as error:
            errors.append(error)
        done.set()

    with psycopg.connect(database, autocommit=True) as other:  # another process, changing the schema
        other.execute("SELECT pg_advisory_lock(%s)", (DDL_LOCK,))
        threading.Thread(target=run, daemon=True).start()
        waited = not done.wait(1.0)
        other.execute("SELECT pg_advisory_unlock(%s)", (DDL_LOCK,))
        assert done.wait(30) and errors == []
    return waited


def test_the_event_store_and_the_data_keys_create_their_schema_in_turn_with_other_processes(database, tmp_path):
    """``serve`` starts its children at once, each creating what it needs:
    eventsourcing's ``CREATE OR REPLACE FUNCTION`` from two at a time failed
    one with "tuple concurrently updated", and that child exited. Every
    schema change, the library's too, now waits for the DDL lock."""
    from infra.entrypoints.bootstrap import Container
    from tests.fixtures.db import make_settings

    first = Container(make_settings(database, tmp_path / "first"))
    try:
        first.keys  # noqa: B018 (so that only the store's own schema is left to create)
        assert waits_for_the_ddl_lock(database, lambda: first.store), "the event store did not wait its turn"
    finally:
        first.close()
    second = Container(make_settings(database, tmp_path / "second"))
    try:
        assert waits_for_the_ddl_lock(database, lambda: second.keys), "the data keys' table did not wait its turn"
    finally:
        second.close()
