"""How ``lorekeeper serve`` runs: the API on uvicorn, and the projector, the
timers (plus the Kafka relay and a member of each consumer group, when a
broker is configured) beside it.

By default the projector runs as a child process, not a thread of the API
process. In one process the projector's long stretches of Python held the GIL
in 5 ms slices while the event loop waited to send acks (the convoy effect):
a child process takes the second core and leaves the loop alone. With
``LOREKEEPER_PROJECTOR_PROCESS=false`` it runs as threads, as tests do.

Children are supervised: one that exits while the API runs is started again
after a pause, and all are stopped (SIGTERM, then SIGKILL) when the API stops.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from infra import http_protocol
from infra.entrypoints.bootstrap import Container
from infra.settings import Settings

log = logging.getLogger(__name__)

RESTART_PAUSE_SECONDS = 2.0
STOP_TIMEOUT_SECONDS = 10.0
CHILD_NICENESS = 10


class Child:
    """One supervised ``lorekeeper <args>`` process."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.args = [sys.executable, "-m", "infra.entrypoints.cli", *args]
        self.env = env
        self.stopping = threading.Event()
        self.proc: subprocess.Popen[bytes] | None = None
        self._thread = threading.Thread(target=self._supervise, name=f"child-{args[0]}", daemon=True)

    def start(self) -> None:
        self.proc = self._spawn()
        self._thread.start()

    def _spawn(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(self.args, env=self.env, preexec_fn=_in_child)

    def _supervise(self) -> None:
        while not self.stopping.is_set():
            assert self.proc is not None
            code = self.proc.wait()
            if self.stopping.is_set():
                return
            log.error("%s exited with %s; starting it again", " ".join(self.args[3:]), code)
            if self.stopping.wait(RESTART_PAUSE_SECONDS):
                return
            self.proc = self._spawn()

    def stop(self) -> None:
        self.stopping.set()
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(STOP_TIMEOUT_SECONDS)


def _in_child() -> None:
    """In the child, before exec: a lower CPU priority (the projector works in
    batches and catches up; acks are waited on), and, on Linux, SIGTERM if the
    API process dies without stopping it (SIGKILL, a crash), so no projector is
    left orphaned."""
    os.nice(CHILD_NICENESS)
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def child_env(container: Container) -> dict[str, str]:
    """The children reach the very database the API uses (the embedded server's
    address once started) and read the same data directory's secrets."""
    return {
        **os.environ,
        "DATABASE_URL": container.conninfo,
        "LOREKEEPER_DATA_DIR": str(container.settings.data_dir),
    }


def projector_commands(settings: Settings) -> list[list[str]]:
    """The background work's processes without a broker's: the read side, and
    the due timers apart from it (``timer_process``). In one process, heroes'
    and agents' turns shared the projector's GIL with every projection: it
    ran at 0.9 of a core and saturated at about 870 turns a second, with the
    second core a third idle (docs/performance.md)."""
    if settings.timer_process:
        return [["projections", "run", "--no-timers"], ["timers"]]
    return [["projections", "run"]]


@contextmanager
def children(container: Container) -> Iterator[None]:
    """The projector (and relay) as supervised child processes, for as long as this lasts."""
    env = child_env(container)
    running = [Child(args, env) for args in projector_commands(container.settings)]
    if container.kafka_enabled:  # the relay, and one member of each consumer group (start more anywhere)
        running += [Child(["relay"], env), *(Child(["consume", name], env) for name in container.consumers)]
    for child in running:
        child.start()
    try:
        yield
    finally:
        for child in running:
            child.stop()


def serve(container: Container, host: str, port: int, **uvicorn_options: Any) -> None:
    """Run the API until it is stopped, with its background work beside it."""
    import uvicorn

    settings = container.settings
    as_children = settings.run_projections and settings.projector_process
    api = container.http_app(run_projections=settings.run_projections and not as_children)
    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again once
    # its own handler is gone. With the default handler that killed the process
    # outright, skipping finally blocks and atexit: the children and the embedded
    # PostgreSQL were left running. As an exception instead, both run (and the exit is 0).
    previous = signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        with children(container) if as_children else contextlib.nullcontext():
            options = {**http_protocol.uvicorn_options(settings.header_timeout_seconds), **uvicorn_options}
            uvicorn.run(api, host=host, port=port, access_log=False, **options)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _exit_on_signal(signum: int, _frame: Any) -> None:
    # A stop someone asked for is a clean exit (make printed "Error 143" for it).
    raise SystemExit(0)
