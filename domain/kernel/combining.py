"""Commands on one hot aggregate, combined: decided in turn on the same
in-memory state and saved in one write (flat combining).

Why: a write commits in a few milliseconds, and commands on one aggregate
must take turns (each decides on the state the last one left). One market
book traded by many players at once would therefore commit a few hundred
orders a second however many cores the server had. Here the command that
gets the aggregate's turn takes every command that queued behind it (up to
``MAX_BATCH``), decides each on the state the one before left, and saves
everything they changed in one atomic write; the others wake with their
result. Nothing changes for a lone command.

A refusal must cost only its own command: if any command of a batch raises,
the batch's in-memory state is dropped (nothing was saved, and the cache
handed out copies) and each command runs again alone, in order, so that the
refused one gets its error and the others their results. A lost race with
another process decides the whole batch again on fresh state (``change``).
A command's own checks (``check``: is the actor who it claims, is there such
a market) run before its batch is decided, and a check that fails refuses
that command alone, without undoing the batch.

Two ways in, one queue per aggregate: ``run`` from a thread, which waits for
the aggregate's turn; ``run_async`` from an event loop, which parks no
thread per command: the first command to queue sends one drainer to a
worker thread, the drainer decides and saves batch after batch until the
queue is empty, and each batch's waiters are woken with one call into their
loop (a thread per command cost more, on a hot book, than its decision).
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar
from uuid import UUID

from domain.kernel.aggregate import Aggregate
from domain.kernel.waking import wake

if TYPE_CHECKING:
    from domain.kernel.store import Lorekeeper, Written

A = TypeVar("A", bound=Aggregate)
P = ParamSpec("P")
MAX_BATCH = 32  # commands in one write (each also bounded by the store's events per save)
WAIT_SECONDS = 60.0  # the longest a coroutine waits for its command's batch


class Batch:
    """The aggregates the commands of one write load and change: each loaded
    once, then shared, so that a command sees what the ones before it did."""

    def __init__(self) -> None:
        self.aggregates: dict[UUID, Aggregate] = {}

    def get(self, aggregate_id: UUID, load: Callable[[], A]) -> A:
        found = self.aggregates.get(aggregate_id)
        if found is None:
            found = self.aggregates[aggregate_id] = load()
        return found  # type: ignore[return-value]


@dataclass(frozen=True)
class Combined(Generic[A]):
    """A command on a hot aggregate, ready to be decided with the others that
    wait on it: ``run()`` from a thread, ``await run_async()`` from a loop."""

    combiner: Combiner
    key: UUID
    decide: Callable[[Batch], A]
    check: Callable[[], None] | None = None  # refuses this command alone, before its batch

    def run(self) -> Written:
        return self.combiner.run(self.key, self.decide, self.check)

    async def run_async(self) -> Written:
        return await self.combiner.run_async(self.key, self.decide, self.check)


def running(build: Callable[P, Combined[Any]]) -> Callable[P, Written]:
    """The command ``build`` makes, run from the calling thread (``Combined.run``)."""

    def run(*args: P.args, **kwargs: P.kwargs) -> Written:
        return build(*args, **kwargs).run()

    return run


@dataclass
class _Command:
    decide: Callable[[Batch], Aggregate]
    check: Callable[[], None] | None = None
    future: asyncio.Future[Any] | None = None  # a coroutine's command: settled on its loop
    result: Any = None
    error: BaseException | None = None
    done: bool = False


@dataclass
class _Queue:
    waiting: deque[_Command] = field(default_factory=deque)
    draining: bool = False  # a drainer is on its way or at work (``run_async``): send no other


class Combiner:
    def __init__(self, store: Lorekeeper) -> None:
        self.store = store
        self._queues: dict[UUID, _Queue] = {}
        self._guard = threading.Lock()
        self.batches = 0  # plain counters for tests and metrics
        self.commands = 0

    def run(self, key: UUID, decide: Callable[[Batch], A], check: Callable[[], None] | None = None) -> Written:
        """Decide ``decide`` with whatever else waits on ``key``; its Written
        (the aggregate it returned, the position of the shared write)."""
        command = _Command(decide, check)
        if self.store.alone():
            with self.store.turn(key):
                self._decide([command])
            return self._outcome(command)
        with self._guard:
            queue = self._queues.setdefault(key, _Queue())
            queue.waiting.append(command)
        with self.store.turn(key):  # the same turns as ``Lorekeeper.change``
            while not command.done:  # more than MAX_BATCH ahead of it: several writes
                self._decide(self._take(key, queue))
        return self._outcome(command)

    async def run_async(
        self, key: UUID, decide: Callable[[Batch], A], check: Callable[[], None] | None = None
    ) -> Written:
        """``run`` for a coroutine: queued the same way, decided on a worker
        thread by the queue's drainer, awaited (at most ``WAIT_SECONDS``)."""
        loop = asyncio.get_running_loop()
        command = _Command(decide, check, loop.create_future())
        with self._guard:
            queue = self._queues.setdefault(key, _Queue())
            queue.waiting.append(command)
            send, queue.draining = not queue.draining, True
        if send:
            loop.run_in_executor(None, self._drain, key, queue)
        assert command.future is not None
        try:
            async with asyncio.timeout(WAIT_SECONDS):
                return await command.future  # type: ignore[no-any-return]
        except TimeoutError:
            raise TimeoutError(f"the command was not decided within {WAIT_SECONDS:.0f} s; it may still be") from None

    def _take(self, key: UUID, queue: _Queue) -> list[_Command]:
        """The next batch off ``queue`` (empty: none left, and no drainer owns it)."""
        with self._guard:
            taken = [queue.waiting.popleft() for _ in range(min(MAX_BATCH, len(queue.waiting)))]
            if not queue.waiting and self._queues.get(key) is queue:
                del self._queues[key]  # the next command starts a queue (and a drainer) of its own
        return taken

    def _drain(self, key: UUID, queue: _Queue) -> None:
        """On a worker thread: batch after batch, until the queue is empty."""
        with self.store.turn(key):
            while taken := self._take(key, queue):
                self._decide(taken)

    @staticmethod
    def _outcome(command: _Command) -> Written:
        if command.error is not None:
            raise command.error
        return command.result  # type: ignore[no-any-return]

    def _decide(self, commands: list[_Command]) -> None:
        """Decide and save ``commands`` (their aggregate's turn is the caller's)."""
        try:
            commands = [command for command in commands if self._checked(command)]
            if commands:
                self._decide_checked(commands)
        finally:
            for command in commands:
                command.done = True
            wake(commands, "combined commands")

    @staticmethod
    def _checked(command: _Command) -> bool:
        """Run the command's own check; False (refused, done, woken) if it fails."""
        if command.check is None:
            return True
        try:
            command.check()
        except Exception as error:
            command.error, command.done = error, True
            wake([command], "combined commands")
            return False
        return True

    def _decide_checked(self, commands: list[_Command]) -> None:
        from domain.kernel.store import Written

        def step() -> Written:
            batch = Batch()
            results = [command.decide(batch) for command in commands]
            touched = list({id(a): a for a in [*results, *batch.aggregates.values()]}.values())
            written = self.store.written(touched[0], *touched[1:])
            for command, result in zip(commands, results, strict=True):
                command.result = Written(result, written.position)
            return written

        try:
            self.store.change(None, step)  # the turn is held already: only the retries of a lost race
        except Exception as error:
            if len(commands) > 1:
                for command in commands:  # alone, in order: a refusal costs its own command only
                    self._decide_checked([command])
                return
            commands[0].error = error
        else:
            self.batches += 1
            self.commands += len(commands)
