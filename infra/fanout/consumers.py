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
        new = []
        for message in messages:
            if message.position is None:
                new.append(message)
            elif message.position in fresh:
                fresh.discard(message.position)  # a re-sent copy in the same batch is skipped too
                new.append(message)
        if new:
            self.apply_all(conn, new)
        return len(new)

    def apply_all(self, conn: psycopg.Connection[Any], messages: list[Message]) -> None:
        """Apply new messages in order; override to work set-at-a-time."""
        for message in messages:
            self.apply(conn, message)

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

    def __init__(self, decode: Callable[[bytes], dict[str, Any]], events_table: str = "lorekeeper_events") -> None:
        self.decode = decode
        self.events_table = events_table

    def apply_all(self, conn: psycopg.Connection[Any], messages: list[Message]) -> None:
        """Set at a time: one query each for owners, opt-outs and the insert,
        whatever the batch size (a live game sends thousands of events a second)."""
        rows: list[tuple[Any, ...]] = []
        domain = [(m, m.json()) for m in messages if m.topic != TELEMETRY_TOPIC]
        accounts = self._accounts(conn, domain)
        client = [m.json() for m in messages if m.topic == TELEMETRY_TOPIC]
        everyone = {a for a in accounts.values() if a is not None} | {UUID(d["account_id"]) for d in client}
        preferences = self._preferences(conn, everyone)
        for message, data in domain:
            subject = UUID(data["originator_id"])
            account = accounts.get(subject)
            if account is not None and _opted_out(preferences.get(account, []), message.position):
                continue
            rows.append(
                (
                    event_id(subject, data["originator_version"]),
                    account,
                    message.event_type,
                    Jsonb(data),
                    datetime.fromisoformat(data["timestamp"]),
                    "server",
                    message.position,
                )
            )
        for data in client:
            account = UUID(data["account_id"])
            if _opted_out(preferences.get(account, []), None):
                continue
            timestamp = datetime.fromisoformat(data["timestamp"])
            rows.append(
                (UUID(data["event_id"]), account, data["event_type"], Jsonb(data["payload"]), timestamp, "client", None)
            )
        if rows:
            with conn.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO telemetry_events "
                    "(event_id, account_id, event_type, payload, timestamp, source, position) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (event_id) DO NOTHING",
                    rows,
                )

    def _accounts(
        self, conn: psycopg.Connection[Any], domain: list[tuple[Message, dict[str, Any]]]
    ) -> dict[UUID, UUID | None]:
        """The player each event's aggregate belongs to: players are their own;
        an aggregate whose first event names an owner maps to it (that first
        event is always consumed before its later ones: same key, same partition)."""
        accounts: dict[UUID, UUID | None] = {}
        new_owners: dict[UUID, UUID] = {}
        for message, data in domain:
            subject = UUID(data["originator_id"])
            if message.event_type.startswith(PREFIX + "player."):
                accounts[subject] = subject
            elif owner := data.get("owner_id") or data.get("player_id") or data.get("user_id"):
                accounts[subject] = new_owners[subject] = UUID(owner)
        if new_owners:
            conn.execute(
                "INSERT INTO telemetry_subjects (subject_id, account_id) "
                "SELECT * FROM unnest(%s::uuid[], %s::uuid[]) ON CONFLICT DO NOTHING",
                (list(new_owners), list(new_owners.values())),
            )
        unknown = list({UUID(d["originator_id"]) for _, d in domain} - set(accounts))
        if unknown:
            found = conn.execute(
                "SELECT subject_id, account_id FROM telemetry_subjects WHERE subject_id = ANY(%s)", (unknown,)
            ).fetchall()
            accounts.update({r["subject_id"]: r["account_id"] for r in found})
        return accounts

    def _preferences(self, conn: psycopg.Connection[Any], accounts: set[UUID]) -> dict[UUID, list[tuple[int, bool]]]:
        """Each account's telemetry preference changes, as (position, opted_out), in order."""
        if not accounts:
            return {}
        query = sql.SQL(
            "SELECT originator_id, notification_id, state FROM {} WHERE originator_id = ANY(%s) AND topic = %s "
            "ORDER BY notification_id"
        ).format(sql.Identifier(self.events_table))
        changes: dict[UUID, list[tuple[int, bool]]] = {}
        for row in conn.execute(query, (list(accounts), OPT_OUT_TYPE)).fetchall():
            opted_out = bool(self.decode(bytes(row["state"]))["opted_out"])
            changes.setdefault(row["originator_id"], []).append((row["notification_id"], opted_out))
        return changes


def _opted_out(changes: list[tuple[int, bool]], position: int | None) -> bool:
    """The preference in force at ``position`` (None: the latest)."""
    state = False
    for at, opted_out in changes:
        if position is not None and at > position:
            break
        state = opted_out
    return state


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
