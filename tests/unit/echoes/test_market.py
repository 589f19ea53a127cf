"""The order book's rules, one at a time: price-time priority, partial fills at
the resting price, escrow and its refunds, fees rounded up, cancels, expiry,
repricing, ownership and bounds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.echoes.market import OrderBook
from domain.echoes.orders import BUY, OPEN_ORDERS_MAX, SELL, BookFull, Fees, InvalidOrder, OrderNotOpen, fee
from domain.echoes.settlement import Movement, settlement
from domain.kernel.errors import PermissionDenied

NOW = datetime(2026, 11, 22, tzinfo=UTC)
LATER = NOW + timedelta(days=1)
FEES = Fees(broker_bps=300, sales_tax_bps=800, reprice_bps=100)
ADA, BOB, CY = uuid4(), uuid4(), uuid4()


def book() -> OrderBook:
    fresh = OrderBook.open(60003760, 2048)
    fresh.collect_events()
    return fresh


def trades(b: OrderBook) -> list[tuple[int, int]]:
    return [(e.price, e.quantity) for e in b.collect_events() if isinstance(e, OrderBook.TradeExecuted)]


def test_fees_round_up_and_never_go_negative():
    assert fee(1000, 300) == 30
    assert fee(1001, 300) == 31  # 30.03 rounds up
    assert fee(1, 1) == 1
    assert fee(0, 300) == 0
    assert fee(-5, 300) == 0 and fee(-100_000, 300) == 0


def test_a_buy_takes_the_cheapest_sells_oldest_first_at_their_prices():
    b = book()
    first = b.place(SELL, ADA, 101, 5, LATER, FEES)
    b.place(SELL, BOB, 100, 5, LATER, FEES)
    b.place(SELL, CY, 101, 5, LATER, FEES)
    b.collect_events()
    b.place(BUY, CY, 102, 12, LATER, FEES)
    events = b.collect_events()
    fills = [e for e in events if isinstance(e, OrderBook.TradeExecuted)]
    assert [(f.seller_id, f.price, f.quantity) for f in fills] == [(BOB, 100, 5), (ADA, 101, 5), (CY, 101, 2)]
    assert fills[1].sell_order_id == first
    assert all(f.buy_limit == 102 and f.aggressor == BUY for f in fills)
    assert b.depth(SELL) == [(101, 3, 1)] and b.bid_queue == []


def test_a_sell_takes_the_dearest_buys_and_the_rest_rests():
    b = book()
    b.place(BUY, ADA, 99, 3, LATER, FEES)
    b.place(BUY, BOB, 100, 3, LATER, FEES)
    b.collect_events()
    b.place(SELL, CY, 99, 10, LATER, FEES)
    assert trades(b) == [(100, 3), (99, 3)]
    assert b.depth(SELL) == [(99, 4, 1)] and b.depth(BUY) == []
    assert not b.crossed()


def test_orders_that_do_not_cross_rest_in_price_levels():
    b = book()
    for who, price, quantity in ((ADA, 95, 2), (BOB, 95, 3), (CY, 94, 1)):
        b.place(BUY, who, price, quantity, LATER, FEES)
    b.place(SELL, ADA, 96, 7, LATER, FEES)
    assert trades(b) == []
    assert b.depth(BUY) == [(95, 5, 2), (94, 1, 1)] and b.depth(BUY, levels=1) == [(95, 5, 2)]
    assert b.escrowed_money() == 95 * 5 + 94 and b.escrowed_items() == 7


def test_settlement_moves_escrow_proceeds_tax_and_refunds():
    b = book()
    sell = b.place(SELL, ADA, 100, 10, LATER, FEES)
    placed = b.collect_events()[0]
    assert settlement(placed) == [
        Movement(ADA, "items", -10, "market_escrow", sell),
        Movement(ADA, "money", -30, "broker_fee", sell),
    ]
    buy = b.place(BUY, BOB, 110, 4, LATER, FEES)
    bought, trade = b.collect_events()
    assert settlement(bought) == [
        Movement(BOB, "money", -440, "market_escrow", buy),
        Movement(BOB, "money", -14, "broker_fee", buy),  # 13.2 rounds up
    ]
    assert settlement(trade) == [
        Movement(BOB, "items", 4, "market_purchase", trade.trade_id),
        Movement(ADA, "money", 400, "market_sale", trade.trade_id),
        Movement(ADA, "money", -32, "sales_tax", trade.trade_id),
        Movement(BOB, "money", 40, "escrow_refund", trade.trade_id),  # bought at 100, escrowed at 110
    ]


def test_cancel_and_expiry_return_what_is_left_but_not_the_fee():
    b = book()
    buy = b.place(BUY, ADA, 100, 10, NOW + timedelta(hours=1), FEES)
    sell = b.place(SELL, BOB, 120, 5, NOW + timedelta(hours=2), FEES)
    b.collect_events()
    with pytest.raises(PermissionDenied):
        b.cancel(buy, BOB)
    b.cancel(buy, ADA)
    (closed,) = b.collect_events()
    assert (closed.reason, closed.remaining) == ("cancelled", 10)
    assert settlement(closed) == [Movement(ADA, "money", 1000, "escrow_refund", buy)]
    with pytest.raises(OrderNotOpen):
        b.cancel(buy, ADA)
    assert b.expire(NOW + timedelta(hours=1)) == 0
    assert b.expire(NOW + timedelta(hours=2)) == 1
    (expired,) = b.collect_events()
    assert expired.reason == "expired" and settlement(expired) == [Movement(BOB, "items", 5, "escrow_return", sell)]
    assert b.orders == {}


def test_repricing_costs_a_fee_moves_the_escrow_and_may_match():
    b = book()
    b.place(SELL, ADA, 105, 5, LATER, FEES)
    buy = b.place(BUY, BOB, 100, 5, LATER, FEES)
    b.collect_events()
    b.reprice(buy, BOB, 100, FEES)
    assert b.collect_events() == []  # the same price: nothing
    b.reprice(buy, BOB, 106, FEES)
    repriced, trade = b.collect_events()
    assert settlement(repriced) == [
        Movement(BOB, "money", -6, "reprice_fee", buy),  # 1% of 530, rounded up
        Movement(BOB, "money", -30, "market_escrow", buy),
    ]
    assert (trade.price, trade.quantity, trade.buy_limit) == (105, 5, 106)
    with pytest.raises(InvalidOrder):
        b.reprice(b.place(BUY, BOB, 90, 1, LATER, FEES), BOB, 0, FEES)


def test_a_cheaper_buy_gets_its_escrow_back_and_loses_its_place():
    b = book()
    first = b.place(BUY, ADA, 100, 1, LATER, FEES)
    b.place(BUY, BOB, 99, 1, LATER, FEES)
    b.collect_events()
    b.reprice(first, ADA, 99, FEES)
    (repriced,) = b.collect_events()
    assert settlement(repriced)[1] == Movement(ADA, "money", 1, "escrow_refund", first)
    b.place(SELL, CY, 99, 1, LATER, FEES)
    (trade,) = [e for e in b.collect_events() if isinstance(e, OrderBook.TradeExecuted)]
    assert trade.buyer_id == BOB, "the repriced order queues behind those already at its price"


@pytest.mark.parametrize(
    ("price", "quantity", "message"),
    [(0, 1, "price must be"), (10**12 + 1, 1, "price must be"), (1, 0, "quantity must be"), (1, 10**6 + 1, "quantity")],
)
def test_orders_are_bounded(price, quantity, message):
    with pytest.raises(InvalidOrder, match=message):
        book().place(BUY, ADA, price, quantity, LATER, FEES)


def test_a_book_holds_a_bounded_number_of_orders(monkeypatch):
    """At its bound a book refuses; the bound is 100,000 (the check is the same
    at 50, and 100,000 orders take seconds: the mutation run runs this often)."""
    from domain.echoes import market

    assert OPEN_ORDERS_MAX == 100_000
    monkeypatch.setattr(market, "OPEN_ORDERS_MAX", 50)
    b = book()
    first = b.place(BUY, ADA, 1, 1, LATER, FEES)
    for _ in range(50 - 1):
        b.place(BUY, ADA, 1, 1, LATER, FEES)
    with pytest.raises(BookFull) as full:
        b.place(SELL, BOB, 1, 1, LATER, FEES)
    assert full.value.details == {"limit": 50}
    b.cancel(first, ADA)
    b.place(SELL, BOB, 1, 1, LATER, FEES)  # room again: it matches the oldest buy left
    assert len(b.orders) == 50 - 2


def test_refusals_say_what_and_name_the_value_refused():
    b = book()
    cases = [
        (lambda: b.place("hold", ADA, 100, 1, LATER, FEES), InvalidOrder, "an order buys or sells, not 'hold'", {}),
        (lambda: b.place(BUY, ADA, 0, 1, LATER, FEES), InvalidOrder, "price must be 1 to", {"price": 0}),
        (
            lambda: b.place(BUY, ADA, 10**12 + 1, 1, LATER, FEES),
            InvalidOrder,
            "price must be 1 to",
            {"price": 10**12 + 1},
        ),
        (lambda: b.place(BUY, ADA, 5, 0, LATER, FEES), InvalidOrder, "quantity must be 1 to", {"quantity": 0}),
        (
            lambda: b.place(BUY, str(ADA), 5, 1, LATER, FEES),
            InvalidOrder,
            "an order names its pilot by id and expires at a time with its zone",
            {},
        ),  # type: ignore[arg-type]
        (
            lambda: b.place(BUY, ADA, 5, 1, LATER.replace(tzinfo=None), FEES),
            InvalidOrder,
            "an order names its pilot",
            {},
        ),
        (lambda: b.place(BUY, ADA, 5, 1, LATER, FEES, str(uuid4())), InvalidOrder, "an order names its pilot", {}),  # type: ignore[arg-type]
        (lambda: b.place(BUY, ADA, 5.5, 1, LATER, FEES), InvalidOrder, "price and quantity are whole numbers", {}),  # type: ignore[arg-type]
        (lambda: b.place(BUY, ADA, 5, True, LATER, FEES), InvalidOrder, "price and quantity are whole numbers", {}),
    ]
    for command, error, message, details in cases:
        with pytest.raises(error) as refused:
            command()
        assert refused.value.message.startswith(message) and refused.value.details == details
    assert b.orders == {} and b.collect_events() == []


def test_the_bounds_of_a_price_hold_when_placing_and_repricing():
    b = book()
    cheapest = b.place(BUY, ADA, 1, 1, LATER, FEES)
    dearest = b.place(SELL, BOB, 10**12, 1, LATER, FEES)
    assert not trades(b)
    for price in (0, 10**12 + 1):
        with pytest.raises(InvalidOrder) as refused:
            b.reprice(cheapest, ADA, price, FEES)
        assert refused.value.message == "price must be 1 to 1000000000000 (minor units)"
        assert refused.value.details == {"price": price}
    b.reprice(cheapest, ADA, 10**12 - 1, FEES)
    b.reprice(dearest, BOB, 10**12, FEES)  # unchanged: nothing to do
    b.reprice(cheapest, ADA, 2, FEES)
    b.reprice(cheapest, ADA, 1, FEES)
    assert b.orders[str(cheapest)]["price"] == 1 and b.orders[str(dearest)]["price"] == 10**12


def test_another_pilots_order_or_one_not_open_is_refused_with_its_id():
    b = book()
    mine = b.place(BUY, ADA, 100, 1, LATER, FEES)
    with pytest.raises(PermissionDenied) as refused:
        b.cancel(mine, BOB)
    assert refused.value.message == "this order belongs to another pilot"
    gone = uuid4()
    with pytest.raises(OrderNotOpen) as missing:
        b.cancel(gone, ADA)
    assert missing.value.message == f"order {gone} is not open in this book"
    assert missing.value.details == {"order_id": str(gone)}


def test_a_full_book_says_how_many_it_holds():
    b = book()
    b.orders = {str(i): {} for i in range(OPEN_ORDERS_MAX)}
    with pytest.raises(BookFull) as refused:
        b.place(BUY, ADA, 1, 1, LATER, FEES)
    assert refused.value.message == f"this book holds {OPEN_ORDERS_MAX} open orders already"
    assert refused.value.details == {"limit": OPEN_ORDERS_MAX}


def test_an_order_and_its_fills_happen_at_one_instant_in_sequence_from_one():
    b = book()
    b.place(SELL, ADA, 100, 1, LATER, FEES)
    b.place(SELL, BOB, 101, 1, LATER, FEES)
    assert [o["sequence"] for o in b.orders.values()] == [1, 2]
    b.collect_events()
    b.place(BUY, CY, 101, 2, LATER, FEES)
    placed, *fills = b.collect_events()
    assert len(fills) == 2 and all(f.timestamp == placed.timestamp for f in fills)
    assert b.modified_on == placed.timestamp
    b.place(SELL, ADA, 100, 1, LATER, FEES)
    b.reprice(b.place(BUY, BOB, 90, 1, LATER, FEES), BOB, 100, FEES)
    *_, repriced, fill = b.collect_events()
    assert isinstance(fill, OrderBook.TradeExecuted) and fill.timestamp >= repriced.timestamp


def test_a_book_is_crossed_only_when_its_best_bid_reaches_its_best_ask():
    b = book()
    assert not b.crossed()
    b.place(BUY, ADA, 99, 1, LATER, FEES)
    assert not b.crossed()
    b.place(SELL, BOB, 100, 1, LATER, FEES)
    b.place(BUY, ADA, 98, 1, LATER, FEES)  # behind the best: the best is what counts
    assert not b.crossed()
    b.bid_queue.append((100, -9, "forced"))  # a state matching never leaves: equal prices
    assert b.crossed()
    b.bid_queue[-1] = (101, -9, "forced")
    assert b.crossed()
    b.ask_queue.clear()
    assert not b.crossed()


def test_the_earliest_expiry_counts_every_order_due_then_and_closes_them_in_placing_order():
    b = book()
    soon, later = NOW + timedelta(hours=1), NOW + timedelta(hours=2)
    placed = [b.place(BUY, ADA, 100 - i, 1, soon, FEES) for i in range(3)]
    b.place(BUY, BOB, 50, 1, later, FEES)
    assert b.next_expiring == 3 and b.next_expiry == soon.isoformat(timespec="microseconds")
    ordered = sorted(placed, key=str, reverse=True)  # placing order is not the ids' order
    b.orders = {str(i): b.orders[str(i)] for i in ordered} | {
        k: v for k, v in b.orders.items() if k not in map(str, ordered)
    }
    assert b.due(soon) == [str(i) for i in placed]


def test_depth_shows_ten_levels_unless_asked_for_more():
    b = book()
    for price in range(1, 13):
        b.place(SELL, ADA, 100 + price, 1, LATER, FEES)
    assert [p for p, _, _ in b.depth(SELL)] == list(range(101, 111))
    assert len(b.depth(SELL, levels=12)) == 12
