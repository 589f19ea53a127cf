"""What players and analysts read in Echoes: a book's depth (from the book
itself, always current), and from the read tables a pilot's ships, open
orders, trades and wallet journal, cursor-paginated newest first (except
ships: oldest first). A player reads their own pilots only."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import orjson
from fastapi import Path, Query
from starlette.responses import Response

from api import routing
from api.auth import Principal
from api.deps import CurrentPrincipal, ReadDb, ReadYourWrites
from api.echoes.market import BookOut, Echoes, book_out
from api.openapi import problems
from api.pagination import MAX_LIMIT, decode_cursor, encode_cursor
from api.problems import Problem
from projections.db import Conn

router = routing.router(prefix="/v1/echoes", tags=["echoes"])
StationId = Annotated[int, Path(ge=1, le=2**31 - 1, strict=False)]
ModuleTypeId = Annotated[int, Path(ge=1, le=2**31 - 1, strict=False)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, strict=False)]
Cursor = Annotated[str | None, Query(max_length=512, description="From the previous page's next_cursor.")]


@router.get("/books/{station_id}/{module_type_id}", response_model=BookOut, responses=problems(404))
def get_book(station_id: StationId, module_type_id: ModuleTypeId, echoes: Echoes, _: CurrentPrincipal) -> Response:
    """A book's depth: aggregated price levels, best first (from the book itself)."""
    book = echoes.book(station_id, module_type_id)
    return Response(book_out(book, None).model_dump_json(), media_type="application/json")


def own_pilot(conn: Conn, principal: Principal, pilot_id: UUID) -> None:
    """404 for no such pilot, 403 for another player's."""
    owner = conn.execute("SELECT user_id FROM echoes.characters WHERE id = %s", (pilot_id,)).fetchone()
    if owner is None:
        raise Problem(404, "not_found", f"pilot {pilot_id} not found")
    if not principal.can_read(owner["user_id"]):
        raise Problem(403, "forbidden", "this pilot belongs to another player")


def page(
    db: ReadDb, principal: Principal, pilot_id: UUID, sql: str, order: tuple[str, str], limit: int, cursor: str | None
) -> Response:
    """One page of ``sql`` (a query of the pilot's rows, ``%(pilot)s``, taking
    ``{after}``), newest first by ``order`` (a time or number, then an id)."""
    params: dict[str, Any] = {"pilot": pilot_id, "limit": limit + 1, "k1": None, "k2": None}
    after = ""
    if cursor is not None:
        first, second = decode_cursor(cursor, 2)
        try:
            params["k1"] = datetime.fromisoformat(first) if isinstance(first, str) else int(first)
            params["k2"] = UUID(second) if order[1] != "entry" else int(second)
        except (TypeError, ValueError):
            raise Problem(422, "invalid_cursor", "the cursor is not one this API issued") from None
        after = f"AND ({order[0]}, {order[1]}) < (%(k1)s, %(k2)s)"
    with db.connection() as conn:
        own_pilot(conn, principal, pilot_id)
        rows = conn.execute(
            sql.format(after=after) + f" ORDER BY {order[0]} DESC, {order[1]} DESC LIMIT %(limit)s", params
        ).fetchall()
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        first_key = last[order[0]]
        next_cursor = encode_cursor(
            [first_key.isoformat() if isinstance(first_key, datetime) else first_key, str(last[order[1]])]
        )
    return Response(orjson.dumps({"items": rows[:limit], "next_cursor": next_cursor}), media_type="application/json")


def listing(name: str, path: str, doc: str, sql: str, order: tuple[str, str]) -> None:
    """Register ``GET /pilots/{pilot_id}/<path>``: a page of the pilot's rows."""

    def route(
        pilot_id: UUID, principal: CurrentPrincipal, db: ReadDb, limit: Limit = 50, cursor: Cursor = None
    ) -> Response:
        return page(db, principal, pilot_id, sql, order, limit, cursor)

    route.__name__, route.__doc__ = name, doc
    router.get(f"/pilots/{{pilot_id}}/{path}", dependencies=[ReadYourWrites], responses=problems(403, 404))(route)


listing(
    "journal",
    "journal",
    "The pilot's wallet journal, newest first: every entry with its reason, reference and the balance after it.",
    "SELECT entry, amount, reason, reference, balance_after, created_at, wallet_id FROM echoes.wallet_journal "
    "WHERE character_id = %(pilot)s {after}",
    ("created_at", "entry"),
)
listing(
    "my_orders",
    "orders",
    "The pilot's open orders (``market_orders``), newest first.",
    "SELECT * FROM echoes.market_orders WHERE character_id = %(pilot)s {after}",
    ("created_at", "id"),
)
listing(
    "my_transactions",
    "transactions",
    "The pilot's trades (``market_transactions``), as buyer or seller, newest first.",
    "SELECT * FROM echoes.market_transactions WHERE (buyer_id = %(pilot)s OR seller_id = %(pilot)s) {after}",
    ("executed_at", "id"),
)
listing(
    "list_ships",
    "ships",
    "The pilot's ships afloat (``ship_instances``), newest first.",
    "SELECT * FROM echoes.ship_instances WHERE character_id = %(pilot)s {after}",
    ("created_at", "id"),
)
