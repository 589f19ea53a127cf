"""Consumers of the fanned-out events. Each records the positions it has
processed in the same transaction as its effects, so a redelivered message
changes nothing; client telemetry (which has no position) is deduplicated by
its event id.

The same ``handle`` runs behind a Kafka consumer group (``lorekeeper consume``)
or, with no broker configured, fed straight from the event store in-process.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from infra.crypto import KeyStore, open_value
from infra.fanout.messages import PREFIX, TELEMETRY_TOPIC, Message, event_id
from projections.tracking import lock_ddl

POSITIONS_DDL = """
CREATE TABLE IF NOT EXISTS lorekeeper_consumer_positions (
    consumer text NOT NULL,
    position bigint NOT NULL,
    PRIMARY KEY (consumer, position)
)"""


class Consumer:
    name: str = ""
    group_id: str = ""
    pattern: str = ""  # Kafka topic subscription (regular expression)
    ddl: tuple[str, ...] = ()

    def accepts(self, event_topic: str) -> bool:
        """Which stored events the in-process feed hands to this consumer."""
        return True

    def setup(self, pool: ConnectionPool) -> None:
        with pool.connection() as conn, conn.transaction():
            lock_ddl(conn)
            conn.execute(POSITIONS_DDL)
            for statement in self.ddl:
                conn.execute(statement)

    def handle(self, conn: psycopg.Connection[Any], messages: list[Message]) -> int:
        """Apply new messages inside the caller's transaction; returns how many were new."""
        positions = [m.position for m in messages if m.position is not None]
        fresh: set[int] = set()
        if positions:
            rows = conn.execute(
                "INSERT INTO lorekeeper_consumer_positions (consumer, position) "
                "SELECT %s, p FROM unnest(%s::bigint[]) AS p ON CONFLICT DO NOTHING RETURNING position",
                (self.name, positions),
            ).fetchall()
            fresh = {r["position"] for r in rows}
        applied = 0
        for message in messages:
            if message.position is None:
                self.apply(conn, message)
                applied += 1
            elif message.position in fresh:
                fresh.discard(message.position)  # a re-sent copy in the same batch is skipped too
                self.apply(conn, message)
                applied += 1
        return applied

    def apply(self, conn: psycopg.Connection[Any], message: Message) -> None:
        raise NotImplementedError


