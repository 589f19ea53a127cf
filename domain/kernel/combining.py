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
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from domain.kernel.aggregate import Aggregate

if TYPE_CHECKING:
    from domain.kernel.store import Lorekeeper, Written

A = TypeVar("A", bound=Aggregate)
MAX_BATCH = 32  # commands in one write (each also bounded by the store's events per save)


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


@dataclass
class _Command:
    decide: Callable[[Batch], Aggregate]
    result: Any = None
    error: BaseException | None = None
    done: bool = False


@dataclass
class _Queue:
    waiting: deque[_Command] = field(default_factory=deque)


class Combiner:
    def __init__(self, store: Lorekeeper) -> None:
        self.store = store
        self._queues: dict[UUID, _Queue] = {}
        self._guard = threading.Lock()
        self.batches = 0  # plain counters for tests and metrics
        self.commands = 0

    def run(self, key: UUID, decide: Callable[[Batch], A]) -> Written:
        """Decide ``decide`` with whatever else waits on ``key``; its Written
        (the aggregate it returned, the position of the shared write)."""
        command = _Command(decide)
        if self.store.alone():
            with self.store.turn(key):
                self._decide(key, [command])
            return self._outcome(command)
        with self._guard:
            queue = self._queues.setdefault(key, _Queue())
            queue.waiting.append(command)
        with self.store.turn(key):  # the same turns as ``Lorekeeper.change``
            while not command.done:  # more than MAX_BATCH ahead of it: several writes
                with self._guard:
                    taken = [queue.waiting.popleft() for _ in range(min(MAX_BATCH, len(queue.waiting)))]
                    if not queue.waiting and self._queues.get(key) is queue:
                        del self._queues[key]
                self._decide(key, taken)
        return self._outcome(command)

    @staticmethod
    def _outcome(command: _Command) -> Written:
        if command.error is not None:
            raise command.error
        return command.result  # type: ignore[no-any-return]

    def _decide(self, key: UUID, commands: list[_Command]) -> None:
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
            self.store.change(key, step)
        except Exception as error:
            if len(commands) > 1:
                for command in commands:  # alone, in order: a refusal costs its own command only
                    self._decide(key, [command])
                return
            commands[0].error = error
        else:
            self.batches += 1
            self.commands += len(commands)
        finally:
            for command in commands:
                command.done = True
