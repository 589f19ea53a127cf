"""Echoes over HTTP beyond the first trades: ships fitted, loaded, undocked
and destroyed (items accounted for at every step), an order closed by its
durable timer with nobody touching its book, pages of a pilot's journal,
orders and trades, repricing, and the ``users`` view."""

from __future__ import annotations

import json
import time

import pytest

from domain.echoes import EchoesUseCases
from domain.echoes.universe import UniverseData
from infra.echoes_universe import shipped_path
from tests.e2e.helpers import assert_problem, read, rows, sign_up
from tests.e2e.test_echoes import MODULE, STATION, order, pilot
from tests.integration.kafka_helpers import wait_until

SHIELD, PLATES, RIFTER = 2009, 2018, 587


@pytest.fixture
def echoes(live_server):
    echoes = live_server.container.use(EchoesUseCases)
    echoes.load_universe(UniverseData.model_validate(json.loads(shipped_path(1).read_text())))
    return echoes


@pytest.fixture
def server(live_server):
    from uuid import uuid4

    from api.auth import TokenService

    tokens = live_server.app.state.services.get(TokenService)
    return {"Authorization": f"Bearer {tokens.issue(uuid4(), frozenset({'server'}))}"}


def reward(http, server, pilot_id, quantity):
    items = [{"station_id": STATION, "module_type_id": m, "quantity": quantity} for m in (MODULE, SHIELD, PLATES)]
    r = http.post(f"/v1/echoes/pilots/{pilot_id}/rewards", headers=server, json={"reason": "loot", "items": items})
    assert r.status_code == 200, r.text
    return r.json()["position"]


