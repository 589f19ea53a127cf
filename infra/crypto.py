"""Crypto-shredding: personal fields are sealed with a key of their subject's own.

Every player has a 256-bit data key, stored wrapped (AES-GCM) under the
deployment's master key in ``lorekeeper_subject_keys``. The mapper seals the
personal fields an event declares (``DomainEvent.PERSONAL``) into one
``"$personal"`` object before the event is stored::

    {"...": "...", "$personal": {"subject": "<player id>", "sealed": "<base64>",
                                 "erased": {"display_name": "[erased]"}}}

``sealed`` is AES-256-GCM over the JSON of the fields, bound to the subject
(associated data). ``erased`` says what each field reads as once the key is
gone. Erasing a player destroys the key: the event store, snapshots, Kafka
payloads and any copy of them keep only ciphertext nobody can open.

The relay publishes events sealed; projections open them to build read tables
(and erasure updates those rows). Keys are cached per process for
``ttl_seconds``: after an erasure another process may still open a subject's
fields for at most that long (this process forgets at once).
"""

from __future__ import annotations

import base64
import contextlib
import os
import threading
from collections.abc import Callable
from typing import Any, Protocol
from uuid import UUID

import orjson
from cachetools import TTLCache
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.kernel.aggregate import Personal
from projections.db import Pool
from projections.ddl import lock_ddl

FIELD = "$personal"
NONCE_BYTES = 12

KEYS_DDL = """
CREATE TABLE IF NOT EXISTS lorekeeper_subject_keys (
    subject_id uuid PRIMARY KEY,
    wrapped_key bytea,
    created_at timestamptz NOT NULL DEFAULT now(),
    erased_at timestamptz
)"""


class SubjectErased(Exception):
    """Personal data of an erased subject cannot be sealed again."""


class KeyStore(Protocol):
    def key_for_write(self, subject: UUID) -> bytes: ...

    def key_for_read(self, subject: UUID) -> bytes | None: ...

    def destroy(self, subject: UUID) -> None: ...


def _seal(key: bytes, subject: UUID, plaintext: bytes) -> str:
    nonce = os.urandom(NONCE_BYTES)
    return base64.b64encode(nonce + AESGCM(key).encrypt(nonce, plaintext, subject.bytes)).decode()


def _open(key: bytes, subject: UUID, sealed: str) -> bytes:
    raw = base64.b64decode(sealed)
    return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], subject.bytes)


class MemoryKeys:
    """Keys in a dict: for tests of the domain and the mapper without a database."""

    def __init__(self) -> None:
        self.keys: dict[UUID, bytes | None] = {}

    def key_for_write(self, subject: UUID) -> bytes:
        if subject in self.keys and self.keys[subject] is None:
            raise SubjectErased(str(subject))
        return self.keys.setdefault(subject, AESGCM.generate_key(256))  # type: ignore[return-value]

    def key_for_read(self, subject: UUID) -> bytes | None:
        return self.keys.get(subject)

    def destroy(self, subject: UUID) -> None:
        self.keys[subject] = None


