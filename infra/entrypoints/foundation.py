"""The first half of the composition root: the event store with every
context's aggregates and use cases, and the PostgreSQL adapters beside it
(keys, pools, idempotency, sessions, throttling, content, erasure log)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, cast

import orjson
from psycopg import Connection
from psycopg.rows import DictRow, dict_row
from psycopg.types.json import set_json_dumps, set_json_loads
from psycopg_pool import ConnectionPool

from domain.accounts import Erasure
from domain.adventure import AdventureUseCases
from domain.kernel.context import DomainContext
from domain.kernel.store import Lorekeeper
from infra import unit_of_work
from infra.auth_sessions import AuthSessions
from infra.background import BackgroundWriter
from infra.cache_keeper import CacheKeeper
from infra.content_store import ContentBlobs
from infra.crypto import SubjectKeys
from infra.database import eventsourcing_env, resolve_conninfo
from infra.entrypoints.contexts import domain_contexts, snapshot_intervals
from infra.group_commit import GroupCommitRecorder
from infra.idempotency import IdempotencyStore
from infra.login_throttle import LoginThrottle, Rule
from infra.persistence import PERSISTENCE_ENV, PydanticMapper
from infra.privacy import ErasureLog
from infra.secret_files import secret
from infra.settings import Settings
from projections.adventure.census import ReadSideCensus
from projections.db import LoopReads, Pool

# psycopg reads and writes jsonb with orjson, in every process the container runs.
set_json_loads(orjson.loads)
set_json_dumps(orjson.dumps)


@dataclass
class Foundation:
    """The domain (the one event store, each context's use cases) and the adapters
    beside it; ``Following`` adds what follows the log (read side, fan-out,
    timers), ``Container`` the setup, HTTP and closing."""

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
        keeper = self.cache_keeper  # takes its place in the log before anything is cached
        env = {**PERSISTENCE_ENV, **eventsourcing_env(self.conninfo, self.settings)}
        store = Lorekeeper(
            env,
            aggregates=[cls for context in self.contexts for cls in context.aggregates],
            snapshot_intervals=snapshot_intervals(self.contexts, self.settings.snapshot_intervals),
        )
        assert isinstance(store.mapper, PydanticMapper)
        store.mapper.keys = self.keys
        # A command inside a unit of work (an Idempotency-Key) commits with its
        # answer, in its own transaction: it is never combined with others'.
        store.alone = lambda: unit_of_work.current() is not None
        store.snapshot_later = self.snapshot_writer.submit
        assert keeper.table == store.recorder.events_table_name  # type: ignore[attr-defined]
        return store

    @cached_property
    def cache_keeper(self) -> CacheKeeper:
        """Tells the store what other processes wrote (infra/cache_keeper.py); a
        long-running process follows with it (``Container.keep_cache``)."""
        return CacheKeeper(self.pool, f"{Lorekeeper.name.lower()}_events", lambda seen: self.store.note_versions(seen))

    @cached_property
    def snapshot_writer(self) -> BackgroundWriter:
        """Writes due snapshots off the writing thread (infra/background.py)."""
        return BackgroundWriter("snapshot-writer")

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
        uses = {type(use_cases): use_cases for use_cases in built}
        if AdventureUseCases in uses:  # the surveyor agents see whole worlds through the read side
            cast(AdventureUseCases, uses[AdventureUseCases]).agents.census = ReadSideCensus(self.pool)
        return uses

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
    def loop_reads(self) -> LoopReads:
        """The hottest reads' pool, on the app's event loop (the app opens it)."""
        return LoopReads(self.conninfo, self.settings.db_pool_size)

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
