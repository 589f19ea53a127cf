"""An order book's state and its upkeep, which the events' ``apply`` call
(``market.OrderBook`` is the aggregate): the open orders by id; each side's
queue as ``[price key, sequence, order id]`` in matching order, so that the
best order is first; each side's price levels (quantity and orders per
price), so that a book's depth costs its number of prices, not of orders;
and the earliest expiry, so that touching a book whose orders are not due
costs nothing. Every container's items are replaced, inserted or deleted,
never changed in place (``Aggregate.SHALLOW``)."""

from __future__ import annotations

from bisect import bisect_left, insort
from datetime import UTC, datetime
from typing import Any

from domain.echoes.orders import BUY, SELL, Side


def expiry_key(moment: datetime) -> str:
    """A time as text that sorts as the time does (UTC, to the microsecond)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


class BookState:
    orders: dict[str, dict[str, Any]]
    bids: list[list[Any]]  # [-price, sequence, order id]: dearest, then oldest, first
    asks: list[list[Any]]  # [price, sequence, order id]: cheapest, then oldest, first
    bid_levels: dict[str, list[int]]  # price -> [quantity, orders]
    ask_levels: dict[str, list[int]]
    next_expiry: str | None  # the earliest expires_at (expiry_key) of an open order
    next_expiring: int  # how many open orders expire then

    def _queue(self, side: str) -> list[list[Any]]:
        return self.bids if side == BUY else self.asks

    def _levels(self, side: str) -> dict[str, list[int]]:
        return self.bid_levels if side == BUY else self.ask_levels

    def _entry(self, order_id: str) -> list[Any]:
        order = self.orders[order_id]
        key = -order["price"] if order["side"] == BUY else order["price"]
        return [key, order["sequence"], order_id]

    def level_change(self, order: dict[str, Any], quantity: int, orders: int) -> None:
        levels, price = self._levels(order["side"]), str(order["price"])
        held, count = levels.get(price, (0, 0))
        if count + orders:
            levels[price] = [held + quantity, count + orders]
        else:
            del levels[price]

    def enqueue(self, order_id: str) -> None:
        order = self.orders[order_id]
        insort(self._queue(order["side"]), self._entry(order_id))
        self.level_change(order, order["remaining"], 1)

    def track_expiry(self, expires: str) -> None:
        """A new open order expires at ``expires``."""
        if self.next_expiry is None or expires < self.next_expiry:
            self.next_expiry, self.next_expiring = expires, 1
        elif expires == self.next_expiry:
            self.next_expiring += 1

    def dequeue(self, order_id: str) -> None:
        order = self.orders[order_id]
        queue, entry = self._queue(order["side"]), self._entry(order_id)
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
