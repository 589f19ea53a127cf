"""An order's expiry timer (set on placing, cancelled on closing, firing on
its book through the order's id), and what every Echoes use case reads
first: the loaded universe, whose pilot acts, which market exists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.echoes.access import Actor
from domain.echoes.hangars import Hangar, hangar_id
from domain.echoes.market import OrderBook
from domain.echoes.orders import BUY, SELL, Fees, book_id, new_order_id, order_book_of
from domain.echoes.timers import ORDER_EXPIRY, policies
from domain.echoes.use_cases import EchoesUseCases
from domain.kernel.errors import NotFound, PermissionDenied
from domain.kernel.timers import CancelTimer, SetTimer
from tests.unit.echoes.test_use_cases import DAY, MODULE, NOW, STATION, balance, market


def test_placing_sets_the_orders_expiry_timer_and_closing_cancels_it():
    book = OrderBook.open(STATION, MODULE)
    ada = uuid4()
    order = book.place(BUY, ada, 10, 2, NOW + DAY, Fees())
    book.cancel(order, ada)
    _, placed, closed = book.collect_events()
    rules = policies(None)
    assert set(rules) == {OrderBook.OrderPlaced.TOPIC, OrderBook.OrderClosed.TOPIC}
    assert list(rules[placed.TOPIC](placed)) == [SetTimer(ORDER_EXPIRY, order, NOW + DAY)]
    assert list(rules[closed.TOPIC](closed)) == [CancelTimer(ORDER_EXPIRY, order)]
    assert ORDER_EXPIRY == "echoes.order_expiry"


def test_an_orders_id_names_its_book():
    order = new_order_id(STATION, MODULE)
    assert order.version == 8 and order_book_of(order) == (STATION, MODULE)
    assert order_book_of(uuid4()) is None
    assert new_order_id(STATION, MODULE) != order
    with pytest.raises(Exception, match="positive 31-bit"):
        new_order_id(0, MODULE)


def test_a_fired_timer_closes_what_is_due_on_the_orders_book_and_nothing_else():
    store, echoes, ada, _ = market()
    now = datetime.now(UTC)  # the use case also reads the clock: an hour leaves room for a slow run
    placed = echoes.place_order(ada, STATION, MODULE, BUY, 100, 5, timedelta(hours=1), now)
    (order_id,) = placed.aggregate.orders
    assert balance(store, ada) == 100_000 - 500 - 15
    assert echoes.expire_order(uuid4(), now) is None  # an id that names no book
    early = echoes.expire_order(new_order_id(STATION, MODULE), now)  # nothing due yet
    assert early.position is None and order_id in early.aggregate.orders
    fired = echoes.expire_order(new_order_id(STATION, MODULE), now + timedelta(hours=2))
    assert not fired.aggregate.orders and balance(store, ada) == 100_000 - 15


def test_a_pilot_acts_only_for_its_own_player_and_only_on_markets_that_exist():
    _, echoes, ada, bob = market()
    stranger = Actor(ada.character_id, uuid4())
    with pytest.raises(PermissionDenied):
        echoes.place_order(stranger, STATION, MODULE, BUY, 1, 1, DAY, NOW)
    with pytest.raises(NotFound, match=f"Pilot {bob.owner} not found"):
        echoes.place_order(Actor(bob.owner, bob.owner), STATION, MODULE, BUY, 1, 1, DAY, NOW)
    with pytest.raises(NotFound, match=f"there is no market for module type 9 at station {STATION}"):
        echoes.place_order(ada, STATION, 9, BUY, 1, 1, DAY, NOW)
    with pytest.raises(NotFound, match=f"there is no market for module type {MODULE} at station 9"):
        echoes.book(9, MODULE)
    with pytest.raises(NotFound, match="there is no station 9") as station:
        echoes.stock(ada, 9, MODULE, 1, "loot")
    assert station.value.details == {"station_id": 9}


def test_a_buyers_first_purchase_at_a_station_opens_its_hangar_there():
    store, echoes, ada, bob = market()
    echoes.place_order(bob, STATION, MODULE, SELL, 100, 3, DAY, NOW)
    echoes.place_order(ada, STATION, MODULE, BUY, 100, 2, DAY, NOW)
    hangar = store.load(Hangar, hangar_id(ada.character_id, STATION))
    assert (hangar.owner, hangar.character_id, hangar.station_id, hangar.held(MODULE)) == (
        ada.owner,
        ada.character_id,
        STATION,
        2,
    )
    assert hangar.system_id == 30000140  # the station's


def test_without_a_universe_there_is_no_market():
    from domain.echoes.universe import Universe
    from domain.kernel.store import Lorekeeper
    from infra.persistence import PERSISTENCE_ENV

    empty = Lorekeeper(
        {**PERSISTENCE_ENV, "PERSISTENCE_MODULE": "eventsourcing.popo", "APPLICATION_RECORDER_TOPIC": ""},
        aggregates=[Universe, OrderBook],
    )
    with pytest.raises(NotFound, match="no universe is loaded yet"):
        EchoesUseCases(empty).book(STATION, MODULE)
    assert book_id(STATION, MODULE) != book_id(MODULE, STATION)
