"""An order's expiry timer (set on placing, cancelled on closing, firing on
its book through the order's id), and what every Echoes use case reads
first: the loaded universe, whose pilot acts, which market exists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from uuid import UUID, uuid4

import pytest

from domain.echoes.access import Actor
from domain.echoes.book_state import expiry_key
from domain.echoes.hangars import Hangar, hangar_id
from domain.echoes.market import OrderBook
from domain.echoes.orders import BUY, SELL, Fees, book_id, new_order_id, order_book_of
from domain.echoes.timers import ORDER_EXPIRY, policies
from domain.echoes.use_cases import DURATION_MAX, EchoesUseCases
from domain.kernel.errors import InvalidCommand, NotFound, PermissionDenied
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


def test_a_strangers_actor_touches_no_wallet_and_no_hangar_of_the_pilot():
    store, echoes, ada, bob = market()
    stranger = Actor(bob.character_id, uuid4())
    before = store.recorder.max_notification_id()
    with pytest.raises(PermissionDenied):
        echoes.grant(stranger, 10, "bounty")
    with pytest.raises(PermissionDenied):
        echoes.stock(stranger, STATION, MODULE, 1, "loot")
    with pytest.raises(PermissionDenied):
        echoes.cancel_order(Actor(ada.character_id, bob.owner), STATION, MODULE, uuid4())
    assert store.recorder.max_notification_id() == before


def test_a_resting_buyer_filled_by_a_seller_gets_a_hangar_at_the_station():
    store, echoes, ada, bob = market()
    echoes.place_order(ada, STATION, MODULE, BUY, 100, 2, DAY, NOW)
    echoes.place_order(bob, STATION, MODULE, SELL, 100, 2, DAY, NOW)  # ada is the counterparty
    hangar = store.load(Hangar, hangar_id(ada.character_id, STATION))
    assert (hangar.owner, hangar.character_id, hangar.station_id, hangar.system_id, hangar.held(MODULE)) == (
        ada.owner,
        ada.character_id,
        STATION,
        30000140,
        2,
    )


def test_a_new_universe_version_is_read_at_once():
    _, echoes, ada, _ = market()
    data = echoes.universe()
    station = data.stations[0].model_copy(update={"id": 60009999, "name": "New Dock"})
    echoes.load_universe(data.model_copy(update={"stations": [*data.stations, station]}))
    assert echoes.universe().stations[-1].id == 60009999
    echoes.stock(ada, 60009999, MODULE, 1, "loot")  # its station exists now
    assert echoes.book(60009999, MODULE).depth(BUY) == []


def test_fees_come_from_the_settings_and_orders_last_at_most_ninety_days():
    store, _, ada, _ = market()
    settings = SimpleNamespace(
        echoes_starting_grant=7, echoes_broker_fee_bps=11, echoes_sales_tax_bps=22, echoes_reprice_fee_bps=33
    )
    echoes = EchoesUseCases(store, settings)
    assert echoes.fees == Fees(broker_bps=11, sales_tax_bps=22, reprice_bps=33) and echoes.starting_grant == 7
    assert EchoesUseCases(store).fees == Fees() and EchoesUseCases(store).starting_grant == 500_000_000
    for duration in (timedelta(0), DURATION_MAX + timedelta(seconds=1), -DAY):
        with pytest.raises(InvalidCommand, match="an order lasts more than nothing and at most 90 days"):
            echoes.place_order(ada, STATION, MODULE, BUY, 1, 1, duration, NOW)
    placed = echoes.place_order(ada, STATION, MODULE, BUY, 100, 1, DURATION_MAX, NOW)
    (order,) = placed.aggregate.orders.values()
    assert order["expires_at"] == expiry_key(NOW + DURATION_MAX)
    assert balance(store, ada) == 100_000 - 100 - 1  # 11 bps of 100, rounded up to 1


def test_a_reprice_through_the_use_cases_charges_its_fee_and_may_trade_at_once():
    store, echoes, ada, bob = market()
    echoes.place_order(bob, STATION, MODULE, SELL, 120, 2, DAY, NOW)
    placed = echoes.place_order(ada, STATION, MODULE, BUY, 100, 2, DAY, NOW)
    (order_id,) = (UUID(k) for k, o in placed.aggregate.orders.items() if o["character_id"] == str(ada.character_id))
    before = balance(store, ada)
    with pytest.raises(PermissionDenied):
        echoes.reprice_order(Actor(ada.character_id, bob.owner), STATION, MODULE, order_id, 120)
    repriced = echoes.reprice_order(ada, STATION, MODULE, order_id, 120)
    assert not repriced.aggregate.orders.get(order_id) and not repriced.aggregate.depth(BUY)  # filled at once
    # escrow topped up to 120 each (40), the reprice fee (3% of 240 = 8), nothing back: it traded at 120
    assert balance(store, ada) == before - 40 - 8


def test_the_loaded_universe_is_read_once_per_version_and_new_wallets_are_the_pilots():
    from domain.echoes.universe import UNIVERSE_ID, Universe

    store, echoes, _ada, bob = market()
    loaded = echoes._loaded()
    assert echoes._loaded() is loaded and loaded.version == store.load(Universe, UNIVERSE_ID).version
    owner = uuid4()
    newcomer = Actor(echoes.create_pilot(owner, "Cid", "Caldari", "Deteis", 30000140).aggregate.id, owner)
    stranger = Actor(uuid4(), owner)
    wallet = echoes._wallet(stranger)  # none stored yet: a new, empty one
    assert (wallet.character_id, wallet.owner, wallet.balance) == (stranger.character_id, owner, 0)
    with pytest.raises(PermissionDenied):
        echoes.jump(Actor(newcomer.character_id, bob.owner), 30000141)


def test_only_an_orders_pilot_cancels_or_reprices_it_and_an_order_keeps_the_id_it_was_given():
    from domain.echoes.market import OrderNotOpen

    _, echoes, ada, bob = market()
    order_id = new_order_id(STATION, MODULE)
    placed = echoes.place_order(ada, STATION, MODULE, BUY, 50, 1, DAY, NOW, order_id)
    assert str(order_id) in placed.aggregate.orders
    for refused in (
        lambda: echoes.cancel_order(bob, STATION, MODULE, order_id),
        lambda: echoes.reprice_order(bob, STATION, MODULE, order_id, 60),
    ):
        with pytest.raises((PermissionDenied, OrderNotOpen)):
            refused()
    assert str(order_id) in echoes.book(STATION, MODULE).orders
