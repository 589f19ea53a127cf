"""An order book's state and its upkeep, which the events' ``apply`` call
(``market.OrderBook`` is the aggregate): the open orders by id; each side's
queue as ``(price key, -sequence, order id)`` sorted so that the best order
is last: taking it, and queueing an order that crosses (the best on its side
until it fills), cost no move of the rest of a deep queue, where best-first
they cost two (a third of the engine's time); each side's price levels (quantity and orders per
price), so that a book's depth costs its number of prices, not of orders;
and the earliest expiry, so that touching a book whose orders are not due
costs nothing. Every container's items are replaced, inserted or deleted,
never changed in place (``Aggregate.SHALLOW``). Queue entries and levels are
tuples of numbers and text, which the garbage collector stops tracking: a
deep book's lists of lists were a quarter of the engine's time in collections;
a snapshot's JSON lists are made tuples again on load (``SNAPSHOT_TYPES``), and a
snapshot from before the queues were kept best-last is brought up to date
(``BookState.upcast_state``)."""

from __future__ import annotations

from bisect import bisect_left, insort
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from domain.echoes.orders import BUY, SELL, Side


@lru_cache(maxsize=1024)  # orders come in with a few expiries each: formatting is a tenth of a placement
def expiry_key(moment: datetime) -> str:
    """A time as text that sorts as the time does (UTC, to the microsecond)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def queue_entry(order_id: str, order: dict[str, Any]) -> tuple[int, int, str]:
    """An order's entry in its side's queue, which sorts ascending with the best last."""
    key = order["price"] if order["side"] == BUY else -order["price"]
    return (key, -order["sequence"], order_id)


SNAPSHOT_TYPES: dict[str, object] = {  # JSON's lists made the state's tuples again
    "bid_queue": list[tuple[int, int, str]],
    "ask_queue": list[tuple[int, int, str]],
    "bid_levels": dict[str, tuple[int, int]],
    "ask_levels": dict[str, tuple[int, int]],
}


_NO_LEVEL = (0, 0)


class BookState:
    orders: dict[str, dict[str, Any]]
    bid_queue: list[tuple[int, int, str]]  # (price, -sequence, order id): dearest, then oldest, last
    ask_queue: list[tuple[int, int, str]]  # (-price, -sequence, order id): cheapest, then oldest, last
    bid_levels: dict[str, tuple[int, int]]  # price -> (quantity, orders)
    ask_levels: dict[str, tuple[int, int]]
    next_expiry: str | None  # the earliest expires_at (expiry_key) of an open order
    next_expiring: int  # how many open orders expire then

    @staticmethod
    def upcast_state(state: dict[str, Any]) -> dict[str, Any]:
        """A snapshot taken while the queues were ``bids``/``asks``, best first as
        ``(key, sequence, id)``: the same entries best last (keys and sequences
        negated, order reversed)."""
        for old, new in (("bids", "bid_queue"), ("asks", "ask_queue")):
            if old in state:
                state[new] = [(-key, -sequence, order_id) for key, sequence, order_id in reversed(state.pop(old))]
        return state

    def _queue(self, side: str) -> list[tuple[int, int, str]]:
        return self.bid_queue if side == BUY else self.ask_queue

    def _levels(self, side: str) -> dict[str, tuple[int, int]]:
        return self.bid_levels if side == BUY else self.ask_levels

    def level_change(self, order: dict[str, Any], quantity: int, orders: int) -> None:
        levels, price = self._levels(order["side"]), str(order["price"])
        held, count = levels.get(price, _NO_LEVEL)
        if count + orders:
            levels[price] = (held + quantity, count + orders)
        else:
            del levels[price]

    def enqueue(self, order_id: str) -> None:
        order = self.orders[order_id]
        insort(self._queue(order["side"]), queue_entry(order_id, order))
        self.level_change(order, order["remaining"], 1)

    def track_expiry(self, expires: str) -> None:
        """A new open order expires at ``expires``."""
        if self.next_expiry is None or expires < self.next_expiry:
            self.next_expiry, self.next_expiring = expires, 1
        elif expires == self.next_expiry:
            self.next_expiring += 1

    def dequeue(self, order_id: str) -> None:
        order = self.orders[order_id]
        queue = self._queue(order["side"])
        if queue[-1][2] == order_id:  # a fill takes the best: no search, nothing moves
            del queue[-1]
        else:
            entry = queue_entry(order_id, order)
            at = bisect_left(queue, entry)
            assert queue[at] == entry, f"order {order_id} is not queued where its price and time say"
            del queue[at]
        self.level_change(order, -order["remaining"], -1)

    def remove(self, order_id: str) -> None:
        self.dequeue(order_id)
        expires = self.orders.pop(order_id)["expires_at"]
        if expires == self.next_expiry:
            self.next_expiring -= 1
            if not self.next_expiring:  # the last order of the earliest expiry: find the next (O(n), seldom)
                self.next_expiry = min((o["expires_at"] for o in self.orders.values()), default=None)
                self.next_expiring = sum(o["expires_at"] == self.next_expiry for o in self.orders.values())

    def fill(self, order_id: str, quantity: int) -> None:
        order = self.orders[order_id]
        if order["remaining"] == quantity:
            self.remove(order_id)
        else:  # replaced, never changed in place
            self.orders[order_id] = {**order, "remaining": order["remaining"] - quantity}
            self.level_change(order, -quantity, 0)

    def due(self, now: datetime) -> list[str]:
        """The open orders whose time is up, oldest first (none at all if the earliest is not)."""
        key = expiry_key(now)
        if self.next_expiry is None or key < self.next_expiry:
            return []
        due = [i for i, o in self.orders.items() if o["expires_at"] <= key]
        return sorted(due, key=lambda i: self.orders[i]["sequence"])

    # -- reading --------------------------------------------------------------------

    def escrowed_money(self) -> int:
        """What the open buy orders hold: their price times what they have left."""
        return sum(o["price"] * o["remaining"] for o in self.orders.values() if o["side"] == BUY)

    def escrowed_items(self) -> int:
        return sum(o["remaining"] for o in self.orders.values() if o["side"] == SELL)

    def depth(self, side: Side, levels: int = 10) -> list[tuple[int, int, int]]:
        """The best ``levels`` price levels of one side: (price, quantity, orders)."""
        book = self._levels(side)
        prices = sorted((int(p) for p in book), reverse=side == BUY)[:levels]
        return [(p, book[str(p)][0], book[str(p)][1]) for p in prices]
