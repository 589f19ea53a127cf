"""What a book's events mean outside the book (``settlement``): escrow in,
escrow out, proceeds, refunds, fees and taxes, as movements of money and items
that the use case applies to wallets and hangars in the same atomic write as
the book's change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

from domain.echoes.market import OrderBook
from domain.echoes.orders import BUY


@dataclass(frozen=True)
class Movement:
    """One change a book's event makes outside the book: money (``amount``) to
    or from a pilot's wallet, or items (``quantity``) to or from a pilot's
    hangar at the book's station. Negative takes, positive gives."""

    character_id: UUID
    kind: Literal["money", "items"]
    amount: int
    reason: str
    reference: UUID


def settlement(event: Any) -> list[Movement]:
    """What a book's event means for wallets and hangars (escrow in, escrow
    out, proceeds, refunds). Fees and taxes are what is taken and not given
    to anyone: the market's sinks."""
    if isinstance(event, OrderBook.OrderPlaced):
        if event.side == BUY:
            return [
                Movement(event.character_id, "money", -event.price * event.quantity, "market_escrow", event.order_id),
                Movement(event.character_id, "money", -event.broker_fee, "broker_fee", event.order_id),
            ]
        return [
            Movement(event.character_id, "items", -event.quantity, "market_escrow", event.order_id),
            Movement(event.character_id, "money", -event.broker_fee, "broker_fee", event.order_id),
        ]
    if isinstance(event, OrderBook.TradeExecuted):
        value = event.price * event.quantity
        moves = [
            Movement(event.buyer_id, "items", event.quantity, "market_purchase", event.trade_id),
            Movement(event.seller_id, "money", value, "market_sale", event.trade_id),
            Movement(event.seller_id, "money", -event.sales_tax, "sales_tax", event.trade_id),
        ]
        refund = (event.buy_limit - event.price) * event.quantity
        if refund:
            moves.append(Movement(event.buyer_id, "money", refund, "escrow_refund", event.trade_id))
        return moves
    if isinstance(event, OrderBook.OrderClosed):
        if event.side == BUY:
            return [
                Movement(event.character_id, "money", event.price * event.remaining, "escrow_refund", event.order_id)
            ]
        return [Movement(event.character_id, "items", event.remaining, "escrow_return", event.order_id)]
    if isinstance(event, OrderBook.OrderRepriced):
        moves = [Movement(event.character_id, "money", -event.fee, "reprice_fee", event.order_id)]
        if event.side == BUY:  # the escrow follows the price, up or down
            difference = (event.price - event.old_price) * event.remaining
            reason = "market_escrow" if difference > 0 else "escrow_refund"
            moves.append(Movement(event.character_id, "money", -difference, reason, event.order_id))
        return moves
    return []
