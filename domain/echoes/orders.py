"""The market's vocabulary and rules of arithmetic: sides, bounds, a book's
id, the fees (basis points, rounded up) and the market's errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.kernel.errors import Conflict, InvalidCommand, NotFound

Side = Literal["buy", "sell"]
BUY: Side = "buy"
SELL: Side = "sell"

PRICE_MAX = 10**12  # minor units: a billion ISK a unit
QUANTITY_MAX = 10**6  # so price x quantity stays far inside 64 bits
OPEN_ORDERS_MAX = 100_000  # per book: the state (and its snapshot) stays bounded
BPS = 10_000


def book_id(station_id: int, module_type_id: int) -> UUID:
    return uuid5(NAMESPACE_URL, f"lorekeeper:/echoes/books/{station_id}/{module_type_id}")


def fee(amount: int, rate_bps: int) -> int:
    """``rate_bps`` basis points of ``amount``, rounded up (never below 0)."""
    return -(-amount * rate_bps // BPS) if amount > 0 else 0


class InvalidOrder(InvalidCommand):
    code = "invalid_order"


class BookFull(Conflict):
    code = "order_book_full"


class OrderNotOpen(NotFound):
    code = "order_not_open"


@dataclass(frozen=True)
class Fees:
    """The market's configurable charges, in basis points."""

    broker_bps: int = 300  # on placement, of the order's value
    sales_tax_bps: int = 800  # on each sale, of its value, paid by the seller
    reprice_bps: int = 300  # on a price change, of the order's new remaining value