def test_a_ship_is_fitted_loaded_undocked_and_destroyed_with_every_item_accounted_for(
    http, live_server, echoes, server
):
    ada, bob = sign_up(http, "Ada"), sign_up(http, "Bob")
    me = pilot(http, ada, "Ada Fitter")
    reward(http, server, me["id"], 40)
    body = {"ship_type_id": RIFTER, "station_id": STATION, "name": "Ada's Rifter"}
    assert_problem(http.post(f"/v1/echoes/pilots/{me['id']}/ships", headers=ada.auth, json=body), 403, "forbidden")
    created = http.post(f"/v1/echoes/pilots/{me['id']}/ships", headers=server, json=body)
    assert created.status_code == 201, created.text
    ship = created.json()
    assert created.headers["location"] == f"/v1/echoes/ships/{ship['id']}"
    path = f"/v1/echoes/ships/{ship['id']}"

    fitted = http.post(f"{path}/fit", headers=ada.auth, json={"module_type_id": MODULE, "slot_number": 0})
    assert fitted.status_code == 200, fitted.text
    for module in (SHIELD, PLATES):
        r = http.post(f"{path}/fit", headers=ada.auth, json={"module_type_id": module, "slot_number": 0})
        assert r.status_code == 200, r.text
    ship = r.json()
    assert (ship["power_grid_used"], ship["cpu_used"]) == (3 + 13 + 10, 3 + 20 + 0)
    assert ship["total_mass"] == 1_067_000 + 1000 + 1100 + 1200  # a Rifter's base mass and the three modules
    assert_problem(
        http.post(f"{path}/fit", headers=ada.auth, json={"module_type_id": MODULE, "slot_number": 0}),
        409,
        "slot_taken",
    )
    assert_problem(
        http.post(f"{path}/fit", headers=ada.auth, json={"module_type_id": MODULE, "slot_number": 4}),
        422,
        "fitting_refused",
    )
    assert_problem(
        http.post(f"{path}/fit", headers=bob.auth, json={"module_type_id": MODULE, "slot_number": 1}),
        403,
        "forbidden",
    )
    assert_problem(
        http.post(f"{path}/cargo", headers=ada.auth, json={"module_type_id": MODULE, "quantity": 29}),
        409,
        "cargo_full",  # 29 x 5 m3 in a 140 m3 hold
    )
    loaded = http.post(f"{path}/cargo", headers=ada.auth, json={"module_type_id": MODULE, "quantity": 6})
    assert loaded.status_code == 200 and loaded.json()["cargo"] == [{"module_type_id": MODULE, "quantity": 6}]
    unloaded = http.post(f"{path}/cargo", headers=ada.auth, json={"module_type_id": MODULE, "quantity": -2})
    assert unloaded.json()["cargo"] == [{"module_type_id": MODULE, "quantity": 4}]

    # Docked, the ship takes no damage; in space it cannot be fitted.
    hit = {"damage": 150, "attacker_id": None}
    assert_problem(http.post(f"{path}/damage", headers=server, json=hit), 422, "combat_refused")
    assert http.post(f"{path}/undock", headers=ada.auth).json()["location_station_id"] is None
    assert_problem(
        http.post(f"{path}/fit", headers=ada.auth, json={"module_type_id": MODULE, "slot_number": 1}),
        422,
        "fitting_refused",
    )
    assert_problem(http.post(f"{path}/damage", headers=ada.auth, json=hit), 403, "forbidden")
    damaged = http.post(f"{path}/damage", headers=server, json=hit).json()
    assert (damaged["shield_health"], damaged["armor_health"], damaged["hull_health"]) == (0, 50, 100)
    position = read(http, f"/v1/echoes/pilots/{me['id']}/ships", ada, damaged["position"]).json()
    assert [s["armor_health"] for s in position["items"]] == [50]

    # Before the kill: hangar + fitted + hold = what the server gave.
    def held(module):
        hangar = rows(
            live_server,
            "SELECT coalesce(sum(quantity), 0) AS n FROM echoes.inventory_items "
            "WHERE character_id = %s AND module_type_id = %s AND location_station_id IS NOT NULL",
            me["id"],
            module,
        )[0]["n"]
        return hangar

    assert held(MODULE) + 1 + 4 == 40 and held(SHIELD) + 1 == 40 and held(PLATES) + 1 == 40

    attacker = pilot(http, bob, "Bob Gunner")
    killed = http.post(f"{path}/damage", headers=server, json={"damage": 200, "attacker_id": attacker["id"]})
    assert killed.status_code == 200 and killed.json()["destroyed"], killed.text
    assert_problem(http.post(f"{path}/undock", headers=ada.auth), 410, "gone")
    wait_until(
        lambda: rows(live_server, "SELECT 1 FROM echoes.combat_logs WHERE ship_instance_id = %s", ship["id"]),
        20,
        message="the combat log",
    )
    (log,) = rows(live_server, "SELECT * FROM echoes.combat_logs WHERE ship_instance_id = %s", ship["id"])
    assert str(log["attacker_id"]) == attacker["id"] and str(log["victim_id"]) == me["id"]
    assert sorted(f["module_type_id"] for f in log["fitted_modules"]) == [MODULE, SHIELD, PLATES]
    assert log["cargo"] == [{"module_type_id": MODULE, "quantity": 4}]
    assert not rows(live_server, "SELECT 1 FROM echoes.ship_instances WHERE id = %s", ship["id"])
    assert not rows(live_server, "SELECT 1 FROM echoes.ship_instance_modules WHERE ship_instance_id = %s", ship["id"])
    assert not rows(live_server, "SELECT 1 FROM echoes.ship_cargo WHERE ship_instance_id = %s", ship["id"])
    wreck = {
        r["module_type_id"]: r["quantity"]
        for r in rows(
            live_server,
            "SELECT module_type_id, quantity FROM echoes.inventory_items "
            "WHERE character_id = %s AND location_station_id IS NULL",
            me["id"],
        )
    }
    assert wreck == {d["module_type_id"]: d["quantity"] for d in log["dropped"]}


def test_an_order_nobody_touches_expires_on_its_timer_and_its_escrow_comes_back(http, live_server, echoes):
    ada = sign_up(http, "Ada")
    buyer = pilot(http, ada, "Ada Patient")
    body = {
        "pilot_id": buyer["id"],
        "station_id": STATION,
        "module_type_id": MODULE,
        "side": "buy",
        "price": 1000,
        "quantity": 5,
        "duration_seconds": 1,
    }
    bad = http.post("/v1/echoes/orders", headers=ada.auth, json={**body, "duration_days": 1})
    assert_problem(bad, 422, "validation_failed")
    placed = http.post("/v1/echoes/orders", headers=ada.auth, json=body)
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["order_id"]
    time.sleep(1.5)
    wait_until(
        lambda: rows(
            live_server,
            "SELECT 1 FROM echoes.wallet_journal WHERE reference = %s AND reason = 'escrow_refund'",
            order_id,
        ),
        30,
        message="the timer closed the order",
    )
    assert not rows(live_server, "SELECT 1 FROM echoes.market_orders WHERE id = %s", order_id)
    (refund,) = rows(
        live_server, "SELECT amount FROM echoes.wallet_journal WHERE reference = %s AND amount > 0", order_id
    )
    assert refund["amount"] == 5000  # the escrow; the broker fee stays spent


