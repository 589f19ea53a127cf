"""``lorekeeper demo tycoon``: seed data for seed 003, played through the API.

Players sign up (with credentials: the ``users`` view; their login sessions
are ``user_sessions``), found fast worlds (a real second is a game hour),
recruit heroes (some with chosen traits, some rolled), praise, reprimand,
gift and give orders, post quests and assign parties, announce a festival,
then leave: the heroes go on deciding on their own (durable timers in the
server) while the demo waits and only watches the decision counts grow.
Then each player comes back to the offline report. Every table and view of
the ``tycoon`` schema ends up with rows. Run twice, it plays again with new
players and worlds.
"""

from __future__ import annotations

import random
import secrets
import time
from typing import Any

import httpx
from rich.console import Console

from infra.entrypoints.demo import check as _check

TRAITS = ("courage", "greed", "loyalty", "curiosity", "ambition", "patience", "empathy")
NAMES = ("Brienne", "Pod", "Arya", "Gendry", "Tyrion", "Samwell", "Ygritte", "Davos")
FAST = 3600  # game seconds per real second


def run(url: str, *, players: int = 2, seed: int = 7, wait: float = 8.0, console: Console) -> dict[str, Any]:
    rng = random.Random(seed)
    tag = secrets.token_hex(3)
    summary: dict[str, Any] = {}
    with httpx.Client(base_url=url, timeout=30) as http:
        masters = []
        for i in range(players):
            signup = _check(http.post("/v1/auth/anonymous", json={"display_name": f"Master {i}"}), 201)
            auth = {"Authorization": f"Bearer {signup['access_token']}"}
            credentials = {
                "username": f"master{tag}{i}",
                "email": f"master{tag}{i}@example.com",
                "password": secrets.token_urlsafe(16),
            }
            _check(http.post(f"/v1/players/{signup['player_id']}/credentials", json=credentials, headers=auth), 201)
            world = _check(
                http.post(
                    "/v1/tycoon/worlds",
                    json={"name": f"Realm {tag}-{i}", "seed": rng.randrange(2**62), "time_ratio": FAST},
                    headers=auth,
                ),
                201,
            )
            heroes = [_recruit(http, auth, world["id"], n, rng) for n in range(4)]
            masters.append((auth, world, heroes))
            console.print(f"{world['name']}: {', '.join(h['name'] for h in heroes)} ({world['guild']['name']})")
        for auth, world, heroes in masters:
            _command(http, auth, world, heroes, rng)
        before = _decisions(http, masters)
        console.print(f"the masters leave; {before} decisions so far; waiting {wait:.0f} s")
        time.sleep(wait)  # nobody sends anything: the server's timers keep the heroes living
        after = _decisions(http, masters)
        console.print(f"with no client connected, the heroes made {after - before} more decisions")
        _await_bonds(http, masters)
        for auth, world, _ in masters:
            report = _check(http.post(f"/v1/tycoon/worlds/{world['id']}/visits", headers=auth), 200)
            totals = report["totals"]
            console.print(
                f"{world['name']}: back after the absence: +{totals['gold']} gold, +{totals['experience']} "
                f"experience, {totals['levels_gained']} levels, {totals['quests_completed']} quests done"
            )
        summary = {"decisions_before": before, "decisions_after": after}
    return summary


def _recruit(http: httpx.Client, auth: dict[str, str], world_id: str, n: int, rng: random.Random) -> dict[str, Any]:
    body: dict[str, Any] = {"name": rng.choice(NAMES) + f" {n}", "seed": rng.randrange(2**40)}
    if n % 2 == 0:  # half of them with chosen traits, half rolled from their seed
        body["personality"] = {t: rng.randint(10, 95) for t in TRAITS}
    return _check(http.post(f"/v1/tycoon/worlds/{world_id}/heroes", json=body, headers=auth), 201)


def _command(
    http: httpx.Client, auth: dict[str, str], world: dict[str, Any], heroes: list[dict[str, Any]], rng: random.Random
) -> None:
    base = f"/v1/tycoon/worlds/{world['id']}"
    _check(
        http.post(
            f"{base}/events",
            json={"event_type": "festival", "description": "The harvest festival", "duration_minutes": 24 * 60},
            headers=auth,
        ),
        201,
    )
    for hero in heroes:
        path = f"/v1/tycoon/heroes/{hero['id']}"
        _check(http.post(f"{path}/praise", json={"reason": "a fine first day"}, headers=auth), 200)
        if rng.random() < 0.5:
            _check(http.post(f"{path}/reprimand", json={"reason": "late to muster"}, headers=auth), 200)
        _check(http.post(f"{path}/gifts", json={"amount": rng.randint(10, 60)}, headers=auth), 200)
    # Obeyed or refused (the answer says why); 409 if the hero is already on a quest.
    _check(http.post(f"/v1/tycoon/heroes/{heroes[0]['id']}/orders", json={"order": "train"}, headers=auth), 200, 409)
    for title, difficulty, party in (("Clear the wolf den", 1, heroes[1:3]), ("Slay the wyrm", 4, heroes[2:4])):
        quest = _check(
            http.post(
                f"{base}/quests",
                json={
                    "title": title,
                    "description": f"{title}, for the guild.",
                    "difficulty": difficulty,
                    "duration_minutes": 180,
                    "rewards": {"gold": 50 * difficulty, "experience": 80 * difficulty, "items": {"trophy": 1}},
                },
                headers=auth,
            ),
            201,
        )
        _check(
            http.post(
                f"/v1/tycoon/quests/{quest['id']}/assignments",
                json={"hero_ids": [h["id"] for h in party]},
                headers=auth,
            ),
            200,
            409,  # a hero of the first party may still be on that quest
        )


def _decisions(http: httpx.Client, masters: list[Any]) -> int:
    """How many decisions the heroes have made (the read model, first pages)."""
    total = 0
    for auth, _, heroes in masters:
        for hero in heroes:
            page = _check(
                http.get(f"/v1/tycoon/heroes/{hero['id']}/decisions", params={"limit": 200}, headers=auth), 200
            )
            total += len(page["items"])
    return total


def _await_bonds(http: httpx.Client, masters: list[Any]) -> None:
    """Heroes who socialize meet guildmates: wait (boundedly) until some bond shows."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for auth, _, heroes in masters:
            for hero in heroes:
                if _check(http.get(f"/v1/tycoon/heroes/{hero['id']}/relationships", headers=auth), 200)["items"]:
                    return
        time.sleep(0.5)
