"""The market's durable timers: an order that nobody touches still expires
on time. Placing an order sets a timer for its ``expires_at`` (its id names
its book: ``orders.new_order_id``); closing it (cancelled, or expired by a
touch of the book first) cancels it. A timer of an order filled in the
meantime fires and finds nothing due, which is fine: the handler decides
from the book as it is."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from domain.echoes.market import OrderBook
from domain.kernel.timers import CancelTimer, Policy, SetTimer, TimerChange

ORDER_EXPIRY = "echoes.order_expiry"


def policies(_: Any) -> Mapping[str, Policy]:
    def placed(event: OrderBook.OrderPlaced) -> Iterable[TimerChange]:
        return [SetTimer(ORDER_EXPIRY, event.order_id, event.expires_at)]

    def closed(event: OrderBook.OrderClosed) -> Iterable[TimerChange]:
        return [CancelTimer(ORDER_EXPIRY, event.order_id)]

    return {OrderBook.OrderPlaced.TOPIC: placed, OrderBook.OrderClosed.TOPIC: closed}
