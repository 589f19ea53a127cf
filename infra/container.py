"""The composition root: the one place that wires settings, the event store,
the read-side pool, the projection runners and the token service together."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import orjson
from psycopg.rows import dict_row
from psycopg.types.json import set_json_dumps, set_json_loads
from psycopg_pool import ConnectionPool

import domain  # noqa: F401  (registers event topics)
import projections
from domain.services import Lorekeeper
from infra.crypto import SubjectKeys
from infra.database import eventsourcing_env, resolve_conninfo
from infra.fanout.consumers import AiConsumer, Consumer, TelemetryConsumer
from infra.fanout.feed import EventStoreFeed, LocalTelemetrySink
from infra.fanout.kafka_consumer import KafkaTelemetrySink
from infra.fanout.relay import Relay
from infra.fanout.relay import producer as kafka_producer
from infra.persistence import PERSISTENCE_ENV, PydanticMapper
from infra.settings import Settings
from projections.follower import Follower
from projections.rebuild import rebuild
from projections.runner import ProjectionRunner
from projections.tracking import EventLog, SchemaVersionMismatch, TrackedReader

set_json_loads(orjson.loads)
set_json_dumps(orjson.dumps)


def secret(settings: Settings, configured: str | None, name: str) -> str:
    """The configured secret, or one generated once into the data directory."""
    if configured:
        return configured
    path = Path(settings.data_dir) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


@dataclass
class Container:
    settings: Settings = field(default_factory=Settings)

    @cached_property
    def conninfo(self) -> str:
        return resolve_conninfo(self.settings)

    @cached_property
    def app(self) -> Lorekeeper:
        env = {**PERSISTENCE_ENV, **eventsourcing_env(self.conninfo, self.settings)}
        app = Lorekeeper(
            env,
            snapshot_intervals=self.settings.snapshot_intervals,
            max_save_slots_per_player=self.settings.max_save_slots_per_player,
        )
        assert isinstance(app.mapper, PydanticMapper)
        app.mapper.keys = self.keys
        return app

    @cached_property
    def keys(self) -> SubjectKeys:
        """Per-player data keys (crypto-shredding), wrapped under the master key."""
        master = hashlib.sha256(secret(self.settings, self.settings.master_key, "master-key").encode()).digest()
        keys = SubjectKeys(self.pool, master, ttl_seconds=self.settings.key_cache_seconds)
        keys.setup()
        return keys

    @cached_property
    def event_log(self) -> EventLog:
        """The notification log, read by projections, the relay and the feeds."""
        return EventLog(self.app.recorder.events_table_name)

    @cached_property
    def pool(self) -> ConnectionPool:
        """Read side and projections; separate from the event store's pool."""
        pool = ConnectionPool(
            self.conninfo,
            min_size=1,
            max_size=self.settings.db_pool_size,
            kwargs={"row_factory": dict_row},
            timeout=10,
            open=True,
            name="lorekeeper-read",
        )
        return pool

    @cached_property
    def runners(self) -> dict[str, ProjectionRunner]:
        mapper = self.app.mapper
        assert isinstance(mapper, PydanticMapper)
        return {
            name: ProjectionRunner(
                projection,
                self.pool,
                self.event_log,
                mapper.open_state,
                batch_size=self.settings.projection_batch_size,
            )
            for name, projection in projections.ALL.items()
        }

    def setup_projections(self) -> None:
        """Create read tables (and, without a broker, the in-process consumers'
        tables); rebuild any projection whose schema version changed."""
        for runner in self.runners.values():
            try:
                runner.setup()
            except SchemaVersionMismatch:
                rebuild(runner)
        for feed in self.feeds:
            feed.setup()
        self.shred_erased()

    def shred_erased(self) -> None:
        """Destroy the key of every player the read model shows as erased: an
        erasure interrupted between its event and its key is finished here."""
        with self.pool.connection() as conn:
            conn.execute(
                "UPDATE lorekeeper_subject_keys k SET wrapped_key = NULL, erased_at = coalesce(k.erased_at, now()) "
                "FROM players p WHERE p.erased_at IS NOT NULL AND p.account_id = k.subject_id "
                "AND k.wrapped_key IS NOT NULL"
            )

    # -- fan-out --------------------------------------------------------------

    @property
    def kafka_enabled(self) -> bool:
        return bool(self.settings.kafka_bootstrap_servers)

    @cached_property
    def consumers(self) -> dict[str, Consumer]:
        return {
            "telemetry": TelemetryConsumer(
                self.app.mapper.decode_state, self.app.recorder.events_table_name, keys=self.keys
            ),
            "ai": AiConsumer(),
        }

    @cached_property
    def feeds(self) -> list[EventStoreFeed]:
        """Without a broker, the consumers run in-process, fed from the event store."""
        if self.kafka_enabled:
            return []
        return [
            EventStoreFeed(consumer, self.pool, self.event_log, self.app.mapper.decode_state)
            for consumer in self.consumers.values()
        ]

    @cached_property
    def relay(self) -> Relay:
        assert self.settings.kafka_bootstrap_servers
        return Relay(
            self.pool,
            self.event_log,
            self.app.mapper.decode_state,
            self.settings.kafka_bootstrap_servers,
            partitions=self.settings.kafka_partitions,
            batch_size=self.settings.relay_batch_size,
        )

    @cached_property
    def telemetry_sink(self) -> LocalTelemetrySink | KafkaTelemetrySink:
        if self.kafka_enabled:
            assert self.settings.kafka_bootstrap_servers
            return KafkaTelemetrySink(kafka_producer(self.settings.kafka_bootstrap_servers))
        return LocalTelemetrySink(self.consumers["telemetry"], self.pool)

    def readers(self) -> list[TrackedReader]:
        """Everything that follows the log here, for status and health."""
        readers: list[TrackedReader] = [*self.runners.values(), *self.feeds]
        if self.kafka_enabled:
            readers.append(self.relay)
        return readers

    def _follower(self, readers: list[TrackedReader]) -> Follower:
        return Follower(
            readers,
            self.conninfo,
            channel=self.app.recorder.channel_name,
            poll_seconds=self.settings.projection_poll_seconds,
            coalesce_seconds=self.settings.projection_coalesce_seconds,
        )

    @cached_property
    def follower(self) -> Follower:
        """Projections, plus the in-process consumers when there is no broker."""
        return self._follower([*self.runners.values(), *self.feeds])

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

    @cached_property
    def jwt_secret(self) -> str:
        return secret(self.settings, self.settings.jwt_secret, "jwt-secret")

    def close(self) -> None:
        if "relay_follower" in self.__dict__:
            self.relay_follower.stop()
        if "follower" in self.__dict__:
            self.follower.stop()
        if "pool" in self.__dict__:
            self.pool.close()
        if "app" in self.__dict__:
            self.app.close()
