"""The kernel store's other paths on the in-memory recorder: the async write
(with a recorder that inserts without blocking, as the group committer does),
the aggregate cache, snapshots when due, and past versions."""

from __future__ import annotations

import asyncio
import copy
from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent

from domain.accounts import Player
from domain.kernel.aggregate import Aggregate
from domain.kernel.errors import ConcurrentWrite, NotFound
from domain.kernel.floors import Floors
from domain.kernel.holdings import Holdings
from domain.kernel.saving import recordings_of
from domain.kernel.store import Lorekeeper
from domain.live import Character
from domain.narrative import SaveSlot
from infra.crypto import MemoryKeys
from infra.persistence import PERSISTENCE_ENV

MEMORY = {**PERSISTENCE_ENV, "PERSISTENCE_MODULE": "eventsourcing.popo", "APPLICATION_RECORDER_TOPIC": ""}


def store(cache: bool = False, asynchronous: bool = True, intervals: dict | None = None) -> Lorekeeper:
    env = {**MEMORY, **({"AGGREGATE_CACHE_MAXSIZE": "100", "AGGREGATE_CACHE_FASTFORWARD": "n"} if cache else {})}
    built = Lorekeeper(env, aggregates=[Player, Character, SaveSlot], snapshot_intervals=intervals or {Character: 10})
    built.mapper.keys = MemoryKeys()  # type: ignore[attr-defined]
    if asynchronous:
        inserts: list[int] = []

        async def insert_events_async(stored: list[StoredEvent]) -> list[int]:
            inserts.append(len(stored))
            return list(built.recorder.insert_events(stored))

        built.recorder.insert_events_async = insert_events_async  # type: ignore[attr-defined]
        built.async_inserts = inserts  # type: ignore[attr-defined]
    return built


def moved(character: Character, times: int) -> Character:
    for i in range(times):
        character.trigger_event(Character.Moved, position_x=i % 3, position_y=0)
    return character


def test_the_store_knows_every_type_and_snapshots_holdings_by_default():
    built = store()
    assert set(built.aggregate_types) == {"Holdings", "Player", "Character", "SaveSlot"}
    assert built.aggregate_types["Holdings"] is Holdings
    assert built.snapshotting_intervals == {Holdings: 100, Character: 10}
    assert built.snapshots is not None


def test_an_async_save_inserts_without_blocking_and_answers_with_positions():
    built = store()
    character = Character.create(uuid4(), "Ada", 0, 0)
    recordings = asyncio.run(built.save_async(moved(character, 3)))
    assert built.async_inserts == [4]  # type: ignore[attr-defined]
    assert [r.notification.id for r in recordings] == [1, 2, 3, 4]
    assert [r.domain_event.originator_version for r in recordings] == [1, 2, 3, 4]
    assert recordings[0].notification.topic == "lorekeeper.character.Created"
    assert character.pending_events == []
    assert built.load(Character, character.id).version == 4


def test_an_async_save_of_personal_data_seals_it_and_reads_back():
    built = store()
    player = Player(display_name="Ada")
    asyncio.run(built.save_async(player))
    stored = built.recorder.select_events(player.id)[0]
    assert b"Ada" not in stored.state
    assert built.load(Player, player.id).display_name == "Ada"


def test_an_async_save_takes_a_snapshot_only_when_one_is_due():
    built = store()
    character = Character.create(uuid4(), "Ada", 0, 0)
    asyncio.run(built.save_async(moved(character, 8)))  # version 9
    assert list(built.snapshots.get(character.id)) == []
    asyncio.run(built.save_async(moved(character, 1)))  # version 10
    (snapshot,) = built.snapshots.get(character.id)
    assert snapshot.originator_version == 10
    other = Player(display_name="Bob")
    asyncio.run(built.save_async(other))
    assert list(built.snapshots.get(other.id)) == []  # a type without an interval