class SubjectKeys:
    """Data keys in PostgreSQL, wrapped under the master key, cached briefly."""

    def __init__(self, pool: Pool, master_key: bytes, *, ttl_seconds: float = 30.0) -> None:
        self.pool = pool
        self.master = AESGCM(master_key)
        self._cache: TTLCache[UUID, bytes | None] = TTLCache(maxsize=100_000, ttl=ttl_seconds)
        self._lock = threading.Lock()

    def setup(self) -> None:
        with self.pool.connection() as conn, conn.transaction():
            lock_ddl(conn)  # processes starting together
            conn.execute(KEYS_DDL)

    def _unwrap(self, subject: UUID, wrapped: bytes | None) -> bytes | None:
        if wrapped is None:
            return None
        return self.master.decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], subject.bytes)

    def _cached(self, subject: UUID, load: Callable[[], bytes | None]) -> bytes | None:
        with self._lock:
            if subject in self._cache:
                return self._cache[subject]
        key = load()
        with self._lock:
            self._cache[subject] = key
        return key

    def key_for_read(self, subject: UUID) -> bytes | None:
        def load() -> bytes | None:
            with self.pool.connection() as conn:
                row = conn.execute(
                    "SELECT wrapped_key FROM lorekeeper_subject_keys WHERE subject_id = %s", (subject,)
                ).fetchone()
            return self._unwrap(subject, row["wrapped_key"]) if row else None

        return self._cached(subject, load)

    def key_for_write(self, subject: UUID) -> bytes:
        key = self.key_for_read(subject)
        if key is not None:
            return key
        nonce = os.urandom(NONCE_BYTES)
        fresh = AESGCM.generate_key(256)
        wrapped = nonce + self.master.encrypt(nonce, fresh, subject.bytes)
        with self.pool.connection() as conn:
            # First writer wins, in one round trip: the no-op update returns the
            # stored key, and a destroyed key (NULL) is never replaced.
            row = conn.execute(
                "INSERT INTO lorekeeper_subject_keys (subject_id, wrapped_key) VALUES (%s, %s) "
                "ON CONFLICT (subject_id) DO UPDATE SET wrapped_key = lorekeeper_subject_keys.wrapped_key "
                "RETURNING wrapped_key",
                (subject, wrapped),
            ).fetchone()
        assert row is not None  # INSERT ... RETURNING always returns the row
        key = self._unwrap(subject, row["wrapped_key"])
        if key is None:
            raise SubjectErased(str(subject))
        with self._lock:
            self._cache[subject] = key
        return key

    def destroy(self, subject: UUID) -> None:
        with self.pool.connection() as conn:
            conn.execute(
                "INSERT INTO lorekeeper_subject_keys (subject_id, wrapped_key, erased_at) VALUES (%s, NULL, now()) "
                "ON CONFLICT (subject_id) DO UPDATE SET wrapped_key = NULL, "
                "erased_at = coalesce(lorekeeper_subject_keys.erased_at, now())",
                (subject,),
            )
        with self._lock:
            self._cache[subject] = None


def seal_fields(keys: KeyStore, data: dict[str, Any], personal: Personal) -> dict[str, Any]:
    """``data`` (an event's JSON) with the personal fields sealed under the subject's key."""
    target = data[personal.within] if personal.within else data
    values = {name: target.pop(name) for name in personal.erased if name in target}
    sealed = _seal(keys.key_for_write(personal.subject), personal.subject, orjson.dumps(values))
    target[FIELD] = {"subject": str(personal.subject), "sealed": sealed, "erased": personal.erased}
    return data


def open_fields(keys: KeyStore | None, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with sealed fields opened, or set to their erased values if the key is gone."""
    for target in (data, data.get("state")):
        if isinstance(target, dict) and FIELD in target:
            envelope = target.pop(FIELD)
            subject = UUID(envelope["subject"])
            key = keys.key_for_read(subject) if keys is not None else None
            values = envelope["erased"]
            if key is not None:
                with contextlib.suppress(InvalidTag):  # not this subject's ciphertext: unreadable
                    values = orjson.loads(_open(key, subject, envelope["sealed"]))
            target.update(values)
    return data


def seal_value(keys: KeyStore, subject: UUID, value: Any) -> dict[str, Any]:
    """One free-form value (a client telemetry payload) sealed for transport."""
    sealed = _seal(keys.key_for_write(subject), subject, orjson.dumps({"value": value}))
    return {FIELD: {"subject": str(subject), "sealed": sealed, "erased": {"value": None}}}


def open_value(keys: KeyStore | None, envelope: Any) -> Any:
    """What ``seal_value`` sealed; None once the subject is erased."""
    if not (isinstance(envelope, dict) and FIELD in envelope):
        return envelope
    return open_fields(keys, dict(envelope)).get("value")
