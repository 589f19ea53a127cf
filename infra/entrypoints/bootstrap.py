"""The composition root: the one place that builds and wires everything.

From the contexts listed in ``contexts.py`` it builds the one event store
(every context's aggregates, their snapshot intervals), each context's use
cases, the projection runners of every read model, the fan-out (relay,
consumers), the adapters the HTTP layer uses, and the FastAPI app itself.
Every object is built on first use (``cached_property``), so a command-line
tool that needs only the read side opens no HTTP machinery.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, cast

import orjson
from fastapi import FastAPI
from psycopg import Connection
from psycopg.rows import DictRow, dict_row
from psycopg.types.json import set_json_dumps, set_json_loads
from psycopg_pool import ConnectionPool

from domain.accounts import Erasure
from domain.kernel.context import DomainContext
from domain.kernel.store import Lorekeeper
from infra.auth_sessions import AuthSessions
from infra.content_store import ContentBlobs
from infra.crypto import SubjectKeys
from infra.database import eventsourcing_env, resolve_conninfo
from infra.entrypoints.contexts import domain_contexts, read_models, snapshot_intervals
from infra.fanout.consumers import AiConsumer, Consumer
from infra.fanout.feed import EventStoreFeed, LocalTelemetrySink, TelemetrySink
from infra.fanout.kafka_consumer import KafkaTelemetrySink
from infra.fanout.relay import Relay
from infra.fanout.relay import producer as kafka_producer
from infra.fanout.telemetry import TelemetryConsumer
from infra.group_commit import GroupCommitRecorder
from infra.idempotency import IdempotencyStore
from infra.login_throttle import LoginThrottle, Rule
from infra.persistence import PERSISTENCE_ENV, PydanticMapper
from infra.privacy import ErasureLog
from infra.secret_files import secret
from infra.settings import Settings
from infra.timers import TimerScheduler, TimerWorker, combined_policies, timer_handlers
from projections.db import Pool
from projections.follower import Follower, Reader
from projections.model import ReadModel, Table
from projections.read_side import ReadSide
from projections.rebuild import rebuild
from projections.runner import ProjectionRunner
from projections.tracking import EventLog, SchemaVersionMismatch, TrackedReader

set_json_loads(orjson.loads)
set_json_dumps(orjson.dumps)


@dataclass
class Container:
    settings: Settings = field(default_factory=Settings)

    # -- the domain -----------------------------------------------------------------

    @cached_property
    def contexts(self) -> list[DomainContext]:
        return domain_contexts()

    @cached_property
    def conninfo(self) -> str:
        return resolve_conninfo(self.settings)

    @cached_property
    def store(self) -> Lorekeeper:
        env = {**PERSISTENCE_ENV, **eventsourcing_env(self.conninfo, self.settings)}
        store = Lorekeeper(
            env,
            aggregates=[cls for context in self.contexts for cls in context.aggregates],
            snapshot_intervals=snapshot_intervals(self.contexts, self.settings.snapshot_intervals),
        )
        assert isinstance(store.mapper, PydanticMapper)
        store.mapper.keys = self.keys
        return store

    @property
    def mapper(self) -> PydanticMapper:
        """The store's mapper (it opens and seals personal fields)."""
        return cast(PydanticMapper, self.store.mapper)

    @property
    def recorder(self) -> GroupCommitRecorder:
        return cast(GroupCommitRecorder, self.store.recorder)

    @cached_property
    def use_cases(self) -> dict[type, object]:
        """Each context's use cases, by class."""
        built = (context.use_cases(self.store, self.settings) for context in self.contexts)
        return {type(use_cases): use_cases for use_cases in built}

    def use(self, cls: type[Any]) -> Any:
        """One context's use cases (``container.use(NarrativeUseCases)``)."""
        return self.use_cases[cls]

    @cached_property
    def erasure(self) -> Erasure:
        return Erasure(self.store, self.erasure_log)

    # -- adapters -------------------------------------------------------------------

    @cached_property
    def keys(self) -> SubjectKeys:
        """Per-player data keys (crypto-shredding), wrapped under the master key."""
        master = hashlib.sha256(secret(self.settings, self.settings.master_key, "master-key").encode()).digest()
        keys = SubjectKeys(self.pool, master, ttl_seconds=self.settings.key_cache_seconds)
        keys.setup()
        return keys

    @cached_property
    def pool(self) -> Pool:
        """Read side and projections; separate from the event store's pool."""
        return ConnectionPool(
            self.conninfo,
            connection_class=Connection[DictRow],
            min_size=1,
            max_size=self.settings.db_pool_size,
            kwargs={"row_factory": dict_row},
            timeout=10,
            open=True,
            name="lorekeeper-read",
        )

    @cached_property
    def idempotency(self) -> IdempotencyStore:
        return IdempotencyStore(
            self.pool,
            self.recorder.unit_of_work,
            wait_seconds=self.settings.read_wait_max_seconds,
            crash_before_commit=self.settings.fault_crash_before_answer,
        )

    @cached_property
    def auth_sessions(self) -> AuthSessions:
        return AuthSessions(self.pool, self.settings.access_token_ttl_seconds, self.settings.refresh_token_ttl_seconds)

    @cached_property
    def login_throttle(self) -> LoginThrottle:
        s = self.settings
        return LoginThrottle(
            self.pool,
            per_address=Rule(s.login_free_failures, s.login_max_delay_seconds),
            per_account=Rule(s.login_account_free_failures, s.login_account_max_delay_seconds),
        )

    @cached_property
    def content_blobs(self) -> ContentBlobs:
        return ContentBlobs(self.pool)

    @cached_property
    def erasure_log(self) -> ErasureLog:
        return ErasureLog(self.pool, self.keys, self.auth_sessions.revoke_player, self.idempotency.forget)

    @cached_property
    def jwt_secret(self) -> str:
        return secret(self.settings, self.settings.jwt_secret, "jwt-secret")

    # -- the read side --------------------------------------------------------------

    @cached_property
    def read_models(self) -> list[ReadModel]:
        return read_models()

    @property
    def tables(self) -> list[Table]:
        """Every read table of every context."""
        return [table for model in self.read_models for table in model.tables]

    @cached_property
    def event_log(self) -> EventLog:
        """The notification log, read by projections, the relay and the feeds."""
        return EventLog(self.recorder.events_table_name)

    @cached_property
    def runners(self) -> dict[str, ProjectionRunner]:
        return {
            projection.name: ProjectionRunner(
                projection,
                self.pool,
                self.event_log,
                self.mapper.open_state,
                batch_size=self.settings.projection_batch_size,
            )
            for model in self.read_models
            for projection in model.projections
        }

    @cached_property
    def read_side(self) -> ReadSide:
        return ReadSide(
            self.pool,
            self.event_log,
            list(self.runners),
            self.settings.read_wait_max_seconds,
            self.settings.read_wait_max_waiters,
        )

    def setup(self) -> None:
        """Create every table the backend keeps (read tables, adapters' own);
        rebuild any projection whose schema version changed."""
        for runner in self.runners.values():
            try:
                runner.setup()
            except SchemaVersionMismatch:
                rebuild(runner)
        for reader in [*self.feeds, self.timer_scheduler]:
            reader.setup()
        for adapter in (
            self.idempotency,
            self.auth_sessions,
            self.login_throttle,
            self.content_blobs,
            self.erasure_log,
        ):
            adapter.setup()

    # -- fan-out ----------------------------------------------------------------------

    @property
    def kafka_enabled(self) -> bool:
        return bool(self.settings.kafka_bootstrap_servers)

    @cached_property
    def consumers(self) -> dict[str, Consumer]:
        return {
            "telemetry": TelemetryConsumer(self.mapper.decode_state, self.recorder.events_table_name, keys=self.keys),
            "ai": AiConsumer(),
        }

    @cached_property
    def feeds(self) -> list[EventStoreFeed]:
        """Without a broker, the consumers run in-process, fed from the event store."""
        if self.kafka_enabled:
            return []
        return [
            EventStoreFeed(consumer, self.pool, self.event_log, self.mapper.decode_state)
            for consumer in self.consumers.values()
        ]

    @cached_property
    def relay(self) -> Relay:
        assert self.settings.kafka_bootstrap_servers
        return Relay(
            self.pool,
            self.event_log,
            self.mapper.decode_state,
            self.settings.kafka_bootstrap_servers,
            partitions=self.settings.kafka_partitions,
            batch_size=self.settings.relay_batch_size,
        )

    @cached_property
    def telemetry_sink(self) -> TelemetrySink:
        if self.kafka_enabled:
            assert self.settings.kafka_bootstrap_servers
            return KafkaTelemetrySink(kafka_producer(self.settings.kafka_bootstrap_servers))
        return LocalTelemetrySink(self.consumers["telemetry"], self.pool)

    def readers(self) -> list[TrackedReader]:
        """Everything that follows the log here, for status and health."""
        readers: list[TrackedReader] = [*self.runners.values(), *self.feeds, self.timer_scheduler]
        if self.kafka_enabled:
            readers.append(self.relay)
        return readers

    # -- timers -----------------------------------------------------------------------

    @cached_property
    def timer_scheduler(self) -> TimerScheduler:
        """Sets the contexts' durable timers from the log."""
        policies = combined_policies(self.contexts, self.settings)
        return TimerScheduler(self.pool, self.event_log, self.mapper.to_domain_event, policies)

    @cached_property
    def timer_worker(self) -> TimerWorker:
        """Fires due timers through the contexts' use cases."""
        return TimerWorker(self.pool, timer_handlers(self.contexts, self.use_cases))

    def _follower(self, readers: Sequence[Reader]) -> Follower:
        return Follower(
            readers,
            self.conninfo,
            channel=self.recorder.channel_name,
            poll_seconds=self.settings.projection_poll_seconds,
            coalesce_seconds=self.settings.projection_coalesce_seconds,
        )

    @cached_property
    def follower(self) -> Follower:
        """Projections, the timers, and the in-process consumers when there is no broker."""
        return self._follower([*self.runners.values(), *self.feeds, self.timer_scheduler, self.timer_worker])

    @cached_property
    def relay_follower(self) -> Follower:
        """The relay on its own loop, so a slow broker never delays projections."""
        return self._follower([self.relay])

    def run_relay(self) -> None:
        """Become the active relay (or stand by), then publish until stopped."""
        follower = self.relay_follower
        self.relay.setup()
        if self.relay.acquire_leadership(self.conninfo, follower.stopping.wait):
            follower.run()
        self.relay.close()

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
        if "follower" in self.__dict__:
            self.follower.stop()
        if "pool" in self.__dict__:
            self.pool.close()
        if "store" in self.__dict__:
            self.store.close()
