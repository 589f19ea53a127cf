"""The market's read model from a real trading history: open orders are the
book's, every fill is a transaction, each day's prices and volume add up, the
journal ends at each wallet's balance, and none of it depends on where the
projection's batches begin and end."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.echoes.market import OrderBook
from domain.echoes.orders import BUY, SELL, Fees
from domain.echoes.settlement import settlement
from domain.echoes.wallets import Wallet
from domain.kernel.errors import DomainError
from projections import engine
from projections.echoes.market import (
    MARKET_ORDERS,
    MARKET_PRICE_HISTORY,
    MARKET_TRANSACTIONS,
    PROJECTION,
    WALLET_JOURNAL,
)
from projections.model import Event

NOW = datetime(2026, 11, 22, 9, tzinfo=UTC)


def history(seed: int, orders: int = 60):
    rng = random.Random(seed)
    book = OrderBook.open(60003760, 2048)
    traders = [uuid4() for _ in range(4)]
    wallets = {t: Wallet(character_id=t, owner=t) for t in traders}
    for wallet in wallets.values():
        wallet.enter(1_000_000, "starting_grant", uuid4())
    events = [*book.collect_events()]
    for wallet in wallets.values():
        events += wallet.collect_events()
    for _ in range(orders):
        side = rng.choice((BUY, SELL))
        try:
            book.place(
                side, rng.choice(traders), rng.randint(95, 105), rng.randint(1, 9), NOW + timedelta(days=1), Fees()
            )
        except DomainError:
            continue
        for event in book.pending_events:
            for move in settlement(event):
                if move.kind == "money":
                    wallets[move.character_id].enter(move.amount, move.reason, move.reference)
        events += book.collect_events()
        for wallet in wallets.values():
            events += wallet.collect_events()
    as_read = [
        Event(position, e.originator_id, e.originator_version, e.TOPIC, e.model_dump(mode="json"))
        for position, e in enumerate(events, start=1)
    ]
    return book, wallets, as_read


def test_the_tables_say_what_the_book_and_the_wallets_hold():
    book, wallets, events = history(1)
    tables, failed = engine.replay(PROJECTION, events)
    assert failed == []
    open_orders = {str(row["id"]): row for row in tables[MARKET_ORDERS].values()}
    assert set(open_orders) == set(book.orders)
    for order_id, row in open_orders.items():
        assert (row["quantity"], row["price"]) == (book.orders[order_id]["remaining"], book.orders[order_id]["price"])
    fills = [e for e in events if e.topic == OrderBook.TradeExecuted.TOPIC]
    assert len(tables[MARKET_TRANSACTIONS]) == len(fills) > 0
    (day,) = tables[MARKET_PRICE_HISTORY].values()
    prices = [f.data["price"] for f in fills]
    assert (day["open"], day["close"], day["high"], day["low"]) == (prices[0], prices[-1], max(prices), min(prices))
    assert day["volume"] == sum(f.data["quantity"] for f in fills)
    for wallet in wallets.values():
        entries = sorted(
            (r for r in tables[WALLET_JOURNAL].values() if r["wallet_id"] == wallet.id), key=lambda r: r["entry"]
        )
        assert entries[-1]["balance_after"] == wallet.balance


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), sizes=st.lists(st.integers(1, 7), min_size=1, max_size=10))
def test_the_tables_do_not_depend_on_batch_boundaries(seed, sizes):
    _, _, events = history(seed, orders=25)
    all_at_once = engine.replay(PROJECTION, events)
    assert engine.replay(PROJECTION, events, lambda i: sizes[i % len(sizes)]) == all_at_once
    assert engine.replay(PROJECTION, events, lambda _: 1) == all_at_once
