"""The Echoes market over HTTP (in progress): pilots, orders that match, the
book's depth, the wallet journal; the universe loaded by the admin command's
use case, items stocked as a game server would."""

from __future__ import annotations

import json

from domain.echoes import EchoesUseCases
from domain.echoes.access import Actor
from domain.echoes.universe import UniverseData
from infra.echoes_universe import shipped_path
from tests.e2e.helpers import assert_problem, read, sign_up

STATION, SYSTEM, MODULE = 60003760, 30000140, 2000


def pilot(http, player, name):
    r = http.post(
        "/v1/echoes/pilots",
        headers=player.auth,
        json={"name": name, "race": "Caldari", "bloodline": "Deteis", "system_id": SYSTEM},
    )
    assert r.status_code == 201, r.text
    return r.json()


def order(http, player, pilot_id, side, price, quantity):
    body = {
        "pilot_id": pilot_id,
        "station_id": STATION,
        "module_type_id": MODULE,
        "side": side,
        "price": price,
        "quantity": quantity,
        "duration_days": 1,
    }
    return http.post("/v1/echoes/orders", headers=player.auth, json=body)


def test_pilots_trade_on_a_book_and_read_their_journal(http, live_server):
    echoes = live_server.container.use(EchoesUseCases)
    echoes.load_universe(UniverseData.model_validate(json.loads(shipped_path(1).read_text())))
    ada, bob = sign_up(http, "Ada"), sign_up(http, "Bob")
    seller = pilot(http, bob, "Bob Seller")
    buyer = pilot(http, ada, "Ada Buyer")
    assert_problem(
        http.post(
            "/v1/echoes/pilots",
            headers=ada.auth,
            json={"name": "BOB SELLER", "race": "Caldari", "bloodline": "Deteis", "system_id": SYSTEM},
        ),
        409,
        "pilot_name_taken",
    )
    from uuid import UUID

    echoes.stock(Actor(UUID(seller["id"]), UUID(bob.id)), STATION, MODULE, 20, "loot")

    placed = order(http, bob, seller["id"], "sell", 100, 10)
    assert placed.status_code == 201, placed.text
    assert placed.json()["sell"] == [{"price": 100, "quantity": 10, "orders": 1}]
    bought = order(http, ada, buyer["id"], "buy", 110, 4)
    assert bought.status_code == 201, bought.text
    assert bought.json()["sell"] == [{"price": 100, "quantity": 6, "orders": 1}] and bought.json()["buy"] == []
    book = http.get(f"/v1/echoes/books/{STATION}/{MODULE}", headers=ada.auth).json()
    assert book["sell"] == [{"price": 100, "quantity": 6, "orders": 1}]

    journal = read(http, f"/v1/echoes/pilots/{buyer['id']}/journal", ada, bought.json()["position"])
    assert journal.status_code == 200, journal.text
    reasons = [e["reason"] for e in journal.json()["items"]]
    assert reasons[:4] == ["escrow_refund", "broker_fee", "market_escrow", "starting_grant"]
    assert_problem(http.get(f"/v1/echoes/pilots/{buyer['id']}/journal", headers=bob.auth), 403, "forbidden")
    assert_problem(order(http, ada, seller["id"], "buy", 1, 1), 403, "forbidden")
    assert_problem(order(http, ada, buyer["id"], "buy", 10**12, 10**6), 409, "insufficient_funds")
