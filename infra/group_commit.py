"""Group commit: durable writes from many threads share one transaction.

Why: the event store serialises writers on a table lock (so that positions
commit in order). With one transaction per command, every writer holds that
lock across a Python round trip while dozens of request threads compete for
the GIL, and throughput collapses to a few hundred commits a second. One
committer thread that takes everything queued since its last commit turns N
lock/commit cycles into one, with no waiting on a timer: a lone write still
commits at once.

Two ways in: ``submit`` blocks the calling thread until the item is durable;
``submit_async`` awaits it on an event loop, so no thread is parked per
in-flight write and the committer hands results back to each loop with one
wake-up per batch (a thread hop per write cost more than the write itself).

``GroupCommitter`` is generic (any "commit these items together" function);
``GroupCommitRecorder`` applies it to eventsourcing's PostgreSQL recorder.
"""

from __future__ import annotations

import asyncio
import hashlib
import queue
import threading
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.sql import SQL, Literal

from domain.kernel.waking import wake
from infra import unit_of_work
from infra.persistence import EventsInBinary

T = TypeVar("T")
R = TypeVar("R")


class CommitTimeout(Exception):
    """The commit did not finish in time; whether it happened is unknown."""


class CommitterClosed(Exception):
    """The committer was closed: the item was not committed."""


_CLOSE: Any = object()  # queued by ``close``: what was queued before it commits, then the thread ends


@dataclass
class _Pending(Generic[T, R]):
    """One submitted item; a blocked thread waits on ``done``, a coroutine on ``future``."""

    item: T
    done: threading.Event | None = field(default_factory=threading.Event)
    future: asyncio.Future[R] | None = None
    result: Any = None
    error: BaseException | None = None


class GroupCommitter(Generic[T, R]):
    """Commits items submitted from many threads in shared batches.

    ``commit(items) -> results`` must be all-or-nothing. When a batch of several
    fails, each item is retried alone, so one bad item never fails the others.
    Items whose ``keys`` overlap go to successive batches, in arrival order.
    """

    def __init__(
        self,
        commit: Callable[[list[T]], Sequence[R]],
        *,
        weight: Callable[[T], int] = lambda _: 1,
        max_weight: int = 2000,
        keys: Callable[[T], Iterable[Hashable]] = lambda _: (),
        timeout: float = 30.0,
        name: str = "group-commit",
    ) -> None:
        self._commit = commit
        self._weight = weight
        self._max_weight = max_weight
        self._keys = keys
        self._timeout = timeout
        self._queue: queue.SimpleQueue[_Pending[T, R]] = queue.SimpleQueue()
        self._carry: deque[_Pending[T, R]] = deque()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._start_lock = threading.Lock()
        self._closed = False
        self.batches = 0
        self.items = 0

    def submit(self, item: T) -> R:
        """Commit ``item`` (with whatever else is queued); blocks until durable."""
        pending: _Pending[T, R] = _Pending(item)
        self._enqueue(pending)
        assert pending.done is not None
        if not pending.done.wait(self._timeout):
            raise CommitTimeout(f"commit did not finish within {self._timeout} s")
        if pending.error is not None:
            raise pending.error
        return pending.result

    async def submit_async(self, item: T) -> R:
        """``submit`` for a coroutine: awaits durability without blocking the loop."""
        pending: _Pending[T, R] = _Pending(item, done=None, future=asyncio.get_running_loop().create_future())
        self._enqueue(pending)
        assert pending.future is not None
        try:
            async with asyncio.timeout(self._timeout):
                return await pending.future
        except TimeoutError:
            raise CommitTimeout(f"commit did not finish within {self._timeout} s") from None

    def _enqueue(self, pending: _Pending[T, R]) -> None:
        with self._start_lock:
            if self._closed:
                raise CommitterClosed("the store is closed")
            if not self._thread.is_alive():
                self._thread.start()
            self._queue.put(pending)

    def close(self, timeout: float = 10.0) -> None:
        """Commit what is queued, then end the thread (bounded by ``timeout``);
        later submits raise ``CommitterClosed``. Without this, every closed
        store left its committer parked on the queue for the process's life,
        holding the store's recorder and pool."""
        with self._start_lock:
            if self._closed:
                return
            self._closed = True
            if not self._thread.is_alive():
                return
            self._queue.put(_CLOSE)
        if threading.current_thread() is not self._thread:  # a store dropped on this thread: it ends by itself
            self._thread.join(timeout)

    def _next_batch(self) -> list[_Pending[T, R]]:
        first = self._carry.popleft() if self._carry else self._queue.get()
        if first is _CLOSE:
            return []
        batch, weight, taken = [first], self._weight(first.item), set(self._keys(first.item))
        deferred: deque[_Pending[T, R]] = deque()
        while weight < self._max_weight:
            if self._carry:
                nxt = self._carry.popleft()
            else:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
            if nxt is _CLOSE:  # the last item there is: this batch commits, then the next is empty
                deferred.append(nxt)
                break
            keys = set(self._keys(nxt.item))
            if keys & taken or weight + self._weight(nxt.item) > self._max_weight:
                deferred.append(nxt)
                taken |= keys  # keep later items for these keys behind this one
                continue
            batch.append(nxt)
            weight += self._weight(nxt.item)
            taken |= keys
        self._carry.extendleft(reversed(deferred))
        return batch

    def _run(self) -> None:
        while True:
            batch = self._next_batch()
            if not batch:  # closed
                return
            self._commit_batch(batch)

    def _commit_batch(self, batch: list[_Pending[T, R]]) -> None:
        try:
            results = self._commit([p.item for p in batch])
        except BaseException as error:
            if len(batch) > 1:
                for pending in batch:
                    self._commit_batch([pending])
                return
            batch[0].error = error
            self._release(batch)
            return
        self.batches += 1
        self.items += len(batch)
        for pending, result in zip(batch, results, strict=True):
            pending.result = result
        self._release(batch)

    @staticmethod
    def _release(batch: list[_Pending[T, R]]) -> None:
        """Wake the blocked threads; wake each event loop once for all of its items."""
        for pending in batch:
            if pending.done is not None:
                pending.done.set()
        wake(batch, "commits")