def test_an_async_save_that_loses_a_race_is_a_concurrent_write_and_leaves_the_cache():
    built = store(cache=True)
    character = Character.create(uuid4(), "Ada", 0, 0)
    asyncio.run(built.save_async(character))
    assert built.cached(character.id)
    first, second = built.load(Character, character.id), built.load(Character, character.id)
    asyncio.run(built.save_async(moved(first, 1)))
    with pytest.raises(ConcurrentWrite):
        asyncio.run(built.save_async(moved(second, 1)))
    assert not built.cached(character.id)
    assert built.load(Character, character.id).version == 2


def test_without_an_async_recorder_save_async_is_save():
    built = store(asynchronous=False)
    character = Character.create(uuid4(), "Ada", 0, 0)
    recordings = asyncio.run(built.save_async(moved(character, 1)))
    assert [r.notification.id for r in recordings] == [1, 2]


def test_the_cache_is_counted_and_a_copy_changed_without_saving_is_never_served():
    built = store(cache=True)
    assert not store().cached(uuid4())  # no cache at all
    character = Character.create(uuid4(), "Ada", 0, 0)
    built.write(character)
    lookups, hits = built.cache_lookups, built.cache_hits
    loaded = built.load(Character, character.id)
    assert (built.cache_lookups, built.cache_hits) == (lookups + 1, hits + 1)
    moved(loaded, 2)  # changed, never saved
    assert built.load(Character, character.id).version == 1
    built.evict(character.id)
    assert not built.cached(character.id)
    built.evict(character.id)  # evicting what is not there is fine
    assert built.load(Character, character.id).version == 1 and built.cached(character.id)


def test_a_past_version_is_rebuilt_and_checked_for_type():
    built = store()
    character = moved(Character.create(uuid4(), "Ada", 0, 0), 12)
    built.write(character)
    past = built.load_at(Character, character.id, 5)
    assert past.version == 5 and past.position_x == (3 % 3)
    assert built.load_at(Character, character.id, 11).version == 11  # from the snapshot at 10
    with pytest.raises(NotFound):
        built.load_at(Player, character.id, 2)
    with pytest.raises(NotFound):
        built.load_at(Character, uuid4(), 1)


def test_recordings_pair_events_with_their_positions():
    events = [object(), object()]
    stored = [StoredEvent(uuid4(), v, "t", b"{}") for v in (1, 2)]
    assert recordings_of(events, stored, None) == []
    recordings = recordings_of(events, stored, [7, 8])
    assert [r.domain_event for r in recordings] == events
    assert [(r.notification.id, r.notification.originator_version) for r in recordings] == [(7, 1), (8, 2)]
    assert recordings[0].notification.originator_id == stored[0].originator_id
    assert recordings[0].notification.topic == "t" and recordings[0].notification.state == b"{}"


def test_the_aggregate_base_is_abstract_enough():
    assert Aggregate.create_id() != Aggregate.create_id()


def test_a_recorder_must_give_one_position_per_event():
    stored = [StoredEvent(uuid4(), v, "t", b"{}") for v in (1, 2)]
    with pytest.raises(ValueError):
        recordings_of([object(), object()], stored, [7])


def test_a_save_collects_aggregates_and_loose_events_and_skips_nothing_else():
    from domain.kernel.saving import MAX_EVENTS_PER_SAVE, check_bound, collect

    character = moved(Character.create(uuid4(), "Ada", 0, 0), 1)
    loose = moved(Character.create(uuid4(), "Bob", 0, 0), 0).collect_events()[0]
    processing = collect([character, None, loose])
    assert len(processing.events) == 3 and processing.events[-1] is loose
    assert list(processing.aggregates) == [character.id]
    exactly = moved(Character.create(uuid4(), "Cy", 0, 0), MAX_EVENTS_PER_SAVE - 1)
    check_bound([exactly])  # exactly the bound: fine
    moved(exactly, 1)
    with pytest.raises(
        Exception, match=f"^one save may write at most {MAX_EVENTS_PER_SAVE} events, not {MAX_EVENTS_PER_SAVE + 1}$"
    ):
        check_bound([exactly])


