"""The market's vocabulary and rules of arithmetic: sides, bounds, a book's
id, an order's id (which names its book), the fees (basis points, rounded
up) and the market's errors."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.kernel.errors import Conflict, InvalidCommand, NotFound
from domain.kernel.ids import random_bits, uuid_of

Side = Literal["buy", "sell"]
BUY: Side = "buy"
SELL: Side = "sell"

PRICE_MAX = 10**12  # minor units: a billion ISK a unit
QUANTITY_MAX = 10**6  # so price x quantity stays far inside 64 bits
OPEN_ORDERS_MAX = 100_000  # per book: the state (and its snapshot) stays bounded
BPS = 10_000


@lru_cache(maxsize=65_536)  # a SHA-1 each time, several times per order
def book_id(station_id: int, module_type_id: int) -> UUID:
    return uuid5(NAMESPACE_URL, f"lorekeeper:/echoes/books/{station_id}/{module_type_id}")


_ORDER_RANDOM = (0xFFFF << 80) | (0xFFF << 64) | (0x7FFFFFFF << 31)


def new_order_id(station_id: int, module_type_id: int) -> UUID:
    """An order's id, naming its book: a UUIDv8 (RFC 9562's layout for ids of
    one's own design) holding the station id in its first 32 bits and the
    module type id in its last 31, with 59 random bits between. A durable
    expiry timer knows only its order's id; this is how it finds the book
    (``order_book_of``), with no index to keep."""
    if not (0 < station_id < 2**31 and 0 < module_type_id < 2**31):
        raise InvalidOrder("station and module type ids are positive 31-bit integers")
    value = random_bits(128) & _ORDER_RANDOM  # bits 95..80, 75..64 and 61..31: 59 random bits
    value |= station_id << 96  # bits 127..96: the station
    value |= 0x8 << 76  # version 8
    value |= 0b10 << 62  # the RFC's variant
    value |= module_type_id  # bits 30..0: the module type
    return uuid_of(value)


def order_book_of(order_id: UUID) -> tuple[int, int] | None:
    """``(station_id, module_type_id)`` of an id ``new_order_id`` made, else None."""
    if order_id.version != 8:
        return None
    return order_id.int >> 96, order_id.int & 0x7FFFFFFF


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
