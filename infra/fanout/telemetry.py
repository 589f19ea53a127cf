"""The telemetry consumer: seed 000's ``telemetry_events`` from every domain
event and from client telemetry, leaving out players who opted out."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from cachetools import LRUCache
from psycopg import sql
from psycopg.types.json import Jsonb

from infra.crypto import KeyStore, open_value
from infra.fanout.consumers import Consumer
from infra.fanout.messages import PREFIX, TELEMETRY_TOPIC, Message, event_id
from projections.db import Conn
from projections.narrative.telemetry import TELEMETRY_EVENTS, TELEMETRY_SUBJECTS

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
    tables = (TELEMETRY_EVENTS, TELEMETRY_SUBJECTS)

    def __init__(
        self,
        decode: Callable[[bytes], dict[str, Any]],
        events_table: str = "lorekeeper_events",
        keys: KeyStore | None = None,
    ) -> None:
        self.decode = decode
        self.events_table = events_table
        self.keys = keys
        # subject -> account (None: none), bounded; see _accounts
        self._subjects: LRUCache[UUID, UUID | None] = LRUCache(maxsize=200_000)

    def apply_all(self, conn: Conn, messages: list[Message]) -> None:
        """Runs of domain events are applied set-wise (a handful of statements per
        batch, not three per event; arrays sent in binary, ``%b``, as the text
        format escaped every JSON payload); erasures and client events, one at a time
        and in order, so that an erasure also removes what came just before it."""
        run: list[Message] = []
        for message in messages:
            if message.topic == TELEMETRY_TOPIC or message.event_type == ERASED_TYPE:
                self._domain_events(conn, run)
                run = []
                self.apply(conn, message)
            else:
                run.append(message)
        self._domain_events(conn, run)

    def apply(self, conn: Conn, message: Message) -> None:
        if message.topic == TELEMETRY_TOPIC:
            self._client_event(conn, message.json())
        elif message.event_type == ERASED_TYPE:
            # Erasure: everything telemetry holds about the player goes.
            conn.execute(
                f"DELETE FROM {TELEMETRY_EVENTS.qualified} WHERE account_id = %s",
                (UUID(message.json()["originator_id"]),),
            )
        else:
            self._domain_events(conn, [message])

    def _domain_events(self, conn: Conn, messages: list[Message]) -> None:
        if not messages:
            return
        data = [m.json() for m in messages]
        subjects = [UUID(d["originator_id"]) for d in data]
        accounts = self._accounts(conn, messages, data, subjects)
        positions = [m.position for m in messages]
        history = self._preferences(conn, {a for a in accounts if a is not None}, positions)
        kept = [
            i
            for i, account in enumerate(accounts)
            if account is None or not _opted_out_at(history.get(account, ()), positions[i])
        ]
        if not kept:
            return
        conn.execute(
            f"INSERT INTO {TELEMETRY_EVENTS.qualified} "
            "(event_id, account_id, event_type, payload, timestamp, source, position) "
            "SELECT e, a, t, p::jsonb, ts::timestamptz, 'server', pos "
            "FROM unnest(%b::uuid[], %b::uuid[], %b::text[], %b::text[], %b::text[], %b::bigint[]) "
            "AS u(e, a, t, p, ts, pos) ON CONFLICT (event_id) DO NOTHING",
            (
                [event_id(subjects[i], data[i]["originator_version"]) for i in kept],
                [accounts[i] for i in kept],
                [messages[i].event_type for i in kept],
                [messages[i].value.decode() for i in kept],
                [data[i]["timestamp"] for i in kept],
                [positions[i] for i in kept],
            ),
        )

    def _accounts(
        self, conn: Conn, messages: list[Message], data: list[dict[str, Any]], subjects: list[UUID]
    ) -> list[UUID | None]:
        """The player each event is about: players are their own, others map by
        subject. The mapping comes from the aggregate's first event, which is
        always consumed before its later ones (same key, same partition), and
        never changes, so it is cached, absences included."""
        accounts: list[UUID | None] = []
        links: dict[UUID, UUID] = {}
        unknown: set[UUID] = set()
        for message, fields, subject in zip(messages, data, subjects, strict=True):
            owner = fields.get("owner_id") or fields.get("player_id") or fields.get("user_id")
            if message.event_type.startswith(PREFIX + "player."):
                account: UUID | None = subject
            elif owner is not None:
                account = links[subject] = self._subjects[subject] = UUID(owner)
            elif subject in self._subjects:
                account = self._subjects[subject]
            else:
                account = None
                unknown.add(subject)
            accounts.append(account)
        if links:  # written every time: a cached link may come from a batch that rolled back
            conn.execute(
                f"INSERT INTO {TELEMETRY_SUBJECTS.qualified} (subject_id, account_id) "
                "SELECT * FROM unnest(%s::uuid[], %s::uuid[]) ON CONFLICT DO NOTHING",
                (list(links), list(links.values())),
            )
        if unknown:
            rows = conn.execute(
                f"SELECT subject_id, account_id FROM {TELEMETRY_SUBJECTS.qualified} WHERE subject_id = ANY(%s)",
                (list(unknown),),
            ).fetchall()
            found = {r["subject_id"]: r["account_id"] for r in rows}
            for subject in unknown:
                self._subjects[subject] = found.get(subject)
            accounts = [a if a is not None else found.get(s) for a, s in zip(accounts, subjects, strict=True)]
        return accounts

    def _preferences(
        self, conn: Conn, accounts: set[UUID], positions: list[int | None]
    ) -> dict[UUID, list[tuple[int, bool]]]:
        """Each account's opt-out history up to the batch's last position: (position,
        excluded from then on), oldest first. One query for the whole batch."""
        if not accounts:
            return {}
        bounded = None not in positions
        query = sql.SQL(
            "SELECT originator_id, notification_id, topic, state FROM {} "
            "WHERE originator_id = ANY(%s) AND topic = ANY(%s) {} ORDER BY notification_id"
        ).format(sql.Identifier(self.events_table), sql.SQL("AND notification_id <= %s" if bounded else ""))
        params: list[Any] = [list(accounts), [OPT_OUT_TYPE, ERASED_TYPE]]
        if bounded:
            params.append(max(p for p in positions if p is not None))
        history: dict[UUID, list[tuple[int, bool]]] = {}
        for row in conn.execute(query, params).fetchall():
            excluded = row["topic"] == ERASED_TYPE or bool(self.decode(bytes(row["state"]))["opted_out"])
            history.setdefault(row["originator_id"], []).append((row["notification_id"], excluded))
        return history

    def _opted_out(self, conn: Conn, account: UUID, position: int | None) -> bool:
        """Whether the player had opted out (or been erased) as of ``position`` (None: now)."""
        return _opted_out_at(self._preferences(conn, {account}, [position]).get(account, ()), position)

    def _client_event(self, conn: Conn, data: dict[str, Any]) -> None:
        account = UUID(data["account_id"])
        payload = open_value(self.keys, data["payload"])
        if payload is None or self._opted_out(conn, account, None):
            return  # sealed for a player erased since (or opted out): dropped
        conn.execute(
            f"INSERT INTO {TELEMETRY_EVENTS.qualified} (event_id, account_id, event_type, payload, timestamp, source) "
            "VALUES (%s, %s, %s, %s, %s, 'client') ON CONFLICT (event_id) DO NOTHING",
            (
                UUID(data["event_id"]),
                account,
                data["event_type"],
                Jsonb(payload),
                datetime.fromisoformat(data["timestamp"]),
            ),
        )


def _opted_out_at(history: Sequence[tuple[int, bool]], position: int | None) -> bool:
    """From an account's opt-out history (oldest first): excluded as of ``position`` (None: now)?"""
    if position is not None:
        history = history[: bisect_right(history, (position, True))]
    return bool(history) and history[-1][1]


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