def test_a_pilots_journal_orders_and_trades_come_in_pages_and_a_reprice_costs_its_fee(
    http, live_server, echoes, server
):
    ada, bob = sign_up(http, "Ada"), sign_up(http, "Bob")
    seller, buyer = pilot(http, bob, "Bob Pages"), pilot(http, ada, "Ada Pages")
    reward(http, server, seller["id"], 50)
    for price in range(100, 107):
        assert order(http, bob, seller["id"], "sell", price, 2).status_code == 201
    last = order(http, ada, buyer["id"], "buy", 103, 7)  # fills 2 + 2 + 2 + 1 at 100..103
    placed = order(http, bob, seller["id"], "sell", 500, 1).json()
    reprice = {"pilot_id": seller["id"], "station_id": STATION, "module_type_id": MODULE, "price": 450}
    repriced = http.post(f"/v1/echoes/orders/{placed['order_id']}/reprice", headers=bob.auth, json=reprice)
    assert repriced.status_code == 200, repriced.text
    assert {"price": 450, "quantity": 1, "orders": 1} in repriced.json()["sell"]
    assert_problem(
        http.post(f"/v1/echoes/orders/{placed['order_id']}/reprice", headers=ada.auth, json=reprice), 403, "forbidden"
    )

    def walk(path, player, position):
        seen, cursor = [], None
        while True:
            params = {"limit": 2, "min_position": position, **({"cursor": cursor} if cursor else {})}
            r = http.get(path, headers=player.auth, params=params)
            assert r.status_code == 200, r.text
            seen += r.json()["items"]
            cursor = r.json()["next_cursor"]
            if cursor is None:
                return seen

    position = repriced.json()["position"]
    trades = walk(f"/v1/echoes/pilots/{buyer['id']}/transactions", ada, last.json()["position"])
    assert sorted((t["price"], t["quantity"]) for t in trades) == [(100, 2), (101, 2), (102, 2), (103, 1)]
    orders = walk(f"/v1/echoes/pilots/{seller['id']}/orders", bob, position)
    assert sorted(o["price"] for o in orders) == [103, 104, 105, 106, 450]
    journal = walk(f"/v1/echoes/pilots/{seller['id']}/journal", bob, position)
    everything = rows(
        live_server, "SELECT count(*) AS n FROM echoes.wallet_journal WHERE character_id = %s", seller["id"]
    )
    assert len(journal) == everything[0]["n"] and len({(e["entry"]) for e in journal}) == len(journal)
    (fee,) = [e for e in journal if e["reason"] == "reprice_fee"]
    assert fee["amount"] == -5  # 1% of 450 x 1, rounded up
    assert_problem(
        http.get(f"/v1/echoes/pilots/{seller['id']}/journal", headers=bob.auth, params={"cursor": "nope"}),
        422,
        "invalid_cursor",
    )


def test_the_users_view_shows_accounts_without_a_password_hash(http, live_server, echoes):
    ada = sign_up(http, "Ada")
    r = http.post(
        f"/v1/players/{ada.id}/credentials",
        headers=ada.auth,
        json={"username": "ada_lovelace", "email": "ada@example.com", "password": "correct horse battery"},
    )
    assert r.status_code == 201, r.text
    wait_until(
        lambda: rows(live_server, "SELECT 1 FROM echoes.users WHERE id = %s", ada.id), 20, message="the users view"
    )
    (user,) = rows(live_server, "SELECT * FROM echoes.users WHERE id = %s", ada.id)
    assert set(user) == {"id", "username", "email", "created_at", "last_login"}
    assert (user["username"], user["email"]) == ("ada_lovelace", "ada@example.com")
