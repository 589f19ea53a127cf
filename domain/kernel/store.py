"""The one eventsourcing ``Application`` every context writes through, so that
all events share one notification log and one global order.

It knows nothing of any context: the composition root hands it the aggregate
types and snapshot intervals the contexts declare. It loads (checking type,
ownership and version: caching.py, its base, with the cache), saves (bounded, lost races reported as
``ConcurrentWrite``, the aggregate cache kept honest), and runs the one
load-decide-save loop every use case is written with (``change``).

Every write returns a ``Written`` with the global position of its last event,
so callers can wait for projections to catch up (read-your-writes).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import ProcessingEvent
from eventsourcing.persistence import IntegrityError, Recording

from domain.kernel.aggregate import Aggregate, Snapshot
from domain.kernel.caching import CachingApplication
from domain.kernel.combining import Batch, Combined, Combiner
from domain.kernel.errors import ConcurrentWrite, VersionConflict
from domain.kernel.holdings import Holdings
from domain.kernel.saving import check_bound, collect, recordings_of, snapshots_due

A = TypeVar("A", bound=Aggregate)

# A lost race without If-Match is decided again on fresh state, this many times
# at most, with a short random pause between attempts (see ``change``): up to
# BACKOFF_SECONDS times the attempt's number.
MAX_ATTEMPTS = 25
BACKOFF_SECONDS = 0.002
_LOCK_STRIPES = 256


@dataclass(frozen=True)
class Written:
    """What a command wrote: the aggregate after it, and the last global position."""

    aggregate: Any
    position: int | None


class Lorekeeper(CachingApplication):
    """The event store of every context. With an aggregate cache configured,
    cached aggregates are trusted rather than fast-forwarded on every load: the
    store's unique (id, version) key still refuses any write based on a stale
    copy, and such a refusal evicts the copy, so the next attempt reads the store.
    What other processes write is learnt from the log (``note_versions``): a
    cached copy they moved past is read again, even one a command only reads."""

    name = "Lorekeeper"  # names the tables: lorekeeper_events, lorekeeper_snapshots
    snapshot_class = Snapshot

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        aggregates: Iterable[type[Aggregate]] = (),
        snapshot_intervals: Mapping[type[Aggregate], int] | None = None,
    ) -> None:
        env = {**(env or {}), "IS_SNAPSHOTTING_ENABLED": "y"}
        super().__init__(env)
        # The kernel's own aggregates first, then every context's.
        kernel: list[type[Aggregate]] = [Holdings]
        self.aggregate_types: dict[str, type[Aggregate]] = {cls.__name__: cls for cls in [*kernel, *aggregates]}
        # Per instance, so that settings, not code, choose which types snapshot.
        # (eventsourcing declares it a ClassVar; an instance attribute overrides it.)
        intervals: dict[Any, int] = {Holdings: 100, **(snapshot_intervals or {})}
        self.snapshotting_intervals = intervals  # type: ignore[misc]
        self._stripes = [threading.RLock() for _ in range(_LOCK_STRIPES)]
        self.pause: Callable[[float], None] = time.sleep  # between attempts of ``change`` (a test seam)
        self.combiner = Combiner(self)
        self.alone: Callable[[], bool] = lambda: False  # this command's write must carry no other
        # Where a due snapshot of an aggregate that holds no personal data is
        # written. None: at once, in the writing thread. The composition root
        # hands it to a background writer (infra/background.py), so that a hot
        # aggregate's turn does not wait on the snapshot's own commit; the
        # snapshot's state is still taken at once, as of the write.
        self.snapshot_later: Callable[[Callable[[], object]], None] | None = None

    # -- writing ----------------------------------------------------------------

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        """eventsourcing's save, bounded, with lost races reported and the cache kept honest."""
        with self._writing([o for o in objs if isinstance(o, Aggregate)]):
            processing = collect(objs)
            processing.saved_kwargs.update(kwargs)
            recordings = self._record(processing)
            # A recorder may write inside a transaction that has not committed
            # yet (infra's unit of work): snapshots wait for its commit, and a
            # rollback evicts what this save put in the cache.
            defer = getattr(self.recorder, "defer", None)
            if defer is None or not defer(lambda: self._take_snapshots(processing), lambda: self._forget(processing)):
                self._take_snapshots(processing)
            self._notify(recordings)
            return recordings

    def write(self, *aggregates: Aggregate) -> int | None:
        """Save the aggregates' pending events in one atomic write; the last position."""
        recordings = self.save(*aggregates)
        return int(recordings[-1].notification.id) if recordings else None

    def written(self, aggregate: A, *others: Aggregate) -> Written:
        """Save ``aggregate`` (and ``others``) if anything is pending; a Written of ``aggregate``."""
        if not (aggregate.pending_events or any(o.pending_events for o in others)):
            return Written(aggregate, None)
        return Written(aggregate, self.write(aggregate, *others))

    async def save_async(self, *aggregates: Aggregate) -> list[Recording[UUID]]:
        """``save`` for an event loop, the same rules and results.

        With a recorder that can insert without blocking (the group-commit
        recorder's ``insert_events_async``), no thread waits on the write: the
        events are mapped here (microseconds, unless personal fields need a
        subject key, which may mean a database read: then on a worker thread),
        and a due snapshot is taken on a worker thread. Other recorders (the
        in-memory one of unit tests) are called as ``save`` would.
        """
        insert = getattr(self.recorder, "insert_events_async", None)
        if insert is None:
            return list(self.save(*aggregates))
        with self._writing(aggregates):
            processing = collect(aggregates)
            events = processing.events
            if any(getattr(e, "personal", lambda: None)() is not None for e in events):  # sealing may read a key
                stored = await asyncio.to_thread(lambda: [self.mapper.to_stored_event(e) for e in events])
            else:
                stored = [self.mapper.to_stored_event(e) for e in events]
            ids = await insert(stored)
        recordings = recordings_of(events, stored, ids)
        if self.repository.cache and not self.repository.fastforward:  # as Application._record does
            for aggregate_id, aggregate in processing.aggregates.items():
                self.repository.cache.put(aggregate_id, aggregate)
        if self._snapshot_due(processing):
            await asyncio.to_thread(self._take_snapshots, processing)
        return recordings

    @contextlib.contextmanager
    def _writing(self, aggregates: Sequence[Aggregate]) -> Iterator[None]:
        """Around a write: the size bound, lost races as ``ConcurrentWrite``, and
        on any failure the aggregates leave the cache (a caller may hold the very
        instance the cache holds, now with unsaved events)."""
        try:
            check_bound(aggregates)
            self._written(a.id for a in aggregates)
            try:
                yield
            except IntegrityError as e:
                raise ConcurrentWrite("another writer changed this aggregate first") from e
        except BaseException:
            for aggregate in aggregates:
                self.evict(aggregate.id)
            raise

    def _snapshot_due(self, processing: ProcessingEvent[UUID]) -> set[UUID]:
        return snapshots_due(processing, self.snapshotting_intervals) if self.snapshots else set()

    def _take_snapshots(self, processing: ProcessingEvent[UUID]) -> None:
        """Snapshots of the aggregates just saved, as they are after this write
        (eventsourcing reads each back from the store: a hot book's 200th event
        cost a load of the book inside its turn)."""
        for aggregate_id in self._snapshot_due(processing):
            aggregate = processing.aggregates[aggregate_id]
            snapshot = Snapshot.take(aggregate)
            put = partial(self.snapshots.put, [snapshot])  # type: ignore[union-attr]
            if self.snapshot_later is not None and not getattr(type(aggregate), "personal_state", None):
                self.snapshot_later(put)  # personal data is never left in a queue an erasure could race
            else:
                put()

    # -- the load-decide-save loop ------------------------------------------------

    def change(self, aggregate_id: UUID | None, step: Callable[[], Written]) -> Written:
        """Run ``step`` (load, decide, save) until it is not beaten by a
        concurrent writer: a lost race (``ConcurrentWrite``) runs it again on
        fresh state, so the decision is re-made, never blindly replayed.

        Commands on one aggregate (``aggregate_id``) take turns in this process,
        so they do not race each other at all; between processes, the retries
        (with a short random pause) settle the race."""
        turn = self.turn(aggregate_id)
        attempt = 1
        while True:
            try:
                with turn:
                    return step()
            except ConcurrentWrite:
                if attempt == MAX_ATTEMPTS:
                    raise
                self.pause(random.uniform(0, BACKOFF_SECONDS * attempt))
                attempt += 1

    def turn(self, aggregate_id: UUID | None) -> contextlib.AbstractContextManager[Any]:
        """Commands on one aggregate take turns in this process (reentrant)."""
        if aggregate_id is None:
            return contextlib.nullcontext()
        return self._stripes[hash(aggregate_id) % _LOCK_STRIPES]

    def combined(
        self, aggregate_id: UUID, decide: Callable[[Batch], A], check: Callable[[], None] | None = None
    ) -> Combined[A]:
        """``decide`` (loading through its batch) as a command on a hot aggregate,
        to be run with the others waiting on it in one write (kernel/combining.py)."""
        return Combined(self.combiner, aggregate_id, decide, check)

    def command(
        self,
        cls: type[A],
        aggregate_id: UUID,
        decide: Callable[[A], None],
        expected_version: int | None = None,
        actor_id: UUID | None = None,
    ) -> Written:
        """Load one aggregate, let ``decide`` change it, save what it decided.

        With an expected version (If-Match) a lost race is the caller's to
        resolve: ``VersionConflict`` with the version that won. Without one the
        command is decided again on fresh state (``change``)."""

        def step() -> Written:
            aggregate = self.load(cls, aggregate_id, expected_version, actor_id)
            decide(aggregate)
            try:
                return self.written(aggregate)
            except ConcurrentWrite:
                if expected_version is None:
                    raise
                current = self.load(cls, aggregate_id).version
                raise VersionConflict(
                    f"expected version {expected_version}, current version is {current}",
                    current_version=current,
                ) from None

        return self.change(aggregate_id, step)
