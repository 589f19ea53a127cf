"""The store's cache on the in-memory recorder, given the batched reads the
PostgreSQL recorders offer (built here on the in-memory ones): what a
preloaded block reads, what it finds absent and for how long, and what it
never overwrites."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from domain.kernel import caching
from domain.kernel.caching import project
from domain.kernel.errors import NotFound
from domain.kernel.store import Lorekeeper
from domain.live import Character
from tests.unit.kernel.test_store_paths import moved, store


def batched(built: Lorekeeper, asked: list[list[UUID]] | None = None) -> Lorekeeper:
    """The store with ``select_aggregates`` (PostgreSQL's recorder's batched
    read, built on the in-memory recorders); ``asked`` records each batch read."""

    def select_aggregates(ids):
        if asked is not None:
            asked.append(list(ids))
        rows = []
        for i in ids:
            latest = built.snapshots.recorder.select_events(i, desc=True, limit=1) if built.snapshots else []
            rows += [*latest, *built.recorder.select_events(i, gt=latest[0].originator_version if latest else None)]
        return rows

    built.recorder.select_aggregates = select_aggregates  # type: ignore[attr-defined]
    return built


def characters(built: Lorekeeper, count: int, moves: int = 0) -> list[UUID]:
    made = []
    for n in range(count):
        character = Character.create(uuid4(), f"C{n}", 0, 0)
        built.write(moved(character, moves) if moves else character)
        made.append(character.id)
    return made


def test_a_preloaded_block_reads_what_the_cache_does_not_trust_in_batches(monkeypatch):
    monkeypatch.setattr(caching, "PRELOAD_MAX", 2)
    asked: list[list[UUID]] = []
    built = batched(store(cache=True), asked)
    ids = characters(built, 3)
    trusted = ids[0]
    for i in ids[1:]:
        built.evict(i)
    with built.preloaded(*ids, ids[1]):
        assert asked == [ids[1:]], "only what the cache lacks, each once"
        assert built.cached(*ids)
    for i in ids:
        built.evict(i)
    asked.clear()
    with built.preloaded(*ids):
        assert asked == [ids[:2], ids[2:]], "at most PRELOAD_MAX a read"
    assert built.load(Character, trusted).id == trusted


def test_a_preloaded_aggregate_is_its_snapshot_and_the_events_after_it():
    built = batched(store(cache=True, intervals={Character: 5}))
    (character,) = characters(built, 1, moves=4)  # version 5: a snapshot
    built.write(moved(built.load(Character, character), 2))  # version 7, two past it
    assert [s.originator_version for s in built.snapshots.recorder.select_events(character)] == [5]  # type: ignore[union-attr]
    expected = built.load(Character, character)
    built.evict(character)
    with built.preloaded(character):
        assert built.cached(character)
        loaded = built.load(Character, character)
    assert (loaded.version, loaded.position_x) == (expected.version, expected.position_x) == (7, 1)


def test_what_a_block_finds_absent_is_absent_inside_it_until_written():
    built = batched(store(cache=True))
    missing, (present,) = uuid4(), characters(built, 1)
    built.evict(present)
    with built.preloaded(missing, present):
        assert built.known_absent(missing) and not built.known_absent(present)
        with pytest.raises(NotFound):
            built.load(Character, missing)
        with built.preloaded(missing):  # a block inside keeps what the outer one found
            assert built.known_absent(missing)
        assert built.known_absent(missing)
        other = uuid4()
        with built.preloaded(other):
            built._written([missing])  # as a save of it does, inside the inner block
        assert not built.known_absent(missing), "written (or found by a failed write): absent no longer, outside too"
        assert built.known_absent(other), "what the inner block found absent holds for the rest of the outer"
    assert not built.known_absent(missing) and not built.known_absent(other)


def test_a_block_without_batched_reads_or_a_cache_reads_nothing_and_knows_nothing_absent():
    missing = uuid4()
    for built in (store(cache=True), batched(store(cache=False))):
        with built.preloaded(missing):
            assert not built.known_absent(missing)
            assert not built.cached(missing)


def test_a_preload_never_puts_back_an_older_copy_than_one_written_meanwhile():
    built = batched(store(cache=True))
    (character,) = characters(built, 1)
    built.evict(character)
    first = list(built.recorder.select_events(character))  # version 1, as the batched read sees it

    def read_then_written_here(pairs):  # the read is done; then this process writes version 2
        built.write(moved(built.load(Character, character), 1))
        return first

    built.recorder.select_aggregates = read_then_written_here  # type: ignore[attr-defined]
    with built.preloaded(character):
        assert built.load(Character, character).version == 2


def test_projecting_mutates_event_by_event_and_nothing_stays_nothing():
    character = moved(Character.create(uuid4(), "Ada", 0, 0), 2)
    events = character.collect_events()
    assert project(None, []) is None
    rebuilt = project(None, events)
    assert (rebuilt.id, rebuilt.version, rebuilt.position_x) == (character.id, 3, 1)


def test_without_snapshots_a_block_reads_the_events_alone():
    built = store(cache=True)
    built.snapshots = None
    batched(built)
    (character,) = characters(built, 1, moves=2)
    built.evict(character)
    with built.preloaded(character):
        assert built.cached(character)
        assert built.load(Character, character).version == 3


def test_warming_reads_what_the_cache_lacks_at_once_and_remembers_nothing_absent():
    asked: list[list[UUID]] = []
    built = batched(store(cache=True), asked)
    ids = characters(built, 3)
    missing = uuid4()
    built.evict(ids[1])
    built.evict(ids[2])
    built.warm([*ids, missing])
    assert asked == [[ids[1], ids[2], missing]], "one read, of what the cache lacks"
    assert built.cached(*ids)
    assert not built.known_absent(missing)  # a warm-up is no block: a load of it asks the store again
    asked.clear()
    built.warm(ids)
    assert asked == [], "all trusted: nothing read"