def test_not_found_names_the_type_and_the_id():
    built = store()
    missing = uuid4()
    for load in (lambda: built.load(Character, missing), lambda: built.load_at(Character, missing, 1)):
        with pytest.raises(NotFound) as refused:
            load()
        assert refused.value.message == f"Character {missing} not found"
        assert refused.value.details == {"id": str(missing)}
    character = Character.create(uuid4(), "Ada", 0, 0)
    built.write(character)
    with pytest.raises(NotFound) as refused:
        built.load(Player, character.id)
    assert refused.value.message == f"Player {character.id} not found" and refused.value.details == {
        "id": str(character.id)
    }


def test_refusals_of_a_load_say_why():
    from domain.kernel.errors import PermissionDenied, VersionConflict

    built = store()
    owner = uuid4()
    character = Character.create(owner, "Ada", 0, 0)
    built.write(character)
    with pytest.raises(PermissionDenied) as denied:
        built.load(Character, character.id, actor_id=uuid4())
    assert denied.value.message == f"Character {character.id} belongs to another player"
    with pytest.raises(VersionConflict) as conflict:
        built.load(Character, character.id, expected_version=3)
    assert conflict.value.message == "expected version 3, current version is 1"


def test_counters_start_at_zero_and_count_every_load():
    built = store(cache=True)
    assert (built.cache_lookups, built.cache_hits) == (0, 0)
    character = Character.create(uuid4(), "Ada", 0, 0)
    built.write(character)
    for _ in range(3):
        built.load(Character, character.id)
    assert (built.cache_lookups, built.cache_hits) == (3, 3)
    built.evict(character.id)
    built.load(Character, character.id)
    assert (built.cache_lookups, built.cache_hits) == (4, 3)


def test_a_cached_copy_that_trails_a_write_made_elsewhere_is_read_again():
    built = store(cache=True)
    character = Character.create(uuid4(), "Ada", 0, 0)
    built.write(character)
    cached = built.load(Character, character.id)  # version 1, in the cache
    elsewhere = moved(cached, 1)  # another process writes version 2, past this cache
    built.recorder.insert_events([built.mapper.to_stored_event(e) for e in elsewhere.collect_events()])
    assert built.load(Character, character.id, expected_version=2).version == 2


def written_elsewhere(built: Lorekeeper, character: Character, times: int) -> None:
    """Another process (sharing the recorder, not the cache) moves the character on."""
    elsewhere = moved(copy.deepcopy(character), times)
    built.recorder.insert_events([built.mapper.to_stored_event(e) for e in elsewhere.collect_events()])


def test_a_cached_copy_the_log_says_is_behind_is_read_again_though_only_read():
    built = store(cache=True)
    character = Character.create(uuid4(), "Ada", 0, 0)
    built.write(character)
    written_elsewhere(built, built.load(Character, character.id), 2)  # version 3, past this cache
    assert built.load(Character, character.id).version == 1, "trusted until the log says otherwise"
    built.note_versions([(character.id, 2), (character.id, 3), (uuid4(), 7)])
    assert not built.cached(character.id), "dropped as soon as the log says so"
    assert character.id not in built.repository.cache.cache, "not merely distrusted: gone"
    assert built.load(Character, character.id).version == 3
    assert built.cached(character.id)
    built.note_versions([(character.id, 2)])  # an older version changes nothing
    assert built.cached(character.id) and built.floors.trails(character.id, 2)


def test_a_copy_a_read_put_back_after_the_log_moved_on_is_read_again_at_its_next_load():
    built = store(cache=True)
    character = Character.create(uuid4(), "Ada", 0, 0)
    built.write(character)
    stale = built.load(Character, character.id)
    written_elsewhere(built, stale, 1)
    built.note_versions([(character.id, 2)])
    built.repository.cache.put(character.id, stale)  # a read that began before the write ends after it
    assert not built.cached(character.id)
    assert built.load(Character, character.id).version == 2


def test_this_processs_own_writes_keep_their_cached_copies():
    built = store(cache=True)
    character = Character.create(uuid4(), "Ada", 0, 0)
    built.write(character)
    built.write(moved(built.load(Character, character.id), 1))
    built.note_versions([(character.id, 1), (character.id, 2)])
    assert built.cached(character.id)


