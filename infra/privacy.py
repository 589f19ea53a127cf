"""Infrastructure's part of data protection (docs/data-protection.md).

``PlayerData.export``: everything held about a player, from every read table
the contexts declare as a player's (``Table.owner``) and from the event store.
``ErasureLog``: the steps of an erasure that are not the domain's: noting it
durably (resumed at start-up if a crash interrupts it), ending the player's
login sessions, forgetting its stored answers, destroying its key last.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from psycopg import sql

from domain.accounts import Erasure, Player
from domain.kernel.store import Lorekeeper
from infra.crypto import KeyStore
from projections.db import Pool
from projections.ddl import exists, lock_ddl
from projections.model import Table

# Rows of each read table per export; beyond it the section says "truncated".
EXPORT_ROWS_MAX = 10_000
EVENTS_MAX = 10_000

ERASURES_DDL = """CREATE TABLE IF NOT EXISTS lorekeeper_erasures (
    player_id uuid PRIMARY KEY,
    requested_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
)"""


class ErasureLog:
    """``ErasureSteps`` over PostgreSQL and the adapters that hold a player's secrets."""

    def __init__(
        self,
        pool: Pool,
        keys: KeyStore,
        end_sessions: Callable[[UUID], None],
        forget_answers: Callable[[str], None],
    ) -> None:
        self.pool = pool
        self.keys = keys
        self.end_sessions = end_sessions
        self.forget_answers = forget_answers

    def setup(self) -> None:
        with self.pool.connection() as conn, conn.transaction():
            lock_ddl(conn)
            conn.execute(ERASURES_DDL)

    def begin(self, player_id: UUID) -> None:
        with self.pool.connection() as conn:
            conn.execute(
                "INSERT INTO lorekeeper_erasures (player_id) VALUES (%s) ON CONFLICT (player_id) DO NOTHING",
                (player_id,),
            )
        self.end_sessions(player_id)

    def finish(self, player_id: UUID) -> None:
        self.forget_answers(str(player_id))
        self.keys.destroy(player_id)  # last: until now a retry could still read what it erases
        with self.pool.connection() as conn:
            conn.execute(
                "UPDATE lorekeeper_erasures SET finished_at = coalesce(finished_at, now()) WHERE player_id = %s",
                (player_id,),
            )

    def unfinished(self) -> Sequence[UUID]:
        with self.pool.connection() as conn:
            rows = conn.execute(
                "SELECT player_id FROM lorekeeper_erasures WHERE finished_at IS NULL ORDER BY requested_at"
            ).fetchall()
        return [r["player_id"] for r in rows]


class PlayerData:
    """A player's data, gathered for export (GDPR articles 15 and 20)."""

    def __init__(self, store: Lorekeeper, erasure: Erasure, pool: Pool, tables: Sequence[Table]) -> None:
        self.store = store
        self.erasure = erasure
        self.pool = pool
        self.tables = [t for t in tables if t.owner is not None]

    def export(self, player_id: UUID) -> dict[str, Any]:
        """The account (personal fields opened), every read-table row about the
        player or an aggregate it owns, and the event history of those
        aggregates. Password hashes are left out."""
        player = self.store.load(Player, player_id)
        owned = self.erasure.owned(player)
        ids = {"player": [player_id], "aggregate": owned}
        return {
            "exported_at": datetime.now(UTC).isoformat(),
            "account": {
                "account_id": str(player.id),
                "display_name": player.display_name,
                "username": player.username,
                "email": player.email,
                "platform_links": player.platform_links,
                "created_at": player.created_on.isoformat(),
                "last_seen": player.last_seen.isoformat() if player.last_seen else None,
                "telemetry_opt_out": player.telemetry_opt_out,
                "erased_at": player.erased_at.isoformat() if player.erased_at else None,
            },
            "read_tables": {t.qualified: self._rows(t, ids[t.owner.via]) for t in self.tables if t.owner},
            "event_history": self._events([player_id, *owned]),
        }

    def _rows(self, table: Table, ids: list[UUID]) -> dict[str, Any]:
        assert table.owner is not None
        with self.pool.connection() as conn:
            if not exists(conn, table.qualified):
                return {"rows": [], "truncated": False}
            query = sql.SQL("SELECT * FROM {}.{} WHERE {} = ANY(%s) LIMIT %s").format(
                sql.Identifier(table.schema), sql.Identifier(table.name), sql.Identifier(table.owner.column)
            )
            rows = conn.execute(query, (ids, EXPORT_ROWS_MAX + 1)).fetchall()
        return {"rows": rows[:EXPORT_ROWS_MAX], "truncated": len(rows) > EXPORT_ROWS_MAX}

    def _events(self, aggregate_ids: list[UUID]) -> dict[str, Any]:
        events: list[dict[str, Any]] = []
        for aggregate_id in aggregate_ids:
            for stored in self.store.recorder.select_events(aggregate_id, limit=EVENTS_MAX - len(events) + 1):
                event: Any = self.store.mapper.to_domain_event(stored)
                events.append({"topic": stored.topic, **event.model_dump(mode="json", exclude={"password_hash"})})
            if len(events) > EVENTS_MAX:
                break
        return {"events": events[:EVENTS_MAX], "truncated": len(events) > EVENTS_MAX}
