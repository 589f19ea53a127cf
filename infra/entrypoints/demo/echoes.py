"""``lorekeeper demo echoes``: seed data for seed 004, played through the API.

As an admin, loads the shipped universe; players sign up, register
credentials (the ``users`` view) and create pilots (each with its wallet and
starting grant); a game server (role ``server``) reports loot into the
sellers' hangars and commissions their ships; the sellers fit modules and
load cargo, list modules on a few books at two stations, and buyers take
part of them (partial fills at the resting price, refunds of escrow above
it); one order is cancelled, one repriced, one expires on its timer; one
ship undocks and is destroyed (a combat log, drops in a wreck). Every table
of the ``echoes`` schema ends up with rows. Run twice, it plays again with
new pilots.
"""

from __future__ import annotations

import random
import secrets
import time
from typing import Any
from uuid import uuid4

import httpx
from rich.console import Console

from api.auth import TokenService
from infra.entrypoints.demo import check as _check

STATIONS = (60003760, 60003761)
MODULES = (2000, 2009, 2018)  # an autocannon, a shield extender, armor plates
RACES = (("Caldari", "Deteis"), ("Minmatar", "Brutor"), ("Gallente", "Intaki"), ("Amarr", "Khanid"))


def run(url: str, tokens: TokenService, *, players: int = 4, seed: int = 7, console: Console) -> None:
    rng = random.Random(seed)
    run_tag = secrets.token_hex(2)
    admin = {"Authorization": f"Bearer {tokens.issue(uuid4(), frozenset({'admin'}))}"}
    server = {"Authorization": f"Bearer {tokens.issue(uuid4(), frozenset({'server'}))}"}
    with httpx.Client(base_url=url, timeout=30) as http:
        loaded = _check(http.post("/v1/echoes/universe", json={"version": 1}, headers=admin), 200)
        console.print(f"universe [bold]{loaded['name']}[/] version {loaded['version']} loaded")
        pilots = []
        for i in range(players):
            signup = _check(http.post("/v1/auth/anonymous", json={"display_name": f"Captain {i}"}), 201)
            auth = {"Authorization": f"Bearer {signup['access_token']}"}
            account = {"username": f"captain{run_tag}{i}", "email": f"captain{run_tag}{i}@example.com"}
            credentials = {**account, "password": secrets.token_urlsafe(16)}
            _check(http.post(f"/v1/players/{signup['player_id']}/credentials", json=credentials, headers=auth), 201)
            race, bloodline = RACES[i % len(RACES)]
            body = {"name": f"Pilot {run_tag}-{i}", "race": race, "bloodline": bloodline, "system_id": 30000140}
            pilot = _check(http.post("/v1/echoes/pilots", json=body, headers=auth), 201)
            pilots.append((pilot, auth))
        sellers, buyers = pilots[: players // 2], pilots[players // 2 :]
        for pilot, _ in sellers:
            items = [{"station_id": s, "module_type_id": m, "quantity": 30} for s in STATIONS for m in MODULES]
            reward = {"amount": 250_000, "reason": "bounty", "items": items}
            _check(http.post(f"/v1/echoes/pilots/{pilot['id']}/rewards", json=reward, headers=server), 200)
        ships = [_fitted_ship(http, server, pilot, auth) for pilot, auth in sellers]
        trades = 0
        for station in STATIONS:
            for module in MODULES:
                for pilot, auth in sellers:
                    for price in (rng.randint(95, 100), rng.randint(101, 110)):
                        order = _order(pilot, station, module, "sell", price, rng.randint(3, 8))
                        _check(http.post("/v1/echoes/orders", json=order, headers=auth), 201)
                for pilot, auth in buyers:
                    order = _order(pilot, station, module, "buy", rng.randint(99, 106), rng.randint(4, 12))
                    _check(http.post("/v1/echoes/orders", json=order, headers=auth), 201)
                    trades += 1
        # One buyer bids low and then cancels; one seller reprices.
        pilot, auth = buyers[0]
        low = _check(
            http.post("/v1/echoes/orders", json=_order(pilot, STATIONS[0], MODULES[0], "buy", 50, 5), headers=auth),
            201,
        )
        cancel = {"pilot_id": pilot["id"], "station_id": STATIONS[0], "module_type_id": MODULES[0]}
        _check(http.post(f"/v1/echoes/orders/{low['order_id']}/cancel", json=cancel, headers=auth), 200)
        seller, seller_auth = sellers[0]
        high = _order(seller, STATIONS[0], MODULES[1], "sell", 250, 2)
        placed = _check(http.post("/v1/echoes/orders", json=high, headers=seller_auth), 201)
        reprice = {**cancel, "pilot_id": seller["id"], "module_type_id": MODULES[1], "price": 180}
        _check(http.post(f"/v1/echoes/orders/{placed['order_id']}/reprice", json=reprice, headers=seller_auth), 200)
        _expiring_order(http, pilot, auth)
        # The first seller's ship undocks and is shot down: a combat log, part of its modules in a wreck.
        ship = ships[0]
        _check(http.post(f"/v1/echoes/ships/{ship['id']}/undock", headers=seller_auth), 200)
        hit = {"damage": 300, "attacker_id": buyers[0][0]["id"]}
        destroyed = _check(http.post(f"/v1/echoes/ships/{ship['id']}/damage", json=hit, headers=server), 200)
        assert destroyed["destroyed"], destroyed
        console.print(f"[green]{len(pilots)} pilots traded on {len(STATIONS) * len(MODULES)} books[/] ({trades} buys)")
        console.print(f"{len(ships)} ships fitted; [bold]{ship['name']}[/] was destroyed; one order expired")


def _fitted_ship(http: httpx.Client, server: dict[str, str], pilot: dict[str, Any], auth: dict[str, str]) -> dict:
    """A Rifter for the pilot at the first station, a module in each rack, ammunition in the hold."""
    body = {"ship_type_id": 587, "station_id": STATIONS[0], "name": f"{pilot['name']}'s Rifter"}
    ship = _check(http.post(f"/v1/echoes/pilots/{pilot['id']}/ships", json=body, headers=server), 201)
    for module in MODULES:
        fit = {"module_type_id": module, "slot_number": 0}
        ship = _check(http.post(f"/v1/echoes/ships/{ship['id']}/fit", json=fit, headers=auth), 200)
    cargo = {"module_type_id": MODULES[0], "quantity": 4}
    return _check(http.post(f"/v1/echoes/ships/{ship['id']}/cargo", json=cargo, headers=auth), 200)


def _expiring_order(http: httpx.Client, pilot: dict[str, Any], auth: dict[str, str]) -> None:
    """A bid that lasts two seconds; its durable timer closes it and returns its escrow."""
    order = {**_order(pilot, STATIONS[1], MODULES[2], "buy", 20, 3), "duration_days": None, "duration_seconds": 2}
    placed = _check(http.post("/v1/echoes/orders", json=order, headers=auth), 201)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        time.sleep(1)
        book = _check(http.get(f"/v1/echoes/books/{STATIONS[1]}/{MODULES[2]}", headers=auth), 200)
        if not any(level["price"] == 20 for level in book["buy"]):
            return
    raise RuntimeError(f"order {placed['order_id']} did not expire within 30 s")


def _order(pilot: dict[str, Any], station: int, module: int, side: str, price: int, quantity: int) -> dict[str, Any]:
    return {
        "pilot_id": pilot["id"],
        "station_id": station,
        "module_type_id": module,
        "side": side,
        "price": price,
        "quantity": quantity,
        "duration_days": 7,
    }
