"""The market's use cases on the in-memory store: each command is one atomic
write of the book and every wallet and hangar its settlement touches."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from uuid import UUID, uuid4

import pytest

from domain.echoes.access import Actor
from domain.echoes.hangars import Hangar, hangar_id
from domain.echoes.market import OrderBook
from domain.echoes.orders import BUY, SELL, book_id
from domain.echoes.pilots import Pilot, PilotName
from domain.echoes.universe import Universe, UniverseData
from domain.echoes.use_cases import EchoesUseCases
from domain.echoes.wallets import SINKS, InsufficientFunds, Wallet, wallet_id
from domain.kernel.errors import InvalidCommand
from domain.kernel.store import Lorekeeper
from infra.persistence import PERSISTENCE_ENV

STATION, MODULE = 60003760, 2000
SHIPPED = Path(__file__).resolve().parents[3] / "infra" / "data" / "echoes-universe-v1.json"
NOW = datetime.now(UTC)  # the use cases expire what is due by the wall clock: orders must be current
DAY = timedelta(days=1)


def market():
    store = Lorekeeper(
        {**PERSISTENCE_ENV, "PERSISTENCE_MODULE": "eventsourcing.popo", "APPLICATION_RECORDER_TOPIC": ""},
        aggregates=[OrderBook, Wallet, Hangar, Universe, Pilot, PilotName],
    )
    echoes = EchoesUseCases(store, SimpleNamespace(echoes_starting_grant=100_000))
    echoes.load_universe(UniverseData.model_validate(json.loads(SHIPPED.read_text())))
    ada, bob = (
        Actor(echoes.create_pilot(owner, name, "Caldari", "Deteis", 30000140).aggregate.id, owner)
        for owner, name in ((uuid4(), "Ada"), (uuid4(), "Bob"))
    )
    echoes.stock(bob, STATION, MODULE, 50, "starter_kit")
    return store, echoes, ada, bob


def balance(store, pilot) -> int:
    return store.load(Wallet, wallet_id(pilot.character_id)).balance


def held(store, pilot) -> int:
    return store.load(Hangar, hangar_id(pilot.character_id, STATION)).held(MODULE)


def test_a_trade_moves_money_and_items_in_one_write():
    store, echoes, ada, bob = market()
    before = echoes.place_order(bob, STATION, MODULE, SELL, 100, 10, DAY, NOW).position
    assert held(store, bob) == 40 and balance(store, bob) == 100_000 - 30
    written = echoes.place_order(ada, STATION, MODULE, BUY, 110, 4, DAY, NOW)
    the_write = store.recorder.select_notifications(before + 1, 100)
    assert the_write[-1].id == written.position  # one save: the book, both wallets, a hangar
    assert {n.topic for n in the_write} >= {
        "lorekeeper.order_book.TradeExecuted",
        "lorekeeper.wallet.Entered",
        "lorekeeper.hangar.Moved",
    }
    assert balance(store, ada) == 100_000 - 440 - 14 + 40  # escrow at 110, fee, back the difference to 100
    assert held(store, ada) == 4  # a first purchase opens a hangar at the station
    assert balance(store, bob) == 100_000 - 30 + 400 - 32  # the sale, less its tax
    book = store.load(OrderBook, book_id(STATION, MODULE))
    assert book.depth(SELL) == [(100, 6, 1)] and book.depth(BUY) == []


def test_an_order_the_pilot_cannot_pay_for_writes_nothing():
    store, echoes, ada, bob = market()
    echoes.place_order(bob, STATION, MODULE, SELL, 100, 10, DAY, NOW)
    before = store.load(OrderBook, book_id(STATION, MODULE)).version
    with pytest.raises(InsufficientFunds):
        echoes.place_order(ada, STATION, MODULE, BUY, 100_000, 1, DAY, NOW)
    assert store.load(OrderBook, book_id(STATION, MODULE)).version == before
    assert balance(store, ada) == 100_000 and held(store, bob) == 40


def test_cancel_and_expiry_give_back_the_escrow_but_not_the_fee():
    store, echoes, ada, bob = market()
    buy = echoes.place_order(ada, STATION, MODULE, BUY, 90, 10, DAY, NOW)
    order_id = next(iter(buy.aggregate.orders))
    echoes.cancel_order(ada, STATION, MODULE, UUID(order_id))
    assert balance(store, ada) == 100_000 - 27
    echoes.place_order(bob, STATION, MODULE, SELL, 120, 5, timedelta(hours=1), NOW)
    echoes.expire_orders(STATION, MODULE, NOW + timedelta(hours=1))
    assert held(store, bob) == 50 and balance(store, bob) == 100_000 - 18


def test_money_enters_only_through_faucets_and_orders_have_a_duration():
    _, echoes, ada, _ = market()
    with pytest.raises(InvalidCommand, match="not a faucet"):
        echoes.grant(ada, 10, "market_sale")
    for duration in (timedelta(0), timedelta(days=91)):
        with pytest.raises(InvalidCommand):
            echoes.place_order(ada, STATION, MODULE, BUY, 1, 1, duration, NOW)


def test_after_any_trading_money_is_conserved():
    store, echoes, ada, bob = market()
    for who, side, price, quantity in (
        (bob, SELL, 100, 10),
        (bob, SELL, 105, 10),
        (ada, BUY, 104, 15),
        (ada, BUY, 99, 5),
        (bob, SELL, 98, 3),
    ):
        echoes.place_order(who, STATION, MODULE, side, price, quantity, DAY, NOW)
    wallets = [store.load(Wallet, wallet_id(p.character_id)) for p in (ada, bob)]
    sunk = sum(
        -e.amount
        for w in wallets
        for e in store.events.get(w.id)
        if isinstance(e, Wallet.Entered) and e.reason in SINKS
    )
    book = store.load(OrderBook, book_id(STATION, MODULE))
    assert sum(w.balance for w in wallets) + book.escrowed_money() + sunk == 200_000
    assert held(store, ada) + held(store, bob) + book.escrowed_items() == 50


def test_a_pilot_is_created_with_its_name_claimed_and_its_starting_grant():
    store, echoes, _, _ = market()
    owner = uuid4()
    created = echoes.create_pilot(owner, "Ada Lovelace", "Caldari", "Deteis", 30000140)
    pilot = created.aggregate
    assert store.load(Wallet, wallet_id(pilot.id)).balance == echoes.starting_grant
    assert store.holdings(owner).ids() == [pilot.id, wallet_id(pilot.id)]
    with pytest.raises(Exception, match="taken"):
        echoes.create_pilot(uuid4(), "ada lovelace", "Amarr", "Khanid", 30000140)
    jumped = echoes.jump(Actor(pilot.id, owner), 30000141).aggregate
    assert jumped.current_system_id == 30000141
