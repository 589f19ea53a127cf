"""Wiring between the domain's pydantic events and eventsourcing's PostgreSQL store.

The mapper stores an event's stable ``TOPIC`` and its JSON (orjson), with the
personal fields the event declares sealed under their subject's key
(infra/crypto.py); reading back opens them and validates the JSON into the
pydantic event class registered under that topic.
"""

from __future__ import annotations

from typing import Any

import orjson
from eventsourcing.persistence import Mapper, StoredEvent, Transcoder
from eventsourcing.postgres import PostgresAggregateRecorder
from eventsourcing.utils import get_topic, resolve_topic
from psycopg.sql import SQL, Identifier
from pydantic import BaseModel

from infra.crypto import KeyStore, open_fields, seal_fields


class OrjsonTranscoder(Transcoder):
    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(obj)

    def decode(self, data: bytes) -> Any:
        return orjson.loads(data)


class PersonalDataWithoutKeys(RuntimeError):
    """Refuse to store personal data in the clear when no key store is wired."""


class PydanticMapper(Mapper):
    # Set by the composition root; without it, events with personal fields are refused.
    keys: KeyStore | None = None

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        assert isinstance(domain_event, BaseModel)
        data = domain_event.model_dump(mode="json")
        personal = domain_event.personal()  # type: ignore[attr-defined]
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
    "PERSISTENCE_MODULE": "eventsourcing.postgres",
    "MAPPER_TOPIC": get_topic(PydanticMapper),
    "TRANSCODER_TOPIC": get_topic(OrjsonTranscoder),
    "APPLICATION_RECORDER_TOPIC": "infra.group_commit:GroupCommitRecorder",
}


def send_events_in_binary(recorder: PostgresAggregateRecorder, returning: bool = False) -> None:
    """eventsourcing's insert of stored events (``PostgresAggregateRecorder``'s,
    and with ``returning`` the application recorder's ``RETURNING``), its array
    of events sent in binary (``%b``). In text, psycopg escaped every field of
    every event in Python: the largest part of a hot market book's write, and
    of each snapshot of it (megabytes of JSON). For the event store's recorder
    (``GroupCommitRecorder``) and the snapshots' (``Foundation.store``)."""
    recorder.insert_events_statement = SQL(
        "INSERT INTO {schema}.{table} AS t (originator_id, originator_version, topic, state)"
        " SELECT originator_id, originator_version, topic, state"
        " FROM unnest(%b::{schema}.{stored_event_type}[])" + (" RETURNING notification_id" if returning else "")
    ).format(
        schema=Identifier(recorder.datastore.schema),
        table=Identifier(recorder.events_table_name),
        stored_event_type=Identifier(recorder.stored_event_type_name),
    )
