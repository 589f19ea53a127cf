"""Many traders on one order book, in any order of placing, cancelling,
repricing and expiring: money and items are conserved (wallets + escrow +
what the sinks took = what the faucets paid), nothing is ever negative, the
book never stays crossed, every fill is within both orders, and replaying the
book's events rebuilds it."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from domain.echoes.hangars import Hangar
from domain.echoes.market import OrderBook
from domain.echoes.orders import BUY, SELL, Fees
from domain.echoes.settlement import settlement
from domain.echoes.wallets import SINKS, Wallet
from domain.kernel.errors import DomainError
from tests.property.support import RecordingMachineMixin

STATION, MODULE = 60003760, 2048
TRADERS = 4
FEES = Fees(broker_bps=300, sales_tax_bps=800, reprice_bps=100)
prices = st.integers(95, 105)
quantities = st.integers(1, 40)


class MarketMachine(RecordingMachineMixin, RuleBasedStateMachine):
    @initialize(
        grants=st.lists(st.integers(0, 60_000), min_size=TRADERS, max_size=TRADERS),
        stock=st.lists(st.integers(0, 120), min_size=TRADERS, max_size=TRADERS),
    )
    def open_market(self, grants, stock):
        self.recorded = []
        self.now = datetime(2026, 11, 22, tzinfo=UTC)
        self.book = OrderBook.open(STATION, MODULE)
        self.traders = [uuid4() for _ in range(TRADERS)]
        self.wallets = {t: Wallet(character_id=t, owner=t) for t in self.traders}
        self.hangars = {
            t: Hangar(character_id=t, station_id=STATION, system_id=30000142, owner=t) for t in self.traders
        }
        for trader, grant, items in zip(self.traders, grants, stock, strict=True):
            self.wallets[trader].enter(grant, "starting_grant", uuid4())
            self.hangars[trader].move(MODULE, items, "starting_stock", uuid4())
        for aggregate in [*self.wallets.values(), *self.hangars.values()]:
            aggregate.collect_events()
        self.paid_in, self.items_in, self.sunk = sum(grants), sum(stock), 0
        self.fills: list[OrderBook.TradeExecuted] = []

    def command(self, change) -> bool:
        """The use case's one atomic write: the book's change and its settlement,
        all or nothing."""
        saved = copy.deepcopy((self.book, self.wallets, self.hangars))
        already = len(self.book.pending_events)
        try:
            change()
            for event in self.book.pending_events[already:]:
                if isinstance(event, OrderBook.TradeExecuted):
                    self.fills.append(event)
                for move in settlement(event):
                    if move.kind == "money":
                        self.wallets[move.character_id].enter(move.amount, move.reason, move.reference)
                    else:
                        self.hangars[move.character_id].move(MODULE, move.amount, move.reason, move.reference)
        except DomainError:
            self.book, self.wallets, self.hangars = saved
            self.book.pending_events[already:] = []
            return False
        self.sunk += sum(-e.amount for w in self.wallets.values() for e in w.pending_events if e.reason in SINKS)
        for aggregate in [*self.wallets.values(), *self.hangars.values()]:
            aggregate.collect_events()
        self.collect(self.book)
        return True

    @rule(
        trader=st.integers(0, TRADERS - 1),
        side=st.sampled_from([BUY, SELL]),
        price=prices,
        quantity=quantities,
        minutes=st.integers(1, 120),
    )
    def place(self, trader, side, price, quantity, minutes):
        who = self.traders[trader]
        self.command(lambda: self.book.place(side, who, price, quantity, self.now + timedelta(minutes=minutes), FEES))

    def open_orders(self):
        """Oldest first (ids are random, the order of placing is not)."""
        return sorted(self.book.orders, key=lambda order_id: self.book.orders[order_id]["sequence"])

    @precondition(lambda self: self.book.orders)
    @rule(data=st.data())
    def cancel(self, data):
        order_id = data.draw(st.sampled_from(self.open_orders()))
        owner = self.book.orders[order_id]["character_id"]
        assert self.command(lambda: self.book.cancel(UUID(order_id), UUID(owner)))
        assert order_id not in self.book.orders

    @precondition(lambda self: self.book.orders)
    @rule(data=st.data(), price=prices)
    def reprice(self, data, price):
        order_id = data.draw(st.sampled_from(self.open_orders()))
        owner = self.book.orders[order_id]["character_id"]
        self.command(lambda: self.book.reprice(UUID(order_id), UUID(owner), price, FEES))

    @rule(minutes=st.integers(1, 90))
    def time_passes(self, minutes):
        self.now += timedelta(minutes=minutes)
        self.command(lambda: self.book.expire(self.now))
        assert all(datetime.fromisoformat(o["expires_at"]) > self.now for o in self.book.orders.values())

    @invariant()
    def money_is_conserved(self):
        held = sum(w.balance for w in self.wallets.values())
        assert held + self.book.escrowed_money() + self.sunk == self.paid_in

    @invariant()
    def items_are_conserved(self):
        held = sum(sum(h.items.values()) for h in self.hangars.values())
        assert held + self.book.escrowed_items() == self.items_in

    @invariant()
    def nothing_is_negative(self):
        assert all(w.balance >= 0 for w in self.wallets.values())
        assert all(q > 0 for h in self.hangars.values() for q in h.items.values())
        assert all(o["remaining"] > 0 for o in self.book.orders.values())

    @invariant()
    def the_book_never_stays_crossed(self):
        assert not self.book.crossed()

    @invariant()
    def fills_are_at_the_resting_price_and_within_the_buyers_limit(self):
        for fill in self.fills:
            assert fill.quantity >= 1 and fill.price <= fill.buy_limit

    @invariant()
    def depth_levels_and_the_earliest_expiry_agree_with_the_orders(self):
        for side in ("buy", "sell"):
            levels: dict[int, list[int]] = {}
            for order in self.book.orders.values():
                if order["side"] == side:
                    held = levels.setdefault(order["price"], [0, 0])
                    held[0] += order["remaining"]
                    held[1] += 1
            naive = sorted(((p, q, n) for p, (q, n) in levels.items()), reverse=side == "buy")
            assert self.book.depth(side, levels=1000) == naive  # type: ignore[arg-type]
            queue = self.book.bid_queue if side == "buy" else self.book.ask_queue
            assert [e[2] for e in reversed(queue)] == [  # best last
                i
                for i, _ in sorted(
                    ((i, o) for i, o in self.book.orders.items() if o["side"] == side),
                    key=lambda x: (-x[1]["price"] if side == "buy" else x[1]["price"], x[1]["sequence"]),
                )
            ]
        expiries = [o["expires_at"] for o in self.book.orders.values()]
        assert self.book.next_expiry == (min(expiries) if expiries else None)
        assert self.book.next_expiring == expiries.count(self.book.next_expiry)

    @invariant()
    def replay_rebuilds_the_book(self):
        self.check_replay(self.book)


MarketMachine.TestCase.settings = settings(max_examples=80, stateful_step_count=50, deadline=None)
TestMarket = MarketMachine.TestCase
