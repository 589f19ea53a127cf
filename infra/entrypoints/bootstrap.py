"""The composition root: the one place that builds and wires everything.

From the contexts listed in ``contexts.py`` it builds the one event store
(every context's aggregates, their snapshot intervals), each context's use
cases and the adapters beside them (``foundation.py``), what follows the log
(``following.py``: the projection runners of every read model, the fan-out,
the timers, and the loops that run them), and here the setup of every table,
the FastAPI app, and the closing of all of it.
Every object is built on first use (``cached_property``), so a command-line
tool that needs only the read side opens no HTTP machinery.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property

from fastapi import FastAPI

from infra.entrypoints.following import Following
from infra.fanout.ai import AiConsumer
from projections.ddl import beside_writers, create_views, giving_way, lock_ddl
from projections.rebuild import rebuild
from projections.tracking import SchemaVersionMismatch


@dataclass
class Container(Following):
    """Everything, built on first use (see the module's docstring)."""

    def setup(self) -> None:
        """Create every table the backend keeps (read tables, adapters' own);
        rebuild any projection whose schema version changed; beside processes
        at work, giving way to their writes (``projections.ddl.beside_writers``)."""
        beside_writers(self._setup)

    def _setup(self) -> None:
        for runner in self.runners.values():
            try:
                runner.setup()
            except SchemaVersionMismatch:
                with giving_way(None):  # a long replay is not thrown away for a lock at its swap
                    rebuild(runner)
        for adapter in (
            self.idempotency,
            self.auth_sessions,
            self.login_throttle,
            self.content_blobs,
            self.erasure_log,
        ):
            adapter.setup()
        # Views last: they read read tables and adapters' tables (adventure.sessions).
        with self.pool.connection() as conn, conn.transaction():
            lock_ddl(conn)
            create_views(conn, [view for model in self.read_models for view in model.views])
        for reader in [*self.feeds, self.timer_scheduler]:
            reader.setup()

    # -- HTTP ---------------------------------------------------------------------------

    @cached_property
    def executor(self) -> ThreadPoolExecutor:
        """Threads for the live sessions' blocking use cases."""
        return ThreadPoolExecutor(self.settings.api_threads, thread_name_prefix="session")

    def http_app(self, *, run_projections: bool | None = None) -> FastAPI:
        """The API; with ``run_projections`` the projector follows in this process (as threads)."""
        from infra.entrypoints.http import http_app

        return http_app(self, self.settings.run_projections if run_projections is None else run_projections)

    def close(self) -> None:
        if "relay_follower" in self.__dict__:
            self.relay_follower.stop()
        self.stop_background()
        if "timer_worker" in self.__dict__:
            self.timer_worker.calls.close()
        if "consumers" in self.__dict__:
            for consumer in self.consumers.values():
                if isinstance(consumer, AiConsumer):
                    consumer.calls.close()
        for name in ("turn_outbox", "telemetry_sink", "relay"):  # each Kafka client's network thread ends
            if name in self.__dict__:
                self.__dict__[name].close()
        if "pool" in self.__dict__:
            self.pool.close()
        if "snapshot_writer" in self.__dict__:
            self.snapshot_writer.close(5.0)  # what is queued is written before the pools close
        if "store" in self.__dict__:
            self.store.close()
