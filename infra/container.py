"""The composition root: the one place that wires settings, the event store,
the read-side pool, the projection runners and the token service together."""

from __future__ import annotations

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
from infra.database import eventsourcing_env, resolve_conninfo
from infra.persistence import PERSISTENCE_ENV, PydanticMapper
from infra.settings import Settings
from projections.follower import Follower
from projections.rebuild import rebuild
from projections.runner import ProjectionRunner
from projections.tracking import SchemaVersionMismatch

set_json_loads(orjson.loads)
set_json_dumps(orjson.dumps)


def jwt_secret(settings: Settings) -> str:
    """The configured secret, or one generated once into the data directory."""
    if settings.jwt_secret:
        return settings.jwt_secret
    path = Path(settings.data_dir) / "jwt-secret"
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
        return Lorekeeper(
            env,
            snapshot_intervals=self.settings.snapshot_intervals,
            max_save_slots_per_player=self.settings.max_save_slots_per_player,
        )

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
                self.app.recorder,
                mapper.decode_state,
                batch_size=self.settings.projection_batch_size,
            )
            for name, projection in projections.ALL.items()
        }

    def setup_projections(self) -> None:
        """Create read tables; rebuild any whose schema version changed."""
        for runner in self.runners.values():
            try:
                runner.setup()
            except SchemaVersionMismatch:
                rebuild(runner)

    @cached_property
    def follower(self) -> Follower:
        return Follower(
            list(self.runners.values()),
            self.conninfo,
            channel=self.app.recorder.channel_name,
            poll_seconds=self.settings.projection_poll_seconds,
            coalesce_seconds=self.settings.projection_coalesce_seconds,
        )

    @cached_property
    def jwt_secret(self) -> str:
        return jwt_secret(self.settings)

    def close(self) -> None:
        if "follower" in self.__dict__:
            self.follower.stop()
        if "pool" in self.__dict__:
            self.pool.close()
        if "app" in self.__dict__:
            self.app.close()
