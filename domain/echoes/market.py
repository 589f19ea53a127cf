"""The market (seed 004): one order book per station and module type, with
EVE Online's rules (docs/echoes.md): buy orders escrow money, sell orders
items; matching by price, then time, at the resting order's price, with
partial fills; a sales tax on each sale; cancel and expiry return the escrow
(not the broker fee); repricing costs a fee. The book records orders and
trades and never moves money or items itself: ``settlement`` says what each
event means for wallets and hangars. The state and its upkeep (queues in
matching order, price levels, the earliest expiry) are ``book_state``'s.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

from domain.echoes.book_state import SNAPSHOT_TYPES, BookState, expiry_key
from domain.echoes.orders import (
    BUY,
    OPEN_ORDERS_MAX,
    PRICE_MAX,
    QUANTITY_MAX,
    SELL,
    BookFull,
    Fees,
    InvalidOrder,
    OrderNotOpen,
    Side,
    book_id,
    fee,
    new_order_id,
)
from domain.kernel.aggregate import Aggregate
from domain.kernel.errors import PermissionDenied
from domain.kernel.ids import random_uuid, text_of, uuid_from_text


class OrderBook(BookState, Aggregate):
    """Open orders of one module type at one station (see the module's doc)."""

    TOPIC = "lorekeeper.order_book"
    # An order is replaced, never changed in place, and a queue entry only
    # inserted or deleted: a command's copy of the book needs new containers only.
    SHALLOW: ClassVar[frozenset[str]] = frozenset({"orders", "bid_queue", "ask_queue", "bid_levels", "ask_levels"})
    snapshot_types: ClassVar[dict[str, object]] = SNAPSHOT_TYPES

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.order_book.Created"
        station_id: int
        module_type_id: int

    class OrderPlaced(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.order_book.OrderPlaced"
        order_id: UUID
        side: Side
        character_id: UUID
        price: int
        quantity: int
        expires_at: datetime
        broker_fee: int
        station_id: int  # the book's, for the read side
        module_type_id: int

        def apply(self, book: OrderBook) -> None:
            book.sequence += 1
            order_id, expires = text_of(self.order_id), expiry_key(self.expires_at)
            book.orders[order_id] = {
                "side": self.side,
                "character_id": text_of(self.character_id),
                "price": self.price,
                "remaining": self.quantity,
                "sequence": book.sequence,
                "expires_at": expires,
            }
            book.enqueue(order_id)
            book.track_expiry(expires)

    class TradeExecuted(Aggregate.Event):
        """A fill: ``quantity`` at ``price`` (the resting order's) between two orders."""

        TOPIC: ClassVar[str] = "lorekeeper.order_book.TradeExecuted"
        trade_id: UUID
        buy_order_id: UUID
        sell_order_id: UUID
        buyer_id: UUID
        seller_id: UUID
        price: int
        quantity: int
        buy_limit: int  # the buy order's own price: escrow beyond the trade's price goes back
        sales_tax: int
        aggressor: Side
        station_id: int
        module_type_id: int

        def apply(self, book: OrderBook) -> None:
            book.fill(text_of(self.buy_order_id), self.quantity)
            book.fill(text_of(self.sell_order_id), self.quantity)

    class OrderClosed(Aggregate.Event):
        """Cancelled by its owner or expired: what was left goes back."""

        TOPIC: ClassVar[str] = "lorekeeper.order_book.OrderClosed"
        order_id: UUID
        side: Side
        character_id: UUID
        price: int
        remaining: int
        reason: Literal["cancelled", "expired"]

        def apply(self, book: OrderBook) -> None:
            book.remove(str(self.order_id))

    class OrderRepriced(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.order_book.OrderRepriced"
        order_id: UUID
        side: Side
        character_id: UUID
        old_price: int
        price: int
        remaining: int
        fee: int

        def apply(self, book: OrderBook) -> None:
            order_id = str(self.order_id)
            book.dequeue(order_id)
            book.sequence += 1
            book.orders[order_id] = {**book.orders[order_id], "price": self.price, "sequence": book.sequence}
            book.enqueue(order_id)

    def __init__(self, station_id: int, module_type_id: int) -> None:
        self.station_id = station_id
        self.module_type_id = module_type_id
        self.orders: dict[str, dict[str, Any]] = {}
        self.bid_queue: list[tuple[int, int, str]] = []
        self.ask_queue: list[tuple[int, int, str]] = []
        self.bid_levels: dict[str, tuple[int, int]] = {}
        self.ask_levels: dict[str, tuple[int, int]] = {}
        self.next_expiry: str | None = None
        self.next_expiring = 0
        self.sequence = 0

    @staticmethod
    def create_id(station_id: int, module_type_id: int, **_: object) -> UUID:
        return book_id(station_id, module_type_id)

    @classmethod
    def open(cls, station_id: int, module_type_id: int) -> OrderBook:
        return cls(station_id=station_id, module_type_id=module_type_id)

    # -- commands -----------------------------------------------------------------

    def place(
        self,
        side: Side,
        character_id: UUID,
        price: int,
        quantity: int,
        expires_at: datetime,
        fees: Fees,
        order_id: UUID | None = None,
    ) -> UUID:
        """Place an order and match it at once; its id. The use case takes its
        escrow and fee in the same write (``settlement``)."""
        if side not in (BUY, SELL):
            raise InvalidOrder(f"an order buys or sells, not {side!r}")
        if not 1 <= price <= PRICE_MAX:
            raise InvalidOrder(f"price must be 1 to {PRICE_MAX} (minor units)", price=price)
        if not 1 <= quantity <= QUANTITY_MAX:
            raise InvalidOrder(f"quantity must be 1 to {QUANTITY_MAX}", quantity=quantity)
        if len(self.orders) >= OPEN_ORDERS_MAX:
            raise BookFull(f"this book holds {OPEN_ORDERS_MAX} open orders already", limit=OPEN_ORDERS_MAX)
        if type(price) is not int or type(quantity) is not int:  # the event is built unvalidated
            raise InvalidOrder("price and quantity are whole numbers")
        if not isinstance(character_id, UUID) or not isinstance(order_id, UUID | None) or expires_at.tzinfo is None:
            raise InvalidOrder("an order names its pilot by id and expires at a time with its zone")
        order_id = order_id or new_order_id(self.station_id, self.module_type_id)
        now = self.OrderPlaced.create_timestamp()  # the order and its fills happen at once
        self.trigger_trusted(  # every value checked above: the hot path skips validation
            self.OrderPlaced,
            timestamp=now,
            order_id=order_id,
            side=side,
            character_id=character_id,
            price=price,
            quantity=quantity,
            expires_at=expires_at,
            broker_fee=fee(price * quantity, fees.broker_bps),
            station_id=self.station_id,
            module_type_id=self.module_type_id,
        )
        self._match(order_id, fees, now)
        return order_id

    def _match(self, order_uuid: UUID, fees: Fees, now: datetime | None = None) -> None:
        now = now or self.TradeExecuted.create_timestamp()
        order_id = text_of(order_uuid)
        order = self.orders[order_id]
        side, owner = order["side"], uuid_from_text(order["character_id"])
        opposite = self._queue(SELL if side == BUY else BUY)
        while order_id in self.orders and opposite:
            order = self.orders[order_id]  # again after each trade: a fill replaces it
            resting_id = opposite[-1][2]
            resting = self.orders[resting_id]
            crosses = resting["price"] <= order["price"] if side == BUY else resting["price"] >= order["price"]
            if not crosses:
                return
            quantity = min(order["remaining"], resting["remaining"])
            resting_uuid, resting_owner = uuid_from_text(resting_id), uuid_from_text(resting["character_id"])
            if side == BUY:
                buy, buy_id, buyer, sell_id, seller = order, order_uuid, owner, resting_uuid, resting_owner
            else:
                buy, buy_id, buyer, sell_id, seller = resting, resting_uuid, resting_owner, order_uuid, owner
            self.trigger_trusted(  # values of the book's own state: the hot path skips validation
                self.TradeExecuted,
                timestamp=now,
                trade_id=random_uuid(),
                buy_order_id=buy_id,
                sell_order_id=sell_id,
                buyer_id=buyer,
                seller_id=seller,
                price=resting["price"],
                quantity=quantity,
                buy_limit=buy["price"],
                sales_tax=fee(resting["price"] * quantity, fees.sales_tax_bps),
                aggressor=side,
                station_id=self.station_id,
                module_type_id=self.module_type_id,
            )

    def _own(self, order_id: UUID, character_id: UUID | None) -> dict[str, Any]:
        order = self.orders.get(str(order_id))
        if order is None:
            raise OrderNotOpen(f"order {order_id} is not open in this book", order_id=str(order_id))
        if character_id is not None and order["character_id"] != str(character_id):
            raise PermissionDenied("this order belongs to another pilot")
        return order

    def cancel(self, order_id: UUID, character_id: UUID | None) -> None:
        order = self._own(order_id, character_id)
        self._close(order_id, order, "cancelled")

    def expire(self, now: datetime) -> int:
        """Close every order whose time is up; how many."""
        due = self.due(now)
        for order_id in due:
            self._close(UUID(order_id), self.orders[order_id], "expired")
        return len(due)

    def _close(self, order_id: UUID, order: dict[str, Any], reason: Literal["cancelled", "expired"]) -> None:
        kept = {name: order[name] for name in ("side", "character_id", "price", "remaining")}
        self.trigger_event(self.OrderClosed, order_id=order_id, reason=reason, **kept)

    def reprice(self, order_id: UUID, character_id: UUID | None, price: int, fees: Fees) -> None:
        """A new price for what is left (it loses its place in time); it may match at once."""
        order = self._own(order_id, character_id)
        if not 1 <= price <= PRICE_MAX:
            raise InvalidOrder(f"price must be 1 to {PRICE_MAX} (minor units)", price=price)
        if price == order["price"]:
            return
        self.trigger_event(
            self.OrderRepriced,
            order_id=order_id,
            side=order["side"],
            character_id=UUID(order["character_id"]),
            old_price=order["price"],
            price=price,
            remaining=order["remaining"],
            fee=fee(price * order["remaining"], fees.reprice_bps),
        )
        self._match(order_id, fees)

    def crossed(self) -> bool:
        """True if the best bid reaches the best ask (matching never leaves it so)."""
        return bool(self.bid_queue and self.ask_queue) and self.bid_queue[-1][0] >= -self.ask_queue[-1][0]
