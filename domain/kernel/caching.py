"""How the store reads: loading an aggregate (type, ownership and version
checked), its aggregate cache (which copies it trusts, what the log says other
processes wrote), and reading many aggregates in one go. Writing and the
load-decide-save loop are store.py's.

The store trusts a cached aggregate instead of reading it again before every
command; a write from a stale copy is refused by the store's unique
``(originator_id, originator_version)`` key. A copy that is only read is held
to the log instead: ``note_versions`` (fed by infra/cache_keeper.py) raises
each aggregate's floor (kernel/floors.py), and a copy below it is not trusted.

``preloaded`` reads the aggregates a turn is about to load that the cache does
not hold, all at once: with eventsourcing's repository each load that misses
is two round trips (its latest snapshot, then the events after it), one after
another, and an AI's turn loads up to nine aggregates. PostgreSQL's recorder
offers the batched read (``select_aggregates``, infra/persistence.py: one
query); an in-memory store has none, and ``preloaded`` reads nothing there.
"""

from __future__ import annotations

import contextlib
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, LRUCache, ProcessingEvent

from domain.kernel.aggregate import Aggregate
from domain.kernel.errors import NotFound, PermissionDenied, VersionConflict
from domain.kernel.floors import Floors
from domain.kernel.holdings import Holdings, holdings_id

A = TypeVar("A", bound=Aggregate)

PRELOAD_MAX = 64  # aggregates read by one query at most


