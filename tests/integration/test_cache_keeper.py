"""Two processes on one event store, each with its aggregate cache (as
``lorekeeper serve`` runs the API and the projector process): what one writes,
the other reads, although it had cached the aggregate before, and a decision
the other makes on an aggregate it only reads sees the write that set it off.
And a preloaded block reads many aggregates in one query."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import orjson
import pytest

from domain.accounts import Player
from domain.adventure import AdventureUseCases, Relationship
from domain.adventure.relationships import relationship_id
from domain.kernel.aggregate import Snapshot
from domain.kernel.holdings import Holdings, holdings_id
from domain.narrative import SaveSlot
from infra.entrypoints.bootstrap import Container
from infra.fanout.ai import TURNS_TOPIC, AiConsumer
from infra.fanout.messages import Message
from tests.fixtures.db import make_settings
from tests.integration.kafka_helpers import wait_until
from tests.support import app_of


@pytest.fixture
def other(database: str, tmp_path: Path, container: Container) -> Iterator[Container]:
    """A second process's composition root on the same database (and keys)."""
    c = Container(make_settings(database, tmp_path))
    yield c
    c.close()


def test_a_copy_another_process_moved_past_is_read_again(container, other):
    here, there = app_of(container), app_of(other)
    owner = here.accounts.create_player().aggregate
    slot = here.narrative.open_save_slot(owner.id, "shared").aggregate.id
    assert there.narrative.get_save_slot(slot).version == 1  # cached there now
    here.narrative.save_progress(slot, {"chapter": 2}, expected_version=1)

    assert there.narrative.get_save_slot(slot).version == 1, "the copy is trusted until the log says otherwise"
    assert other.cache_keeper.catch_up() >= 1
    assert not other.store.cached(slot)
    assert there.narrative.get_save_slot(slot).version == 2
    assert other.store.cached(slot), "read again, and cached at the new version"


def test_a_process_following_the_log_sees_other_writes_within_a_round(container, other):
    here, there = app_of(container), app_of(other)
    owner = here.accounts.create_player().aggregate
    slot = here.narrative.open_save_slot(owner.id, "followed").aggregate.id
    assert there.narrative.get_save_slot(slot).version == 1
    other.keep_cache()
    other.keep_cache()  # once per process, however often asked
    here.narrative.save_progress(slot, {"chapter": 2}, expected_version=1)
    wait_until(lambda: there.narrative.get_save_slot(slot).version == 2, 10, 0, "the other process to see the write")


def test_its_own_writes_stay_cached(container):
    app = app_of(container)
    owner = app.accounts.create_player().aggregate
    slot = app.narrative.open_save_slot(owner.id, "mine").aggregate.id
    app.narrative.save_progress(slot, {"chapter": 2}, expected_version=1)
    container.cache_keeper.catch_up()
    assert container.store.cached(slot), "a write this process made is not a reason to read it again"


def test_a_turn_decides_on_what_set_it_off_not_on_an_older_copy(container, other):
    """The character master answers a relationship turning hostile. The
    projector process (``other``) had cached the pair's relationship while it
    was merely unfriendly; the API process (``container``) turns it hostile.
    Trusting its copy, the turn would find the pair unfriendly and answer
    nothing (its timer gone for good)."""
    api = container.use(AdventureUseCases)
    world = api.create_world(f"Feuds {uuid4().hex[:6]}", "flat", 1, {}, {}).aggregate.id
    master = api.agents.register(f"Warden {uuid4().hex[:6]}", "character_master", {}).aggregate.id
    owner = uuid4()
    a, b = (api.create_character(owner, world, n, "warrior", {}, (8.0, 70.0, 8.0)).aggregate.id for n in "AB")
    api.interact(owner, a, b, "quarrel", -25)
    pair = relationship_id(a, b)
    assert other.store.load(Relationship, pair).value == -25  # the projector process's copy: unfriendly
    api.interact(owner, a, b, "attack", -25)  # -50: hostile now

    other.follower.run_once()  # the scheduler sets the master's turn
    assert other.timer_worker.fire_due(datetime.now(UTC)) >= 1
    other.follower.run_once()  # and the read side has what the turn wrote

    with other.pool.connection() as conn:
        triggers = conn.execute(
            "SELECT trigger FROM adventure.world_evolution_log WHERE agent_id = %s", (master,)
        ).fetchall()
    assert len(triggers) == 1 and triggers[0]["trigger"].startswith(f"hostile:{pair}:"), (
        "the turn answered the relationship as it is, hostile"
    )


def test_an_ai_member_learns_the_log_before_a_batch_of_turns():
    """A member of ``lorekeeper-ai`` takes turns another process handed over:
    its cache learns the log once per batch that holds turns, before them."""
    calls: list[str] = []
    consumer = AiConsumer({"t": lambda subject, due: calls.append("turn")}, refresh=lambda: calls.append("refresh"))
    turn = {"kind": "t", "subject": str(uuid4()), "due": datetime.now(UTC).isoformat()}
    consumer.apply_all(
        None, [Message(TURNS_TOPIC, b"k1", orjson.dumps(turn)), Message(TURNS_TOPIC, b"k2", orjson.dumps(turn))]
    )
    assert calls == ["refresh", "turn", "turn"]
    consumer.apply_all(None, [])
    assert calls == ["refresh", "turn", "turn"], "no turns, nothing to learn"
    consumer.calls.close()


def test_a_preloaded_block_reads_many_aggregates_at_once(database, tmp_path, container):
    """Aggregates written by one process are read by another's preload in one
    query, snapshots included, and the block's loads ask nothing more; one
    not in the store is known absent inside the block (no query either), and
    found once this thread writes it."""
    here = app_of(container)
    owner = here.accounts.create_player().aggregate
    slots = [here.narrative.open_save_slot(owner.id, f"s{n}").aggregate.id for n in range(3)]
    for version in range(1, 6):
        here.narrative.save_progress(slots[0], {"v": version}, expected_version=version)
    container.store.snapshots.put([Snapshot.take(container.store.load(SaveSlot, slots[0]))])
    here.narrative.save_progress(slots[0], {"v": 6}, expected_version=6)  # one event past the snapshot
    newcomer = uuid4()
    reader = Container(make_settings(database, tmp_path))
    try:
        store = reader.store
        asked: list[str] = []
        store.recorder.select_aggregates = counted(store.recorder.select_aggregates, "select_aggregates", asked)
        store.recorder.select_events = counted(store.recorder.select_events, "select_events", asked)
        store.snapshots.recorder.select_events = counted(store.snapshots.recorder.select_events, "snapshot", asked)
        with store.preloaded(*slots, owner.id, holdings_id(newcomer)):
            assert asked == ["select_aggregates"]
            assert store.load(SaveSlot, slots[0]).version == 7
            assert store.load(SaveSlot, slots[0]).narrative_state == {"v": 6}
            assert store.load(Player, owner.id).id == owner.id
            holdings = store.holdings(newcomer)
            assert [type(e).__name__ for e in holdings.pending_events] == ["Created"], "known absent: a new one"
            assert asked == ["select_aggregates"], "nothing more asked inside the block"
            store.write(holdings)
            assert store.load(Holdings, holdings_id(newcomer)).id == holdings.id, "found once written"
        assert not store.known_absent(holdings_id(newcomer)), "absent only inside the block"
    finally:
        reader.close()


def counted(call, name: str, asked: list[str]):
    def counting(*args, **kwargs):
        asked.append(name)
        return call(*args, **kwargs)

    return counting
