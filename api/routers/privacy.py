"""GDPR/CCPA: export everything held about a player; erase a player.

Erasure writes the domain's part first (the player's ``Erased`` event, its
claims released, its characters' names gone: read tables follow), then
destroys the player's key, which leaves every sealed personal field in the
event store, snapshots and Kafka unreadable, then ends the player's login
sessions and forgets stored idempotent responses. Should the process die
between the event and the key, startup destroys the keys of every player the
read model shows as erased (``Container.shred_erased``). docs/data-protection.md
has the retention matrix.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import orjson
from fastapi import APIRouter, Request
from psycopg import sql
from starlette.responses import Response

from api.deps import ContainerDep, CurrentPrincipal, ReadYourWrites
from api.problems import Problem
from domain.accounts import Player
from infra.container import Container
from projections.tracking import wait_for_position

router = APIRouter(prefix="/v1/players", tags=["privacy"])

# Rows of each read table per export; beyond it the section says "truncated".
EXPORT_ROWS_MAX = 10_000
EVENTS_MAX = 10_000

# (table, column, which ids): what the read side holds about a player.
READ_TABLES: tuple[tuple[str, str, str], ...] = (
    ("players", "account_id", "player"),
    ("save_slots", "slot_id", "slots"),
    ("inventory_items", "slot_id", "slots"),
    ("quest_progress", "slot_id", "slots"),
    ("save_slot_history", "slot_id", "slots"),
    ("character_profiles", "character_id", "characters"),
    ("player_sessions", "user_id", "player"),
    ("action_events", "character_id", "characters"),
    ("telemetry_events", "account_id", "player"),
)


def _check_may_act(principal: Any, player_id: UUID) -> None:
    if principal.subject != player_id and not principal.is_admin:
        raise Problem(403, "forbidden", "only the player (or an admin) may do this")


def _character_ids(container: Container, player_id: UUID) -> list[UUID]:
    with container.pool.connection() as conn:
        rows = conn.execute("SELECT character_id FROM character_profiles WHERE user_id = %s", (player_id,)).fetchall()
    return [r["character_id"] for r in rows]


def _rows(container: Container, table: str, column: str, ids: list[UUID]) -> dict[str, Any]:
    with container.pool.connection() as conn:
        if conn.execute("SELECT to_regclass(%s) AS t", (table,)).fetchone()["t"] is None:
            return {"rows": [], "truncated": False}
        query = sql.SQL("SELECT * FROM {} WHERE {} = ANY(%s) LIMIT %s").format(
            sql.Identifier(table), sql.Identifier(column)
        )
        rows = conn.execute(query, (ids, EXPORT_ROWS_MAX + 1)).fetchall()
    return {"rows": rows[:EXPORT_ROWS_MAX], "truncated": len(rows) > EXPORT_ROWS_MAX}


def _events(container: Container, aggregate_ids: list[UUID]) -> dict[str, Any]:
    app = container.app
    events: list[dict[str, Any]] = []
    for aggregate_id in aggregate_ids:
        for stored in app.recorder.select_events(aggregate_id, limit=EVENTS_MAX - len(events) + 1):
            event = app.mapper.to_domain_event(stored)
            events.append({"topic": stored.topic, **event.model_dump(mode="json", exclude={"password_hash"})})
        if len(events) > EVENTS_MAX:
            break
    return {"events": events[:EVENTS_MAX], "truncated": len(events) > EVENTS_MAX}


@router.get("/{player_id}/export", dependencies=[ReadYourWrites])
def export_player(player_id: UUID, principal: CurrentPrincipal, container: ContainerDep) -> Response:
    """Everything held about the player: the account (personal fields opened),
    every read-table row about it, and the event history of its player, save
    slots and characters. Password hashes are left out."""
    _check_may_act(principal, player_id)
    player = container.app.load(Player, player_id)
    slots = [UUID(s) for s in player.save_slot_ids]
    characters = _character_ids(container, player_id)
    ids = {"player": [player_id], "slots": slots, "characters": characters}
    body = {
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
        "read_tables": {table: _rows(container, table, column, ids[which]) for table, column, which in READ_TABLES},
        "event_history": _events(container, [player_id, *slots, *characters]),
    }
    return Response(
        orjson.dumps(body, default=str),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="lorekeeper-export-{player_id}.json"'},
    )


@router.delete("/{player_id}")
def erase_player(player_id: UUID, principal: CurrentPrincipal, request: Request, container: ContainerDep) -> Response:
    """Erase the player (right to erasure). Idempotent: erasing again answers the same."""
    _check_may_act(principal, player_id)
    app = container.app
    # Characters are found on the read side: let it catch up with the log first.
    with container.pool.connection() as conn:
        head = container.event_log.head(conn)
    wait_for_position(container.pool, list(container.runners), head, container.settings.read_wait_max_seconds)
    written = app.erase_player(player_id, _character_ids(container, player_id), actor_id=principal.actor())
    container.keys.destroy(player_id)
    request.app.state.auth_sessions.revoke_player(player_id)
    request.app.state.idempotency.forget(str(player_id))
    player = written.aggregate
    body = {"account_id": str(player.id), "erased_at": player.erased_at.isoformat(), "position": written.position}
    return Response(orjson.dumps(body), media_type="application/json")