def project(aggregate: Any, events: Iterable[Any]) -> Any:
    """eventsourcing's ``project_aggregate`` without its check that each event
    is a ``CanMutateProtocol``: a runtime protocol check costs several
    microseconds an event (4% of the projector process taking agents' turns),
    and every event of this store is one of the kernel's, which can mutate."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


class CachingApplication(Application[UUID]):
    def __init__(self, env: Any = None) -> None:
        super().__init__(env)
        # Plain counters (the domain imports no metrics library); infra exports them.
        self.cache_lookups = 0
        self.cache_hits = 0
        self.floors = Floors()  # the versions other writers reached
        self._absent = threading.local()  # what the preloaded block this thread is in found missing

    def cached(self, *aggregate_ids: UUID) -> bool:
        """True if loading these aggregates needs no database read."""
        return all(self._trusted_copy(i) is not None for i in aggregate_ids)

    def _trusted_copy(self, aggregate_id: UUID) -> Any:
        """The cached copy of the aggregate, unless there is none or it trails
        what another process wrote (a peek: not an LRU access)."""
        cache = self.repository.cache
        entry = cache.cache.get(aggregate_id) if cache is not None else None
        if entry is None:
            return None
        copy = entry[LRUCache.RESULT] if isinstance(cache, LRUCache) else entry
        return None if self.floors.trails(aggregate_id, copy.version) else copy

    def note_versions(self, versions: Iterable[tuple[UUID, int]]) -> None:
        """The log says these aggregates reached these versions (a process's
        follower of the log calls this with every write it sees, this process's
        own included): a cached copy that trails them is dropped now, and one
        put back by a read that raced the write is read again at its next load."""
        versions = list(versions)
        dropped = self.floors.raise_to(versions)
        if self.repository.cache is None:
            return
        for aggregate_id in dropped:
            self.evict(aggregate_id)
        for aggregate_id, _ in versions:
            if aggregate_id in self.repository.cache.cache and self._trusted_copy(aggregate_id) is None:
                self.evict(aggregate_id)

    def _forget(self, processing: ProcessingEvent[UUID]) -> None:
        for aggregate_id in processing.aggregates:
            self.evict(aggregate_id)

    def evict(self, aggregate_id: UUID) -> None:
        if self.repository.cache is not None:
            with contextlib.suppress(KeyError):
                self.repository.cache.get(aggregate_id, evict=True)

    # -- reading many at once -------------------------------------------------------

    @contextlib.contextmanager
    def preloaded(self, *aggregate_ids: UUID) -> Iterator[None]:
        """Read into the cache, in one query, the aggregates among these
        that it does not hold or no longer trusts, for the loads inside the
        block. Those not in the store at all are remembered by this thread for
        the block: a load of one finds it absent without asking again (an
        aggregate someone creates meanwhile is refused at write by the store's
        unique key, as any stale copy is)."""
        cache = self.repository.cache
        read = getattr(self.recorder, "select_aggregates", None)
        wanted = [i for i in dict.fromkeys(aggregate_ids) if self._trusted_copy(i) is None and not self.known_absent(i)]
        absent: set[UUID] = set()
        if cache is not None and read is not None:
            for start in range(0, len(wanted), PRELOAD_MAX):
                absent |= self._preload(cache, read, wanted[start : start + PRELOAD_MAX])
        outer: set[UUID] | None = getattr(self._absent, "ids", None)
        if outer is None:
            self._absent.ids = absent
        else:  # a block inside another shares its set: what either finds absent, or writes, holds for both
            outer |= absent
        try:
            yield
        finally:
            if outer is None:
                self._absent.ids = None

    def warm(self, aggregate_ids: Iterable[UUID]) -> None:
        """Read into the cache, in as few queries as it takes, those of these it
        lacks or no longer trusts: ahead of many commands that will each load
        one (a claim of due timers). Unlike ``preloaded``, nothing is
        remembered absent afterwards."""
        with self.preloaded(*aggregate_ids):
            pass

    def _preload(self, cache: Any, read: Any, wanted: list[UUID]) -> set[UUID]:
        """Read ``wanted`` into the cache; returns those the store does not have."""
        stored: dict[UUID, list[Any]] = defaultdict(list)
        for row in read(wanted):  # each one's latest snapshot, then its events after it
            stored[row.originator_id].append(row)
        absent: set[UUID] = set()
        for aggregate_id in wanted:
            aggregate = project(None, [self.mapper.to_domain_event(s) for s in stored.get(aggregate_id, ())])
            if aggregate is None:
                absent.add(aggregate_id)
            elif self._trusted_copy(aggregate_id) is None:  # a write here may have put a newer copy meanwhile
                cache.put(aggregate_id, aggregate)
        return absent

    def _written(self, aggregate_ids: Iterable[UUID]) -> None:
        """Aggregates this thread writes are absent no longer (written, or found
        there by the write that failed)."""
        absent: set[UUID] | None = getattr(self._absent, "ids", None)
        if absent:
            absent.difference_update(aggregate_ids)

    def known_absent(self, aggregate_id: UUID) -> bool:
        """True if a preload of the block this thread is in found no such aggregate."""
        absent: set[UUID] | None = getattr(self._absent, "ids", None)
        return absent is not None and aggregate_id in absent

    # -- loading -------------------------------------------------------------------------

    def load(
        self,
        cls: type[A],
        aggregate_id: UUID,
        expected_version: int | None = None,
        actor_id: UUID | None = None,
    ) -> A:
        """The aggregate, checked for type, ownership (when an actor is given)
        and version (when one is expected)."""
        if self.known_absent(aggregate_id):
            raise _not_found(cls, aggregate_id)
        cache = self.repository.cache
        if cache is not None:
            self.cache_lookups += 1
            self.cache_hits += aggregate_id in cache.cache  # a peek, not a second (locked) LRU access
        try:
            aggregate: Any = self.repository.get(aggregate_id, projector_func=project)
            if (
                aggregate.pending_events
                or self.floors.trails(aggregate_id, aggregate.version)
                or (expected_version is not None and aggregate.version < expected_version)
            ):
                # A cached copy someone changed without saving, or one that
                # trails a write made elsewhere: read the store instead.
                self.evict(aggregate_id)
                aggregate = self.repository.get(aggregate_id, projector_func=project)
        except AggregateNotFoundError:
            raise _not_found(cls, aggregate_id) from None
        if not isinstance(aggregate, cls):
            raise _not_found(cls, aggregate_id)
        if actor_id is not None and aggregate.owner_id != actor_id:
            raise PermissionDenied(f"{cls.__name__} {aggregate_id} belongs to another player")
        if expected_version is not None and aggregate.version != expected_version:
            raise VersionConflict(
                f"expected version {expected_version}, current version is {aggregate.version}",
                current_version=aggregate.version,
            )
        return aggregate

    def load_at(self, cls: type[A], aggregate_id: UUID, version: int) -> A:
        """The aggregate as it was at ``version`` (nearest snapshot plus replay)."""
        try:
            aggregate: Any = self.repository.get(aggregate_id, version=version, projector_func=project)
        except AggregateNotFoundError:
            raise _not_found(cls, aggregate_id) from None
        if not isinstance(aggregate, cls):
            raise _not_found(cls, aggregate_id)
        return aggregate

    def holdings(self, player_id: UUID) -> Holdings:
        """What the player owns (a new, unsaved ``Holdings`` if nothing yet):
        acquire what a command creates and save it in the same write."""
        try:
            return self.load(Holdings, holdings_id(player_id))
        except NotFound:
            return Holdings(player_id=player_id)


def _not_found(cls: type[Any], aggregate_id: UUID) -> NotFound:
    return NotFound(f"{cls.__name__} {aggregate_id} not found", id=str(aggregate_id))
