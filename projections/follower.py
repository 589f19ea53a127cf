"""Runs every reader of the log continuously: batches while there is work,
then waits for the event store's NOTIFY, with a poll timeout as the fallback so
that a lost notification or a dropped LISTEN connection never stalls a reader.

One reader's failure never holds back another: each catches up on its own,
and a reader whose batches fail (the database is down, its schema is wrong)
waits a growing pause before its next try, marked failing for ``/health``,
while the others go on. (An event a reader cannot apply never fails a batch:
it is dead-lettered, see dead_letters.py.)

(eventsourcing's own subscription waits on LISTEN without a timeout, which is
why this loop is hand-written.)
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import psycopg
from psycopg import sql

log = logging.getLogger(__name__)


class Reader(Protocol):
    """What the follower runs: a reader of the log (``TrackedReader``), or
    anything else that catches up in rounds (the timer worker)."""

    tracking_name: str

    def catch_up(self) -> int: ...

    def mark_failing(self, error: BaseException) -> None: ...

    def mark_healthy(self) -> None: ...


BACKOFF_FIRST_SECONDS = 0.5
BACKOFF_MAX_SECONDS = 30.0


@dataclass
class _Health:
    failures: int = 0
    next_try: float = 0.0


class Follower:
    def __init__(
        self,
        runners: Sequence[Reader],
        conninfo: str,
        channel: str,
        poll_seconds: float = 0.5,
        coalesce_seconds: float = 0.0,
    ) -> None:
        self.runners = list(runners)
        self.conninfo = conninfo
        self.channel = channel
        self.poll_seconds = poll_seconds
        # Under steady writes every commit NOTIFYs; waiting this long between
        # rounds lets a round take many commits at once, for a bounded delay.
        self.coalesce_seconds = coalesce_seconds
        self.stopping = threading.Event()
        self.errors = 0
        self._health = {id(r): _Health() for r in self.runners}
        self._listen: psycopg.Connection | None = None
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        """Bring every reader up to the head, each on its own; returns events
        applied. A reader that fails is retried later, after a growing pause."""
        applied = 0
        now = time.monotonic()
        for runner in self.runners:
            health = self._health[id(runner)]
            if health.next_try > now:
                continue
            try:
                applied += runner.catch_up()
            except Exception as error:
                self._failed(runner, health, error)
                continue
            if health.failures:
                health.failures, health.next_try = 0, 0.0
                self._quietly(runner.mark_healthy)
                log.info("%s: batches succeed again", runner.tracking_name)
        return applied

    def _failed(self, runner: Reader, health: _Health, error: Exception) -> None:
        self.errors += 1
        health.failures += 1
        pause = min(BACKOFF_FIRST_SECONDS * 2 ** (health.failures - 1), BACKOFF_MAX_SECONDS)
        health.next_try = time.monotonic() + pause
        log.error(
            "%s: batch failed (%d in a row); next try in %.1f s",
            runner.tracking_name,
            health.failures,
            pause,
            exc_info=error,
        )
        self._quietly(lambda: runner.mark_failing(error))

    @staticmethod
    def _quietly(note: Callable[[], None]) -> None:
        """Record a reader's state; the database may be the very thing that is down."""
        try:
            note()
        except Exception:
            log.warning("could not record a reader's state", exc_info=True)

    def run(self) -> None:
        """Follow until ``stop()``: never blocks longer than the poll interval."""
        while not self.stopping.is_set():
            started = time.monotonic()
            self.run_once()
            self._wait()
            remaining = self.coalesce_seconds - (time.monotonic() - started)
            if remaining > 0:
                self.stopping.wait(remaining)
        self._close_listen()

    def _wait(self) -> None:
        try:
            if self._listen is None or self._listen.closed:
                self._listen = psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5)
                self._listen.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
            for _ in self._listen.notifies(timeout=self.poll_seconds, stop_after=1):
                pass
        except psycopg.Error:
            log.warning("LISTEN connection lost; falling back to polling", exc_info=True)
            self._close_listen()
            self.stopping.wait(self.poll_seconds)

    def _close_listen(self) -> None:
        if self._listen is not None:
            try:
                self._listen.close()
            finally:
                self._listen = None

    @property
    def started(self) -> bool:
        return self._thread is not None

    def start(self) -> threading.Thread:
        self._thread = threading.Thread(target=self.run, name="projections", daemon=True)
        self._thread.start()
        return self._thread

    def stop(self, timeout: float = 5.0) -> None:
        self.stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
