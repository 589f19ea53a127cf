"""Runs every projection continuously: batches while there is work, then waits
for the event store's NOTIFY, with a poll timeout as the fallback so that a
lost notification or a dropped LISTEN connection never stalls a projection.

(eventsourcing's own subscription waits on LISTEN without a timeout, which is
why this loop is hand-written.)
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence

import psycopg
from psycopg import sql

from projections.tracking import TrackedReader

log = logging.getLogger(__name__)


class Follower:
    def __init__(
        self,
        runners: Sequence[TrackedReader],
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
        self._listen: psycopg.Connection | None = None
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        """Bring every projection up to the head; returns events applied."""
        applied = 0
        for runner in self.runners:
            applied += runner.catch_up()
        return applied

    def run(self) -> None:
        """Follow until ``stop()``: never blocks longer than the poll interval."""
        while not self.stopping.is_set():
            started = time.monotonic()
            try:
                self.run_once()
            except Exception:
                self.errors += 1
                log.exception("projection batch failed; retrying after the poll interval")
                self.stopping.wait(self.poll_seconds)
                continue
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

    def start(self) -> threading.Thread:
        self._thread = threading.Thread(target=self.run, name="projections", daemon=True)
        self._thread.start()
        return self._thread

    def stop(self, timeout: float = 5.0) -> None:
        self.stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