class GroupCommitRecorder(EventsInBinary, PostgresApplicationRecorder):
    """eventsourcing's PostgreSQL application recorder, writing through a
    GroupCommitter, its events exchanged in binary (``EventsInBinary``).

    Chosen with the ``APPLICATION_RECORDER_TOPIC`` environment variable, which
    is eventsourcing's own seam for swapping the recorder class.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Writers serialise (positions must commit in the order they are issued)
        # on a transaction-level advisory lock instead of eventsourcing's
        # LOCK TABLE ... IN EXCLUSIVE MODE. The table lock conflicts with the
        # SHARE UPDATE EXCLUSIVE lock of autovacuum and ANALYZE, so every
        # automatic vacuum or analyze of the events table held all writes back
        # until it finished or was cancelled (deadlock_timeout, 1 s): ack stalls
        # of 90 ms to a second under sustained load. The advisory lock orders
        # writers the same way and ignores maintenance. A writer still using the
        # table lock stays ordered too: its EXCLUSIVE lock and our inserts' ROW
        # EXCLUSIVE locks conflict.
        name = f"{self.datastore.schema}.{self.events_table_name}"
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        self.lock_table_statements = [
            self.lock_table_statements[0],  # SET LOCAL lock_timeout: bounds this wait too
            SQL("SELECT pg_advisory_xact_lock({0})").format(Literal(key)),
        ]
        self.committer: GroupCommitter[list[StoredEvent], Sequence[int] | None] = GroupCommitter(
            self._insert_batch,
            weight=len,
            max_weight=2000,
            keys=lambda events: {e.originator_id for e in events},
            name="event-store-group-commit",
        )

    def close(self) -> None:
        """End the committer's thread, once what it has queued is committed
        (``LorekeeperPostgresFactory.close``, before the pool closes)."""
        self.committer.close()

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        if not stored_events or kwargs.get("tracking") is not None:
            return super().insert_events(stored_events, **kwargs)
        unit = unit_of_work.current()
        if unit is not None:  # an idempotent request: its answer commits with these events
            return unit.insert(self, stored_events)
        return self.committer.submit(list(stored_events))

    def unit_of_work(self) -> AbstractContextManager[unit_of_work.UnitOfWork]:
        """A transaction this thread's events and other writes share (infra/unit_of_work.py)."""
        return unit_of_work.unit_of_work(self.datastore.get_connection)

    def defer(self, after_commit: Callable[[], None], on_rollback: Callable[[], None]) -> bool:
        """Inside a unit of work: run ``after_commit`` once it commits, ``on_rollback``
        if it does not; True. Outside one: False (the write is already durable)."""
        unit = unit_of_work.current()
        if unit is None:
            return False
        unit.after_commit.append(after_commit)
        unit.on_rollback.append(on_rollback)
        return True

    async def insert_events_async(self, stored_events: Sequence[StoredEvent]) -> Sequence[int] | None:
        """``insert_events`` from an event loop (see ``Lorekeeper.save_async``)."""
        return await self.committer.submit_async(list(stored_events))

    def _insert_batch(self, items: list[list[StoredEvent]]) -> list[Sequence[int] | None]:
        ids = super().insert_events([event for item in items for event in item])
        if ids is None:
            return [None] * len(items)
        results, offset = [], 0
        for item in items:
            results.append(ids[offset : offset + len(item)])
            offset += len(item)
        return results
