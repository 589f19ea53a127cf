"""Durable timers in PostgreSQL (domain/kernel/timers.py says what they are).

``TimerScheduler`` follows the log like a projection: it hands the events the
contexts' policies care about to those policies and sets or cancels the
timers they return, in the same transaction as its position: exactly once,
and rebuilt from the log like anything else derived.

``TimerWorker`` fires due timers: it claims them with ``FOR UPDATE SKIP
LOCKED`` (so two processes never fire one), calls the context's handler (a
use case, which writes its own events), and forgets the timer in the claiming
transaction. A crash after the handler and before that commit fires it again:
handlers are written to make that harmless. A handler that raises is tried
again after a growing pause; after ``MAX_ATTEMPTS`` the timer is dead-lettered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, cast
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from domain.kernel.context import DomainContext
from domain.kernel.timers import CancelTimer, Policy, SetTimer, TimerChange
from infra.persistence import array_literal
from projections import dead_letters
from projections.db import Conn, Pool
from projections.ddl import lock_ddl
from projections.tracking import EventLog, TrackedReader

log = logging.getLogger(__name__)

DDL = """CREATE TABLE IF NOT EXISTS lorekeeper_timers (
    kind text NOT NULL,
    subject uuid NOT NULL,
    due_at timestamptz NOT NULL,
    attempts int NOT NULL DEFAULT 0,
    last_error text,
    PRIMARY KEY (kind, subject)
)"""
INDEX = "CREATE INDEX IF NOT EXISTS lorekeeper_timers_due_idx ON lorekeeper_timers (due_at)"
MAX_ATTEMPTS = 10
CLAIM = 100  # timers fired per transaction


class TimerScheduler(TrackedReader):
    """Sets and cancels timers from the events the policies name."""

    def __init__(
        self,
        pool: Pool,
        log: EventLog,
        to_event: Callable[[StoredEvent], Any],
        policies: Mapping[str, Policy],
        *,
        batch_size: int = 1000,
    ) -> None:
        super().__init__(pool, log, tracking_name="timers", batch_size=batch_size)
        self.to_event = to_event
        self.policies = dict(policies)
        self.topics = tuple(self.policies)

    def setup(self) -> None:
        with self.pool.connection() as conn, conn.transaction():
            lock_ddl(conn)
            conn.execute(DDL)
            conn.execute(INDEX)
            self.setup_tracking(conn)

    def apply(self, conn: Conn, notifications: Sequence[Any]) -> list[dict[str, Any]]:
        failures: list[dict[str, Any]] = []

        def schedule(batch: Sequence[Any]) -> None:
            # The last change to each timer is what the batch leaves (a builder's
            # achievement check is set again by every edit): two set-based
            # statements per batch, not a round trip per change.
            final: dict[tuple[str, UUID], TimerChange] = {}
            for n in batch:
                event = self.to_event(StoredEvent(n.originator_id, n.originator_version, n.topic, n.state))
                for change in self.policies[n.topic](event):
                    final[(change.kind, change.subject)] = change
            sets = [c for c in final.values() if isinstance(c, SetTimer)]
            cancels = [c for c in final.values() if isinstance(c, CancelTimer)]
            if sets:
                conn.execute(
                    "INSERT INTO lorekeeper_timers (kind, subject, due_at) "
                    "SELECT * FROM unnest(%s::text[], %s::uuid[], %s::timestamptz[]) "
                    "ON CONFLICT (kind, subject) DO UPDATE SET due_at = EXCLUDED.due_at, attempts = 0, "
                    "last_error = NULL",
                    ([c.kind for c in sets], [c.subject for c in sets], [c.due for c in sets]),
                )
            if cancels:
                conn.execute(
                    "DELETE FROM lorekeeper_timers WHERE (kind, subject) IN "
                    "(SELECT * FROM unnest(%s::text[], %s::uuid[]))",
                    ([c.kind for c in cancels], [c.subject for c in cancels]),
                )

        dead_letters.isolate(
            conn,
            notifications,
            schedule,
            lambda n, error: failures.append(
                {"position": n.id, "topic": n.topic, "originator_id": n.originator_id, "error": error}
            ),
        )
        return failures


class TimerWorker:
    """Fires due timers; looks like a reader of the log to the follower that runs it."""

    tracking_name = "timers:fire"
    schema_version = 1

    def __init__(
        self,
        pool: Pool,
        handlers: Mapping[str, Callable[[UUID, datetime], object]],
        *,
        flush: Callable[[], None] | None = None,
        threads: int = 1,
        refresh: Callable[[], object] | None = None,
        warm: Callable[[list[tuple[str, UUID]]], object] | None = None,
    ) -> None:
        self.pool = pool
        self.handlers = dict(handlers)
        # Called before a claim commits: a handler that hands its timer on
        # (infra/fanout/ai.py's TurnOutbox) waits there for the hand-over.
        self.flush = flush
        # Called once timers are claimed, before they fire: the aggregate cache
        # learns every write up to them (infra/cache_keeper.py), so a handler
        # never decides on a copy older than what set its timer.
        self.refresh = refresh
        # Called with a claim's (kind, subject) pairs before they fire: the
        # aggregates the handlers will load are read at once, not one by one.
        self.warm = warm
        self.calls = Concurrently(threads)

    def catch_up(self) -> int:
        """Fire every due timer; returns how many fired."""
        fired = 0
        while True:
            batch = self.fire_due()
            fired += batch
            if batch < CLAIM:
                return fired

    def fire_due(self, now: datetime | None = None) -> int:
        """Claim and fire up to ``CLAIM`` due timers in one transaction."""
        now = now or datetime.now(UTC)
        with self.pool.connection() as conn, conn.transaction():
            due = conn.execute(
                "SELECT kind, subject, due_at, attempts FROM lorekeeper_timers WHERE due_at <= %s "
                "ORDER BY due_at LIMIT %s FOR UPDATE SKIP LOCKED",
                (now, CLAIM),
            ).fetchall()
            if due and self.refresh is not None:
                self.refresh()
            if due and self.warm is not None:
                self.warm([(timer["kind"], timer["subject"]) for timer in due])
            errors = self.calls.run([partial(self._fire, timer) for timer in due])
            fired = [timer for timer, error in zip(due, errors, strict=True) if error is None]
            if fired:  # forgotten in one statement: a claim of 100 was 100 round trips
                conn.execute(
                    "DELETE FROM lorekeeper_timers WHERE (kind, subject) IN "
                    "(SELECT * FROM unnest(%s::text[], %s::uuid[]))",
                    ([t["kind"] for t in fired], array_literal(t["subject"] for t in fired)),
                )
            for timer, error in zip(due, errors, strict=True):
                if error is not None:
                    self._failed(conn, timer, error)
            if self.flush is not None:
                self.flush()
        return len(due)

    def _fire(self, timer: dict[str, Any]) -> None:
        handler = self.handlers.get(timer["kind"])
        if handler is None:
            raise UnknownTimer(f"no handler for timers of kind {timer['kind']!r}")
        handler(timer["subject"], timer["due_at"])

    def _failed(self, conn: Conn, timer: dict[str, Any], error: Exception) -> None:
        """A timer whose handler failed is tried again later, or dead-lettered
        after ``MAX_ATTEMPTS`` (or if it has no handler)."""
        key = (timer["kind"], timer["subject"])
        attempts = timer["attempts"] + 1
        if attempts >= MAX_ATTEMPTS or isinstance(error, UnknownTimer):
            dead_letters.record(
                conn,
                self.tracking_name,
                position=None,
                ref=f"{timer['kind']}/{timer['subject']}",
                topic=timer["kind"],
                originator_id=timer["subject"],
                error=error,
            )
            conn.execute("DELETE FROM lorekeeper_timers WHERE kind = %s AND subject = %s", key)
            return
        pause = timedelta(seconds=min(2**attempts, 300))
        log.warning("timer %s for %s failed (%d); again in %s", *key, attempts, pause, exc_info=error)
        conn.execute(
            "UPDATE lorekeeper_timers SET attempts = %s, last_error = %s, due_at = now() + %s "
            "WHERE kind = %s AND subject = %s",
            (attempts, dead_letters.describe(error), pause, *key),
        )

    def mark_failing(self, error: BaseException) -> None:
        log.error("firing timers failed", exc_info=error)

    def mark_healthy(self) -> None:
        """Nothing to clear: a timer's own failures are kept on its row."""


