"""64 traders at once on one hot book over HTTP, placing, cancelling and
repricing; then a full audit, of the aggregates replayed from their events
and of the read tables: money conserved (wallets + buy escrow + fees and
taxes = what the faucets paid), items conserved (hangars + sell escrow =
what was stocked), nothing negative, a book that does not cross, no fill
beyond either order's quantity, and read tables that agree with the replay."""

from __future__ import annotations

import json
import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from uuid import UUID

import httpx

from domain.echoes import EchoesUseCases, Hangar, OrderBook, Wallet
from domain.echoes.hangars import hangar_id
from domain.echoes.orders import book_id
from domain.echoes.universe import UniverseData
from domain.echoes.wallets import FAUCETS, SINKS, wallet_id
from infra.echoes_universe import shipped_path
from tests.e2e.helpers import sign_up
from tests.e2e.test_echoes import MODULE, STATION, pilot
from tests.e2e.test_echoes_fleet import reward, server  # noqa: F401 (a fixture)

TRADERS, ORDERS_EACH, STOCKED = 64, 6, 40


def replayed(store, aggregate_id):
    """The aggregate rebuilt from every one of its events (no cache, no snapshot)."""
    aggregate = None
    for event in store.repository.event_store.get(aggregate_id):
        aggregate = event.mutate(aggregate)
    return aggregate


def trade(url, trader, seed):
    """One trader's session: orders at prices around 100, a cancel, a reprice."""
    rng = random.Random(seed)
    player, me = trader
    mine, answers = [], Counter()
    with httpx.Client(base_url=url, timeout=60) as http:
        for _ in range(ORDERS_EACH):
            side = rng.choice(["buy", "sell"])
            body = {
                "pilot_id": me["id"],
                "station_id": STATION,
                "module_type_id": MODULE,
                "side": side,
                "price": rng.randint(95, 105),
                "quantity": rng.randint(1, 6),
                "duration_days": 1,
            }
            r = http.post("/v1/echoes/orders", headers=player.auth, json=body)
            answers[r.status_code] += 1
            assert r.status_code in (201, 409), r.text
            if r.status_code == 201:
                mine.append(r.json()["order_id"])
        where = {"pilot_id": me["id"], "station_id": STATION, "module_type_id": MODULE}
        if mine:
            r = http.post(f"/v1/echoes/orders/{mine[0]}/cancel", headers=player.auth, json=where)
            assert r.status_code in (200, 404), r.text  # 404: filled already
            r = http.post(
                f"/v1/echoes/orders/{mine[-1]}/reprice",
                headers=player.auth,
                json={**where, "price": rng.randint(96, 104)},
            )
            assert r.status_code in (200, 404, 409), r.text
    return answers


def test_64_traders_on_one_book_leave_every_invariant_intact(http, live_server, server):  # noqa: F811
    container = live_server.container
    echoes = container.use(EchoesUseCases)
    echoes.load_universe(UniverseData.model_validate(json.loads(shipped_path(1).read_text())))
    traders = []
    for i in range(TRADERS):
        player = sign_up(http, f"Trader {i}")
        me = pilot(http, player, f"Hot Trader {i}")
        reward(http, server, me["id"], STOCKED)
        traders.append((player, me))
    with ThreadPoolExecutor(TRADERS) as pool:
        answers = sum(pool.map(trade, [live_server.url] * TRADERS, traders, range(TRADERS)), Counter())
    assert answers[201] >= TRADERS * ORDERS_EACH // 2, answers

    store = container.store
    book = replayed(store, book_id(STATION, MODULE))
    assert book == store.load(OrderBook, book_id(STATION, MODULE))
    wallets = {UUID(me["id"]): replayed(store, wallet_id(UUID(me["id"]))) for _, me in traders}
    hangars = {UUID(me["id"]): replayed(store, hangar_id(UUID(me["id"]), STATION)) for _, me in traders}
    assert all(isinstance(w, Wallet) and w.balance >= 0 for w in wallets.values())
    assert all(isinstance(h, Hangar) and all(q > 0 for q in h.items.values()) for h in hangars.values())

    # Money: every wallet's entries say where it came from and went.
    entries = [e for w in wallets.values() for e in store.repository.event_store.get(w.id) if type(e) is Wallet.Entered]
    paid_in = sum(e.amount for e in entries if e.reason in FAUCETS)
    sunk = -sum(e.amount for e in entries if e.reason in SINKS)
    assert sum(w.balance for w in wallets.values()) + book.escrowed_money() + sunk == paid_in
    # Items: what is not in a hangar rests on the book.
    assert sum(h.held(MODULE) for h in hangars.values()) + book.escrowed_items() == TRADERS * STOCKED
    assert all(q == STOCKED for h in hangars.values() for m, q in h.items.items() if m != str(MODULE))
    # The book: never crossed, and no order filled beyond what it was placed for.
    assert not book.crossed()
    placed, filled = {}, Counter()
    for event in store.repository.event_store.get(book.id):
        if type(event) is OrderBook.OrderPlaced:
            placed[event.order_id] = event.quantity
        elif type(event) is OrderBook.TradeExecuted:
            filled[event.buy_order_id] += event.quantity
            filled[event.sell_order_id] += event.quantity
    assert filled and all(filled[o] <= placed[o] for o in filled)

    # The read tables agree with the replay once they have caught up.
    assert container.read_side.wait(container.read_side.head(), timeout=60)
    with container.pool.connection() as conn:
        balances = {
            r["id"]: r["wallet_balance"]
            for r in conn.execute(
                "SELECT id, wallet_balance FROM echoes.characters WHERE id = ANY(%s)", (list(wallets),)
            ).fetchall()
        }
        open_orders = {
            r["id"]: (r["quantity"], r["price"])
            for r in conn.execute(
                "SELECT id, quantity, price FROM echoes.market_orders WHERE station_id = %s AND module_type_id = %s",
                (STATION, MODULE),
            ).fetchall()
        }
        items = {
            r["character_id"]: r["quantity"]
            for r in conn.execute(
                "SELECT character_id, quantity FROM echoes.inventory_items WHERE character_id = ANY(%s) "
                "AND location_station_id = %s AND module_type_id = %s",
                (list(hangars), STATION, MODULE),
            ).fetchall()
        }
        traded = conn.execute(
            "SELECT count(*) AS n, coalesce(sum(quantity), 0) AS q FROM echoes.market_transactions "
            "WHERE station_id = %s AND module_type_id = %s",
            (STATION, MODULE),
        ).fetchone()
    assert balances == {c: w.balance for c, w in wallets.items()}
    assert open_orders == {UUID(o): (v["remaining"], v["price"]) for o, v in book.orders.items()}
    assert items == {c: h.held(MODULE) for c, h in hangars.items() if h.held(MODULE)}
    assert traded["q"] * 2 == sum(filled.values())
