"""Read models of the market and the wallets (seed 004), in the ``echoes`` schema:

- ``market_orders``: the open orders, the seed's columns (``quantity`` is
  what is left; ``volume_entered`` what was placed); a filled, cancelled or
  expired order leaves the table.
- ``market_transactions``: every fill.
- ``market_price_history``: per station, module type and day (UTC): open,
  high, low, close and volume of the day's fills, in log order.
- ``wallet_journal``: every wallet entry with the balance after it.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from domain.echoes.market import OrderBook
from domain.echoes.wallets import Wallet
from projections.model import DELETE, Event, Handler, Key, Owner, Projection, Row, Table, _Delete, fresh

SCHEMA = "echoes"

MARKET_ORDERS = Table(
    "market_orders",
    SCHEMA,
    owner=Owner("character_id", via="aggregate"),
    columns=(
        ("id", "uuid NOT NULL"),
        ("character_id", "uuid NOT NULL"),
        ("module_type_id", "int NOT NULL"),
        ("order_type", "text NOT NULL"),
        ("quantity", "bigint NOT NULL CHECK (quantity > 0)"),
        ("volume_entered", "bigint NOT NULL"),
        ("price", "bigint NOT NULL CHECK (price > 0)"),
        ("station_id", "int NOT NULL"),
        ("created_at", "timestamptz NOT NULL"),
        ("expires_at", "timestamptz NOT NULL"),
    ),
    key=("id",),
    indexes=("(station_id, module_type_id, order_type, price)", "(character_id)"),
)

MARKET_TRANSACTIONS = Table(
    "market_transactions",
    SCHEMA,
    owner=None,  # trades between pilots: market data every analyst reads
    columns=(
        ("id", "uuid NOT NULL"),
        ("buy_order_id", "uuid NOT NULL"),
        ("sell_order_id", "uuid NOT NULL"),
        ("buyer_id", "uuid NOT NULL"),
        ("seller_id", "uuid NOT NULL"),
        ("station_id", "int NOT NULL"),
        ("module_type_id", "int NOT NULL"),
        ("price", "bigint NOT NULL"),
        ("quantity", "bigint NOT NULL"),
        ("sales_tax", "bigint NOT NULL"),
        ("executed_at", "timestamptz NOT NULL"),
    ),
    key=("id",),
    indexes=("(buyer_id, executed_at)", "(seller_id, executed_at)", "(station_id, module_type_id, executed_at)"),
)

MARKET_PRICE_HISTORY = Table(
    "market_price_history",
    SCHEMA,
    owner=None,
    columns=(
        ("station_id", "int NOT NULL"),
        ("module_type_id", "int NOT NULL"),
        ("day", "date NOT NULL"),
        ("open", "bigint NOT NULL"),
        ("high", "bigint NOT NULL"),
        ("low", "bigint NOT NULL"),
        ("close", "bigint NOT NULL"),
        ("volume", "bigint NOT NULL"),
    ),
    key=("station_id", "module_type_id", "day"),
)

WALLET_JOURNAL = Table(
    "wallet_journal",
    SCHEMA,
    owner=Owner("character_id", via="aggregate"),
    columns=(
        ("wallet_id", "uuid NOT NULL"),
        ("entry", "int NOT NULL"),
        ("character_id", "uuid NOT NULL"),
        ("amount", "bigint NOT NULL"),
        ("reason", "text NOT NULL"),
        ("reference", "uuid NOT NULL"),
        ("balance_after", "bigint NOT NULL CHECK (balance_after >= 0)"),
        ("created_at", "timestamptz NOT NULL"),
    ),
    key=("wallet_id", "entry"),
    indexes=("(character_id, entry)",),
)


@fresh
def order_placed(event: Event, _: Row | None) -> Row:
    data = event.data
    return {
        "id": UUID(data["order_id"]),
        "character_id": UUID(data["character_id"]),
        "module_type_id": data["module_type_id"],
        "order_type": data["side"].capitalize(),
        "quantity": data["quantity"],
        "volume_entered": data["quantity"],
        "price": data["price"],
        "station_id": data["station_id"],
        "created_at": event.timestamp,
        "expires_at": data["expires_at"],
    }


def order_filled(event: Event, row: Row | None) -> Row | _Delete | None:
    if row is None:
        return None
    left = row["quantity"] - event.data["quantity"]
    return {**row, "quantity": left} if left > 0 else DELETE


def order_closed(_: Event, row: Row | None) -> _Delete | None:
    return DELETE if row is not None else None


def order_repriced(event: Event, row: Row | None) -> Row | None:
    return {**row, "price": event.data["price"]} if row is not None else None


@fresh
def trade(event: Event, _: Row | None) -> Row:
    data = event.data
    return {
        "id": UUID(data["trade_id"]),
        "buy_order_id": UUID(data["buy_order_id"]),
        "sell_order_id": UUID(data["sell_order_id"]),
        "buyer_id": UUID(data["buyer_id"]),
        "seller_id": UUID(data["seller_id"]),
        "station_id": data["station_id"],
        "module_type_id": data["module_type_id"],
        "price": data["price"],
        "quantity": data["quantity"],
        "sales_tax": data["sales_tax"],
        "executed_at": event.timestamp,
    }


def day_key(event: Event) -> tuple[int, int, object]:
    return (event.data["station_id"], event.data["module_type_id"], event.timestamp.date())


def price_day(event: Event, row: Row | None) -> Row:
    price, quantity = event.data["price"], event.data["quantity"]
    if row is None:
        station_id, module_type_id, day = day_key(event)
        return {
            "station_id": station_id,
            "module_type_id": module_type_id,
            "day": day,
            "open": price,
            "high": price,
            "low": price,
            "close": price,
            "volume": quantity,
        }
    return {
        **row,
        "high": max(row["high"], price),
        "low": min(row["low"], price),
        "close": price,
        "volume": row["volume"] + quantity,
    }


@fresh
def journal(event: Event, _: Row | None) -> Row:
    data = event.data
    return {
        "wallet_id": event.originator_id,
        "entry": event.originator_version,
        "character_id": UUID(data["character_id"]),
        "amount": data["amount"],
        "reason": data["reason"],
        "reference": UUID(data["reference"]),
        "balance_after": data["balance"],
        "created_at": event.timestamp,
    }


def by_order(field: str) -> Callable[[Event], Key]:
    """The row of the order (or trade) an event's ``field`` names."""
    return lambda event: (UUID(event.data[field]),)


PROJECTION = Projection(
    name="echoes_market",
    schema_version=1,
    tables=(MARKET_ORDERS, MARKET_TRANSACTIONS, MARKET_PRICE_HISTORY, WALLET_JOURNAL),
    handlers={
        OrderBook.OrderPlaced.TOPIC: (Handler(MARKET_ORDERS, order_placed, by_order("order_id")),),
        OrderBook.TradeExecuted.TOPIC: (
            Handler(MARKET_ORDERS, order_filled, by_order("buy_order_id")),
            Handler(MARKET_ORDERS, order_filled, by_order("sell_order_id")),
            Handler(MARKET_TRANSACTIONS, trade, by_order("trade_id")),
            Handler(MARKET_PRICE_HISTORY, price_day, day_key),
        ),
        OrderBook.OrderClosed.TOPIC: (Handler(MARKET_ORDERS, order_closed, by_order("order_id")),),
        OrderBook.OrderRepriced.TOPIC: (Handler(MARKET_ORDERS, order_repriced, by_order("order_id")),),
        Wallet.Entered.TOPIC: (
            Handler(WALLET_JOURNAL, journal, lambda event: (event.originator_id, event.originator_version)),
        ),
    },
)