TELEMETRY_DDL = (
    """CREATE TABLE IF NOT EXISTS telemetry_events (
        event_id uuid PRIMARY KEY,
        account_id uuid,
        event_type text NOT NULL,
        payload jsonb NOT NULL,
        timestamp timestamptz NOT NULL,
        source text NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS telemetry_events_account_idx ON telemetry_events (account_id, timestamp)",
    "CREATE INDEX IF NOT EXISTS telemetry_events_type_idx ON telemetry_events (event_type, timestamp)",
    """CREATE TABLE IF NOT EXISTS telemetry_subjects (
        subject_id uuid PRIMARY KEY,
        account_id uuid NOT NULL
    )""",
    "ALTER TABLE telemetry_events ADD COLUMN IF NOT EXISTS position bigint",
)

OPT_OUT_TYPE = "lorekeeper.player.TelemetryPreferenceChanged"
ERASED_TYPE = "lorekeeper.player.Erased"


class TelemetryConsumer(Consumer):
    """Fills seed 000's ``telemetry_events`` from domain events and client
    telemetry, leaving out players who opted out.

    Whether a player had opted out is decided as of the event's position in
    the event store, not from the order messages arrive in: a save slot's
    events travel on another topic than the player's opt-out and may be
    consumed first. The player's own events in the store say what was true.
    """

    name = "telemetry"
    group_id = "lorekeeper-telemetry"
    pattern = r"^lorekeeper\..*"
    ddl = TELEMETRY_DDL

    def __init__(
        self,
        decode: Callable[[bytes], dict[str, Any]],
        events_table: str = "lorekeeper_events",
        keys: KeyStore | None = None,
    ) -> None:
        self.decode = decode
        self.events_table = events_table
        self.keys = keys

    def apply(self, conn: psycopg.Connection[Any], message: Message) -> None:
        if message.topic == TELEMETRY_TOPIC:
            self._client_event(conn, message.json())
        elif message.event_type == ERASED_TYPE:
            # Erasure: everything telemetry holds about the player goes.
            conn.execute("DELETE FROM telemetry_events WHERE account_id = %s", (UUID(message.json()["originator_id"]),))
        else:
            self._domain_event(conn, message)

    def _domain_event(self, conn: psycopg.Connection[Any], message: Message) -> None:
        data = message.json()
        subject = UUID(data["originator_id"])
        account = self._account(conn, message.event_type, subject, data)
        if account is not None and self._opted_out(conn, account, message.position):
            return
        conn.execute(
            "INSERT INTO telemetry_events (event_id, account_id, event_type, payload, timestamp, source, position) "
            "VALUES (%s, %s, %s, %s, %s, 'server', %s) ON CONFLICT (event_id) DO NOTHING",
            (
                event_id(subject, data["originator_version"]),
                account,
                message.event_type,
                Jsonb(data),
                datetime.fromisoformat(data["timestamp"]),
                message.position,
            ),
        )

    def _account(
        self, conn: psycopg.Connection[Any], event_type: str, subject: UUID, data: dict[str, Any]
    ) -> UUID | None:
        """The player an event is about: players are their own, others map by subject
        (the mapping comes from the aggregate's first event, which is always
        consumed before its later ones: same key, same partition)."""
        if event_type.startswith(PREFIX + "player."):
            return subject
        owner = data.get("owner_id") or data.get("player_id")
        if owner is not None:
            account = UUID(owner)
            conn.execute(
                "INSERT INTO telemetry_subjects (subject_id, account_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (subject, account),
            )
            return account
        row = conn.execute("SELECT account_id FROM telemetry_subjects WHERE subject_id = %s", (subject,)).fetchone()
        return row["account_id"] if row else None

    def _opted_out(self, conn: psycopg.Connection[Any], account: UUID, position: int | None) -> bool:
        """Whether the player had opted out (or been erased) as of ``position`` (None: now)."""
        query = sql.SQL(
            "SELECT topic, state FROM {} WHERE originator_id = %s AND topic = ANY(%s) {} "
            "ORDER BY originator_version DESC LIMIT 1"
        ).format(
            sql.Identifier(self.events_table),
            sql.SQL("AND notification_id <= %s" if position is not None else ""),
        )
        params: list[Any] = [account, [OPT_OUT_TYPE, ERASED_TYPE]] + ([position] if position is not None else [])
        row = conn.execute(query, params).fetchone()
        if row is None:
            return False
        return row["topic"] == ERASED_TYPE or bool(self.decode(bytes(row["state"]))["opted_out"])

    def _client_event(self, conn: psycopg.Connection[Any], data: dict[str, Any]) -> None:
        account = UUID(data["account_id"])
        payload = open_value(self.keys, data["payload"])
        if payload is None or self._opted_out(conn, account, None):
            return  # sealed for a player erased since (or opted out): dropped
        conn.execute(
            "INSERT INTO telemetry_events (event_id, account_id, event_type, payload, timestamp, source) "
            "VALUES (%s, %s, %s, %s, %s, 'client') ON CONFLICT (event_id) DO NOTHING",
            (
                UUID(data["event_id"]),
                account,
                data["event_type"],
                Jsonb(payload),
                datetime.fromisoformat(data["timestamp"]),
            ),
        )


AI_DDL = (
    """CREATE TABLE IF NOT EXISTS ai_inbox (
        position bigint PRIMARY KEY,
        topic text NOT NULL,
        subject uuid NOT NULL,
        event_type text NOT NULL,
        payload jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
    )""",
)


class AiConsumer(Consumer):
    """The AI consumer's skeleton: it reads the hero and world topics and keeps
    what it received; its decisions arrive with the heroes work."""

    name = "ai"
    group_id = "lorekeeper-ai"
    pattern = r"^lorekeeper\.(hero|world)$"
    ddl = AI_DDL

    def accepts(self, event_topic: str) -> bool:
        return event_topic.startswith((PREFIX + "hero.", PREFIX + "world."))

    def apply(self, conn: psycopg.Connection[Any], message: Message) -> None:
        data = message.json()
        conn.execute(
            "INSERT INTO ai_inbox (position, topic, subject, event_type, payload) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (position) DO NOTHING",
            (message.position, message.topic, UUID(data["originator_id"]), message.event_type, Jsonb(data)),
        )


def client_telemetry_message(account_id: UUID, event: dict[str, Any]) -> Message:
    """A client telemetry event as published to ``lorekeeper.telemetry``."""
    body = {"account_id": str(account_id), **event}
    return Message(
        topic=TELEMETRY_TOPIC,
        key=str(account_id).encode(),
        value=orjson.dumps(body),
        headers={
            "ce_specversion": "1.0",
            "ce_id": str(event["event_id"]),
            "ce_source": f"/clients/{account_id}",
            "ce_type": f"client.{event['event_type']}",
            "ce_time": str(event["timestamp"]),
            "ce_subject": str(account_id),
            "content-type": "application/json",
        },
    )
