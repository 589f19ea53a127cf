"""Wiring between the domain's pydantic events and eventsourcing's PostgreSQL store.

The mapper stores an event's stable ``TOPIC`` and its JSON (orjson), with the
personal fields the event declares sealed under their subject's key
(infra/crypto.py); reading back opens them and validates the JSON into the
pydantic event class registered under that topic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from functools import cached_property
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import (
    ApplicationRecorder,
    InterfaceError,
    Mapper,
    OperationalError,
    StoredEvent,
    Transcoder,
)
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresFactory, PostgresRecorder
from eventsourcing.utils import get_topic, resolve_topic, retry
from psycopg.sql import SQL, Composed, Identifier
from pydantic import BaseModel

from domain.kernel.aggregate import Snapshot
from infra.crypto import KeyStore, open_fields, seal_fields
from projections.ddl import DDL_LOCK


class OrjsonTranscoder(Transcoder):
    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(obj)

    def decode(self, data: bytes) -> Any:
        return orjson.loads(data)


def _snapshot_json(snapshot: Snapshot) -> bytes | None:
    """A snapshot (no personal data) as JSON written by orjson from its Python
    values, or None when one is of a type neither orjson nor ``_as_json``
    writes (a ``timedelta``): then pydantic's JSON mode writes it.

    A snapshot's state is ``dict[str, Any]``, whose every value pydantic's
    serializer inspects to infer its type: 4-6 times orjson's own time (25 ms
    against 6 for a book of 10,000 orders), holding the GIL. What orjson does
    not write itself it is given as pydantic's JSON mode writes it
    (``_as_json``); keys that are not strings become strings, as pydantic
    makes them. Both read back alike: datetimes (orjson writes UTC as
    +00:00, pydantic as Z) are typed on load (``snapshot_types``)."""
    fields = dict(snapshot)
    for option in (0, orjson.OPT_NON_STR_KEYS):  # the option costs a third more: only when needed
        try:
            return orjson.dumps(fields, default=_as_json, option=option)
        except TypeError:
            continue
    return None


def _as_json(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, set | frozenset):
        return list(value)
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


class PersonalDataWithoutKeys(RuntimeError):
    """Refuse to store personal data in the clear when no key store is wired."""


class PydanticMapper(Mapper):
    # Set by the composition root; without it, events with personal fields are refused.
    keys: KeyStore | None = None

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        assert isinstance(domain_event, BaseModel)
        personal = domain_event.personal()  # type: ignore[attr-defined]
        state = _snapshot_json(domain_event) if personal is None and isinstance(domain_event, Snapshot) else None
        if state is None:
            data = domain_event.model_dump(mode="json")
            if personal is not None:
                if self.keys is None:
                    raise PersonalDataWithoutKeys(f"{type(domain_event).__name__} holds personal data")
                data = seal_fields(self.keys, data, personal)
            state = self.transcoder.encode(data)
        if self.compressor:
            state = self.compressor.compress(state)
        if self.cipher:
            state = self.cipher.encrypt(state)
        return StoredEvent(
            originator_id=domain_event.originator_id,  # type: ignore[attr-defined]
            originator_version=domain_event.originator_version,  # type: ignore[attr-defined]
            topic=get_topic(type(domain_event)),
            state=state,
        )

    def decode_state(self, state: bytes) -> dict[str, Any]:
        """The stored JSON of an event as a dict, personal fields still sealed
        (what leaves the process: Kafka payloads, telemetry)."""
        if self.cipher:
            state = self.cipher.decrypt(state)
        if self.compressor:
            state = self.compressor.decompress(state)
        return self.transcoder.decode(state)

    def open_state(self, state: bytes) -> dict[str, Any]:
        """The stored JSON with personal fields opened (or erased): what projections read."""
        return open_fields(self.keys, self.decode_state(state))

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        cls = resolve_topic(stored_event.topic)
        return cls.model_validate(self.open_state(stored_event.state))


PERSISTENCE_ENV = {
    "PERSISTENCE_MODULE": "infra.persistence:LorekeeperPostgresFactory",
    "MAPPER_TOPIC": get_topic(PydanticMapper),
    "TRANSCODER_TOPIC": get_topic(OrjsonTranscoder),
    "APPLICATION_RECORDER_TOPIC": "infra.group_commit:GroupCommitRecorder",
}


class SchemaInTurn(PostgresRecorder):
    """eventsourcing's ``create_table``, one process at a time.

    Its statements include ``CREATE OR REPLACE FUNCTION`` and ``CREATE TYPE``,
    which two processes starting together (``serve``'s children) ran at once:
    one of them failed with "tuple concurrently updated" and exited. The
    lock is the read side's DDL lock (``projections.ddl``), held on a
    connection of its own while the library creates what it needs."""

    def create_table(self) -> None:
        with self.datastore.get_connection() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (DDL_LOCK,))
            try:
                super().create_table()
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (DDL_LOCK,))
                conn.commit()


class EventsInBinary(SchemaInTurn, PostgresAggregateRecorder):
    """eventsourcing's PostgreSQL recorder, its stored events exchanged with
    the database in binary both ways.

    Written: eventsourcing's insert sends its array of events as text, and
    psycopg escaped every field of every event in Python: the largest part of
    a hot market book's write, and of each snapshot of it (megabytes of
    JSON). The same statement (with the application recorder's ``RETURNING``)
    sends it in binary (``%b``).

    Read: in text the server hex-encoded every event's state and psycopg
    decoded it: a third of loading a chunk of 10,000 edits (0.45 ms for its
    70 KB snapshot, 0.16 ms in binary), and of every large snapshot.
    ``select_events`` is eventsourcing 9.5's with ``binary=True``: the library
    gives no seam for a cursor's result format."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        returning = " RETURNING notification_id" if isinstance(self, ApplicationRecorder) else ""
        self.insert_events_statement = SQL(
            "INSERT INTO {schema}.{table} AS t (originator_id, originator_version, topic, state)"
            " SELECT originator_id, originator_version, topic, state"
            " FROM unnest(%b::{schema}.{stored_event_type}[])" + returning
        ).format(
            schema=Identifier(self.datastore.schema),
            table=Identifier(self.events_table_name),
            stored_event_type=Identifier(self.stored_event_type_name),
        )

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        statement = self.select_events_statement
        params: list[Any] = [originator_id]
        if gt is not None:
            params.append(gt)
            statement += SQL(" AND originator_version > %s")
        if lte is not None:
            params.append(lte)
            statement += SQL(" AND originator_version <= %s")
        statement += SQL(" ORDER BY originator_version DESC" if desc else " ORDER BY originator_version ASC")
        if limit is not None:
            params.append(limit)
            statement += SQL(" LIMIT %s")
        return self._select(statement, params)

    # -- many aggregates at once (Lorekeeper.preloaded: domain/kernel/caching.py) ----------

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_aggregates(self, originator_ids: Sequence[UUID]) -> list[StoredEvent]:
        """What rebuilds each of these aggregates, in one query: its latest
        snapshot (from the snapshots' table beside this one) and then its
        events after it, aggregate by aggregate, in order. For the
        application's recorder (the events' table)."""
        return self._select(self._aggregates_statement, [array_literal(originator_ids)])

    def _select(self, statement: Composed, params: list[Any]) -> list[StoredEvent]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, params, prepare=True, binary=True)
            return [
                StoredEvent(
                    originator_id=row["originator_id"],
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=row["state"],
                )
                for row in curs.fetchall()
            ]

    @cached_property
    def _aggregates_statement(self) -> Composed:
        # eventsourcing names the tables after the application: <name>_events, <name>_snapshots.
        snapshots = self.events_table_name.removesuffix("_events") + "_snapshots"
        return SQL(
            "WITH wanted AS (SELECT unnest(%s::uuid[]) AS id), "
            "latest AS (SELECT DISTINCT ON (originator_id) originator_id, originator_version, topic, state "
            "FROM {schema}.{snapshots} WHERE originator_id IN (SELECT id FROM wanted) "
            "ORDER BY originator_id, originator_version DESC) "
            "SELECT originator_id, originator_version, topic, state, 0 AS part FROM latest "
            "UNION ALL "
            "SELECT e.originator_id, e.originator_version, e.topic, e.state, 1 FROM wanted w "
            "LEFT JOIN latest s ON s.originator_id = w.id "
            "JOIN {schema}.{events} e ON e.originator_id = w.id "
            "AND e.originator_version > coalesce(s.originator_version, 0) "
            "ORDER BY 1, 5, 2"
        ).format(
            schema=Identifier(self.datastore.schema),
            snapshots=Identifier(snapshots),
            events=Identifier(self.events_table_name),
        )


def array_literal(values: Iterable[object]) -> str:
    """A PostgreSQL array of ids or numbers as one text parameter (cast in the
    statement): psycopg dumps a Python list element by element, in Python (its
    lists were a tenth of the projector process's time under agents' turns,
    over all its statements); one string is dumped at once."""
    return "{" + ",".join(map(str, values)) + "}"


class LorekeeperPostgresFactory(PostgresFactory):
    """eventsourcing's PostgreSQL factory (``PERSISTENCE_MODULE``, the library's
    seam), its aggregate recorders (the snapshots') exchanging events in binary.
    The event store's recorder is ``GroupCommitRecorder`` (``APPLICATION_RECORDER_TOPIC``)."""

    aggregate_recorder_class = EventsInBinary

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._closing: list[Callable[[], None]] = []

    def application_recorder(self) -> ApplicationRecorder:
        recorder = super().application_recorder()
        close = getattr(recorder, "close", None)  # the group committer's recorder has a thread to end
        if close is not None:
            self._closing.append(close)
        return recorder

    def close(self) -> None:
        """End the recorders' own threads (what they have queued commits first), then close the pool."""
        for close in self._closing:
            close()
        super().close()
