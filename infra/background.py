"""A bounded background writer: work a request need not wait for (a due
snapshot's own commit) runs on one thread, in the order it was handed over.

Why not a ``ThreadPoolExecutor``: its queue is unbounded, and this must not
grow without limit when the database is slower than the writes that queue
work for it. When ``capacity`` jobs are waiting, the caller runs its job
itself (so the backlog stays bounded and nothing is lost). A job that raises
is logged and the writer goes on: what it writes is an optimisation (a
snapshot), never the record.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


def _stop() -> None:
    """Queued by ``close``: the thread ends once it reaches it (never called)."""


class BackgroundWriter:
    def __init__(self, name: str, capacity: int = 256) -> None:
        self._queue: queue.Queue[Callable[[], object]] = queue.Queue(maxsize=capacity)
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._start = threading.Lock()
        self._closed = False
        self.inline = 0  # jobs the caller ran itself, the queue being full (or the writer closed)

    def submit(self, job: Callable[[], object]) -> None:
        # Handed over under the lock that ``close`` takes, so nothing can be
        # queued behind its end marker and never run (an uncontended lock: no
        # measurable cost beside a snapshot's write).
        with self._start:
            if not self._closed:
                if not self._thread.is_alive():
                    self._thread.start()
                try:
                    self._queue.put_nowait(job)
                    return
                except queue.Full:
                    pass
        self.inline += 1
        job()

    def close(self, timeout: float = 10.0) -> bool:
        """Finish what is queued (at most ``timeout`` s), then end the thread;
        a job handed over later runs on the caller's thread. False if the
        queue did not empty in time (the thread, a daemon, is left to it).
        Without this, every closed store left its writer's thread parked on
        the queue for the life of the process."""
        with self._start:
            self._closed = True
            started = self._thread.is_alive()
        if not started:
            return True
        settled = self.settle(timeout)
        if settled:
            self._queue.put(_stop)
            self._thread.join(timeout)
        return settled

    def settle(self, timeout: float = 10.0) -> bool:
        """Wait (at most ``timeout`` s) until every job handed over is done; False if not."""
        deadline = time.monotonic() + timeout
        with self._queue.all_tasks_done:
            while self._queue.unfinished_tasks:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._queue.all_tasks_done.wait(remaining)
        return True

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is _stop:
                self._queue.task_done()
                return
            try:
                job()
            except Exception:
                log.exception("a background write failed; the writer goes on")
            finally:
                self._queue.task_done()
