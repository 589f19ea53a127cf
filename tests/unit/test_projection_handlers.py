"""Read-model handlers are pure: event + row in, row out."""

from __future__ import annotations

from datetime import datetime
from uuid import uuid4

from projections.accounts import players
from projections.model import Event
from projections.narrative import save_slots

TS = "2026-01-01T00:00:00+00:00"


def event(topic: str, version: int, originator=None, **data):
    return Event(1, originator or uuid4(), version, topic, {"timestamp": TS, **data})


def test_player_rows_follow_renames_links_and_presence():
    pid = uuid4()
    row = players.created(event("lorekeeper.player.Created", 1, pid, display_name=None), None)
    handlers = players.PROJECTION.handlers
    for e in [
        event("lorekeeper.player.Renamed", 2, pid, display_name="Ada"),
        event("lorekeeper.player.PlatformLinked", 3, pid, platform="steam", platform_user_id="7"),
        event("lorekeeper.player.Seen", 4, pid, at=TS),
        event("lorekeeper.player.TelemetryPreferenceChanged", 5, pid, opted_out=True),
        event("lorekeeper.player.SaveSlotOpened", 6, pid, slot_id=str(uuid4())),
    ]:
        (handler,) = handlers[e.topic]
        row = handler.apply(e, row)
    assert row["display_name"] == "Ada"
    assert row["platform_links"] == {"steam": "7"}
    assert row["last_seen"] == datetime.fromisoformat(TS)
    assert row["telemetry_opt_out"] is True
    assert row["save_slot_count"] == 1
    assert row["version"] == 6


def test_an_update_for_a_row_never_created_changes_nothing():
    (handler,) = players.PROJECTION.handlers["lorekeeper.player.Renamed"]
    assert handler.apply(event("lorekeeper.player.Renamed", 2, display_name="x"), None) is None


def test_save_slot_rows_carry_state_and_progression():
    sid, owner = uuid4(), uuid4()
    row = save_slots.created(
        event("lorekeeper.save_slot.Created", 1, sid, owner_id=str(owner), name="main", narrative_state={}), None
    )
    row = save_slots.progress_saved(
        event("lorekeeper.save_slot.ProgressSaved", 2, sid, narrative_state={"a": 1}, progression_version=1), row
    )
    assert row["account_id"] == owner
    assert row["narrative_state"] == {"a": 1}
    assert row["progression_version"] == 1
    assert row["version"] == 2


def test_handlers_produce_database_types_not_json_strings():
    """Rows from events and rows read back must have the same Python types,
    or the batched array writes cannot mix them."""
    pid = uuid4()
    row = players.created(event("lorekeeper.player.Created", 1, pid, display_name=None), None)
    row = players.seen(event("lorekeeper.player.Seen", 2, pid, at=TS), row)
    assert isinstance(row["last_seen"], datetime)
    assert isinstance(row["created_at"], datetime)


def test_a_columns_type_is_its_whole_type_without_its_constraints():
    """The runner casts each column's values to ``type[]``: "double precision"
    cut to "double" made PostgreSQL refuse every write of ship health."""
    from projections.model import Table

    table = Table(
        "t",
        "s",
        owner=None,
        columns=(
            ("a", "double precision NOT NULL CHECK (a BETWEEN 0 AND 100)"),
            ("b", "timestamp with time zone"),
            ("c", "bigint NOT NULL DEFAULT 0 CHECK (c >= 0)"),
            ("d", "text null"),
            ("e", "numeric(12, 2) UNIQUE"),
        ),
        key=("a",),
    )
    assert [table.column_type(c) for c in "abcde"] == [
        "double precision",
        "timestamp with time zone",
        "bigint",
        "text",
        "numeric(12, 2)",
    ]


def test_a_fresh_handlers_rows_are_not_prefetched_but_a_later_reader_sees_them():
    """An order placed and filled in one window: only rows a handler reads are
    asked of PostgreSQL, and the fill reads the row the placement made."""
    from projections import engine
    from projections.echoes import market

    placed, resting = uuid4(), uuid4()
    trade = {"buy_order_id": str(placed), "sell_order_id": str(resting), "trade_id": str(uuid4())}
    trade |= {"buyer_id": str(uuid4()), "seller_id": str(uuid4()), "station_id": 1, "module_type_id": 2}
    trade |= {"price": 100, "quantity": 2, "sales_tax": 1}
    order = {"order_id": str(placed), "character_id": str(uuid4()), "module_type_id": 2, "side": "buy"}
    order |= {"quantity": 5, "price": 100, "station_id": 1, "expires_at": TS}
    book = uuid4()
    steps = engine.plan(
        market.PROJECTION,
        [
            event("lorekeeper.order_book.OrderPlaced", 2, book, **order),
            event("lorekeeper.order_book.TradeExecuted", 3, book, **trade),
        ],
    )
    touched = engine.touched(steps)
    assert market.MARKET_TRANSACTIONS not in touched  # a trade's row is new: nothing to read
    assert touched[market.MARKET_ORDERS] == {(placed,), (resting,)}  # the fills read both orders' rows
    applied = engine.apply(steps, {table: {} for table in touched})
    assert applied.changed[market.MARKET_ORDERS][(placed,)]["quantity"] == 3
