"""``lorekeeper demo echoes``: seed data for seed 004, played through the API.

As an admin, loads the shipped universe; players sign up and create pilots
(each with its wallet and starting grant); a game server (role ``server``)
reports loot into the sellers' hangars; the sellers list modules on a few
books at two stations, buyers take part of them (partial fills at the resting
price, refunds of escrow above it), one order is cancelled and one repriced.
Every Echoes table built so far ends up with rows (ships and combat logs are
still to come). Run twice, it trades again with new pilots.
"""

from __future__ import annotations

import random
import secrets
from typing import Any
from uuid import uuid4

import httpx
from rich.console import Console

from api.auth import TokenService

STATIONS = (60003760, 60003761)
MODULES = (2000, 2009, 2018)  # an autocannon, a shield extender, armor plates
RACES = (("Caldari", "Deteis"), ("Minmatar", "Brutor"), ("Gallente", "Intaki"), ("Amarr", "Khanid"))


def _check(r: httpx.Response, *ok: int) -> dict[str, Any]:
    if r.status_code not in ok:
        raise RuntimeError(f"{r.request.method} {r.request.url.path}: {r.status_code} {r.text}")
    return r.json() if r.content else {}


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
            race, bloodline = RACES[i % len(RACES)]
            body = {"name": f"Pilot {run_tag}-{i}", "race": race, "bloodline": bloodline, "system_id": 30000140}
            pilot = _check(http.post("/v1/echoes/pilots", json=body, headers=auth), 201)
            pilots.append((pilot, auth))
        sellers, buyers = pilots[: players // 2], pilots[players // 2 :]
        for pilot, _ in sellers:
            items = [{"station_id": s, "module_type_id": m, "quantity": 30} for s in STATIONS for m in MODULES]
            reward = {"amount": 250_000, "reason": "bounty", "items": items}
            _check(http.post(f"/v1/echoes/pilots/{pilot['id']}/rewards", json=reward, headers=server), 200)
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
        console.print(f"[green]{len(pilots)} pilots traded on {len(STATIONS) * len(MODULES)} books[/] ({trades} buys)")


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