class UnknownTimer(LookupError):
    """A timer of a kind no context handles."""


class Concurrently:
    """Runs calls on up to ``threads`` threads and returns each one's exception
    (or None), in order. A timer's or a turn's handler mostly waits for its
    commit: run side by side, their writes share group commits
    (infra/group_commit.py), so a claim of many turns takes about as long as a few."""

    def __init__(self, threads: int = 1) -> None:
        self.threads = max(1, threads)
        self._executor: ThreadPoolExecutor | None = None

    def run(self, calls: Sequence[Callable[[], object]]) -> list[Exception | None]:
        if self.threads == 1 or len(calls) < 2:
            return [_error_of(call) for call in calls]
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self.threads, thread_name_prefix="turn")
        return list(self._executor.map(_error_of, calls))

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False)
            self._executor = None


def _error_of(call: Callable[[], object]) -> Exception | None:
    try:
        call()
    except Exception as error:
        return error
    return None


def combined_policies(contexts: Sequence[DomainContext], settings: Any) -> dict[str, Policy]:
    """Every context's policies, by topic (several on one topic run in turn)."""
    by_topic: dict[str, list[Policy]] = {}
    for context in contexts:
        for topic, policy in context.policies(settings).items():
            by_topic.setdefault(topic, []).append(policy)
    return {topic: partial(_in_turn, found) for topic, found in by_topic.items()}


def _in_turn(policies: Sequence[Policy], event: Any) -> list[TimerChange]:
    return [change for policy in policies for change in policy(event)]


def timer_handlers(
    contexts: Sequence[DomainContext], use_cases: Mapping[type, object]
) -> dict[str, Callable[[UUID, datetime], object]]:
    """Each timer kind's handler, bound to its context's use cases."""
    return {
        kind: partial(handler, use_cases[cast(type, context.use_cases)])
        for context in contexts
        for kind, handler in context.timers.items()
    }