def test_floors_are_bounded_and_a_dropped_floor_drops_its_copy():
    built = store(cache=True)
    built.floors = Floors(limit=2)
    character = Character.create(uuid4(), "Ada", 0, 0)
    built.write(character)
    built.note_versions([(character.id, 1)])
    assert built.cached(character.id)
    built.note_versions([(uuid4(), 1), (uuid4(), 1)])  # the character's floor is the oldest: dropped
    assert len(built.floors) == 2 and not built.floors.trails(character.id, 0)
    assert not built.cached(character.id), "a copy whose floor is gone could not be checked: read again"
    assert store().note_versions([(character.id, 1)]) is None  # without a cache there is nothing to drop


def test_a_floor_only_rises():
    floors = Floors(limit=3)
    aggregate = uuid4()
    assert floors.raise_to([(aggregate, 4), (aggregate, 2)]) == []
    assert floors.trails(aggregate, 3) and not floors.trails(aggregate, 4) and not floors.trails(uuid4(), 0)
    first, second = uuid4(), uuid4()
    assert floors.raise_to([(first, 1), (second, 1)]) == []
    assert floors.raise_to([(aggregate, 5), (uuid4(), 1)]) == [first], "the least recently raised goes first"
    assert floors.raise_to([(second, 1), (uuid4(), 1)]) == [second], "the same version again is no raise"


def test_a_lost_race_pauses_a_little_longer_each_attempt_then_gives_up():
    from domain.kernel.store import BACKOFF_SECONDS, MAX_ATTEMPTS

    built = store()
    pauses: list[float] = []
    built.pause = pauses.append
    attempts = []

    def lose() -> None:
        attempts.append(1)
        raise ConcurrentWrite("another writer changed this aggregate first")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("random.uniform", lambda low, high: (low, high))
        with pytest.raises(ConcurrentWrite):
            built.change(uuid4(), lose)
    assert len(attempts) == MAX_ATTEMPTS
    assert pauses == [(0, BACKOFF_SECONDS * n) for n in range(1, MAX_ATTEMPTS)]
    won = []
    assert built.change(None, lambda: won.append(1) or "done") == "done" and won == [1]


def test_a_save_inside_a_unit_of_work_snapshots_after_the_commit_and_forgets_on_rollback():
    built = store(cache=True)
    deferred = []
    built.recorder.defer = lambda on_commit, on_rollback: deferred.append((on_commit, on_rollback)) or True
    character = moved(Character.create(uuid4(), "Ada", 0, 0), 9)  # version 10: a snapshot is due
    built.save(character)
    assert list(built.snapshots.get(character.id)) == []  # not before the commit
    on_commit, on_rollback = deferred[0]
    on_commit()
    assert [s.originator_version for s in built.snapshots.get(character.id)] == [10]
    built.load(Character, character.id)
    assert built.cached(character.id)
    on_rollback()
    assert not built.cached(character.id)
    built.recorder.defer = lambda on_commit, on_rollback: False  # not in a unit of work: at once
    other = moved(Character.create(uuid4(), "Bob", 0, 0), 9)
    built.save(other)
    assert [s.originator_version for s in built.snapshots.get(other.id)] == [10]


def test_write_answers_the_last_position_or_none():
    built = store()
    character = moved(Character.create(uuid4(), "Ada", 0, 0), 2)
    assert built.write(character) == 3
    assert built.write(character) is None


def test_a_plain_unbounded_cache_is_held_to_the_log_too():
    built = Lorekeeper(
        {**MEMORY, "AGGREGATE_CACHE_MAXSIZE": "0", "AGGREGATE_CACHE_FASTFORWARD": "n"}, aggregates=[Character]
    )
    built.mapper.keys = MemoryKeys()  # type: ignore[attr-defined]
    character = Character.create(uuid4(), "Ada", 0, 0)
    built.write(character)
    assert built.cached(character.id)
    built.note_versions([(character.id, 2)])
    assert not built.cached(character.id)
