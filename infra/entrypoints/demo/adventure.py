"""``lorekeeper demo adventure``: seed data for seed 002, played through the API.

As an admin, creates a world and the recipes (a second run finds them made);
players sign up and register credentials (the ``users`` view; each login
session is a row of the ``sessions`` view) and create characters; a game
server reports loot and experience; characters build and dig in chunks (one
chunk is then restored by the admin), trade, craft (the server's roll: some
crafts fail), help or quarrel with each other, and unlock achievements
through the policy, hold a festival and seasons (``adventure_events``), walk paths through a
story (``adventure_stories``) and take on a quest as a party
(``adventure_quests``), while AI agents answer and one of their changes is
rolled back (``adventure_agents``).
Every table of the ``adventure`` schema ends up with
rows. Run twice, it plays again in a new world with new players.
"""

from __future__ import annotations

import random
import secrets
import time
from itertools import pairwise
from typing import Any
from uuid import uuid4

import httpx
from rich.console import Console

from api.auth import TokenService
from infra.entrypoints.demo import check as _check
from infra.entrypoints.demo.adventure_agents import feud, register, review, survey
from infra.entrypoints.demo.adventure_events import celebrate
from infra.entrypoints.demo.adventure_quests import quest
from infra.entrypoints.demo.adventure_stories import tell

RECIPES = (
    {
        "recipe_name": "Planks",
        "ingredients": [{"item_name": "log", "quantity": 1}],
        "result_item": {"item_type": "block", "item_name": "planks", "quantity": 4},
        "recipe_type": "woodcutting",
    },
    {
        "recipe_name": "Stick Bundle",
        "ingredients": [{"item_name": "planks", "quantity": 2}],
        "result_item": {"item_type": "material", "item_name": "stick", "quantity": 4},
        "recipe_type": "woodcutting",
        "unlock_conditions": {"items": ["planks"]},
    },
    {
        "recipe_name": "Iron Sword",
        "ingredients": [{"item_name": "iron_ingot", "quantity": 2}, {"item_name": "stick", "quantity": 1}],
        "result_item": {"item_type": "weapon", "item_name": "iron_sword", "item_data": {"durability": 250}},
        "required_level": 2,
        "recipe_type": "smithing",
    },
)
CLASSES = ("warrior", "mage", "ranger", "artisan")


def run(url: str, tokens: TokenService, *, players: int = 3, seed: int = 7, console: Console) -> None:
    rng = random.Random(seed)
    tag = secrets.token_hex(3)
    admin = {"Authorization": f"Bearer {tokens.issue(uuid4(), frozenset({'admin'}))}"}
    server = {"Authorization": f"Bearer {tokens.issue(uuid4(), frozenset({'server'}))}"}
    with httpx.Client(base_url=url, timeout=30) as http:
        world = _check(
            http.post(
                "/v1/worlds",
                json={"name": f"Eldoria {tag}", "seed": rng.randint(0, 2**62), "metadata": {"biome": "temperate"}},
                headers=admin,
            ),
            201,
        )
        base = f"/v1/worlds/{world['id']}"
        console.print(f"world [bold]{world['name']}[/] (seed {world['seed']})")
        for recipe in RECIPES:
            _check(http.post("/v1/recipes", json=recipe, headers=admin), 201, 409)
        party = []
        for i in range(players):
            signup = _check(http.post("/v1/auth/anonymous", json={"display_name": f"Adventurer {i}"}), 201)
            auth = {"Authorization": f"Bearer {signup['access_token']}"}
            account = {"username": f"hero{tag}{i}", "email": f"hero{tag}{i}@example.com"}
            credentials = {**account, "password": secrets.token_urlsafe(16)}
            _check(http.post(f"/v1/players/{signup['player_id']}/credentials", json=credentials, headers=auth), 201)
            for n in range(2):
                body = {
                    "name": f"Hero {i}-{n}",
                    "character_class": CLASSES[(i + n) % len(CLASSES)],
                    "appearance": {"hair": rng.choice(["red", "black", "silver"])},
                    "position": {"x": 8.0 + i, "y": 80.0, "z": 8.0 + n},
                }
                character = _check(http.post(f"{base}/characters", json=body, headers=auth), 201)
                party.append((signup["player_id"], character, auth))
        for _, character, _ in party:
            path = f"{base}/characters/{character['id']}"
            loot = [("material", "log", 6), ("material", "iron_ingot", 4), ("block", "cobblestone", 200)]
            for kind, name, quantity in loot:
                reason = "gather" if kind == "block" else "loot"
                item = {"item_type": kind, "item_name": name, "quantity": quantity, "reason": reason}
                _check(http.post(f"{path}/items", json=item, headers=server), 200)
            _check(http.post(f"{path}/experience", json={"amount": 150, "reason": "exploration"}, headers=server), 200)
        chunks = _build(http, base, party, rng)
        _check(http.post(f"{base}/chunks/{chunks[0]}/restore", json={"version": 2}, headers=admin), 200)
        crafts = _craft(http, base, party)
        _relate(http, base, party, rng)
        (player, hero, auth), *_ = party
        _check(
            http.post(
                f"{base}/characters/{hero['id']}/experience", json={"amount": 8100, "reason": "quest"}, headers=server
            ),
            200,
        )
        agents = register(http, base, world["id"], tag, admin)
        events = celebrate(http, base, party, admin)
        choices = tell(http, base, party, admin)
        quest_status = quest(http, base, party, admin, server)
        feud(http, base, party)
        log = review(http, base, admin, expected=4)  # a sequel quest, a season's fair, a sequel story, a truce
        surveyed = survey(http, base, agents, party, admin, server)
        unlocked = _await_achievements(http, player, auth)
        console.print(
            f"{len(party)} characters built {len(chunks)} chunks, crafted {crafts['ok']} times "
            f"({crafts['failed']} failed), made {choices} story choices, a party quest {quest_status}, "
            f"held {', '.join(events)}, unlocked {unlocked}"
        )
        console.print(f"agents made {len(log)} changes on their own and {surveyed} when asked to survey:")
        for entry in log:
            state = "active" if entry["is_active"] else "rolled back"
            console.print(f"  {entry['agent_name']} ({state}): {entry['reasoning']['summary']}")


def _build(http: httpx.Client, base: str, party: list[Any], rng: random.Random) -> list[str]:
    """Each character edits a chunk near the spawn, twice (If-Match on the version it read)."""
    edited = []
    for i, (_, character, auth) in enumerate(party):
        where = f"{i % 3}/4/{i // 3}"
        for _ in range(2):
            version = _check(http.get(f"{base}/chunks/{where}", headers=auth), 200)["version"]
            changes = {
                f"{rng.randrange(16)},{rng.randrange(16)},{rng.randrange(16)}": {
                    "type": rng.choice(["planks", "brick", "glass", "air", "torch"])
                }
                for _ in range(16)
            }
            body = {
                "changes": changes,
                "character_id": character["id"],
                "structures": [{"type": "hut", "by": character["name"]}],
            }
            _check(http.patch(f"{base}/chunks/{where}", json=body, headers={**auth, "If-Match": f'"{version}"'}), 200)
        edited.append(where)
    return edited


def _craft(http: httpx.Client, base: str, party: list[Any]) -> dict[str, int]:
    """Planks until one craft failed and one succeeded (the server rolls), then sticks and a sword."""
    counts = {"ok": 0, "failed": 0}
    for _, character, auth in party:
        path = f"{base}/characters/{character['id']}"
        for _ in range(6):
            before = _planks(_check(http.get(path, headers=auth), 200))
            after = _planks(_check(http.post(f"{path}/craft", json={"recipe_name": "Planks"}, headers=auth), 200))
            counts["ok" if after > before else "failed"] += 1
        for recipe in ("Stick Bundle", "Iron Sword"):
            r = http.post(f"{path}/craft", json={"recipe_name": recipe}, headers=auth)
            _check(r, 200, 409)  # 409: too few planks after bad luck, or smithing still locked
    return counts


def _planks(character: dict[str, Any]) -> int:
    return sum(s["quantity"] for s in character["inventory"] if s["item_name"] == "planks")


def _relate(http: httpx.Client, base: str, party: list[Any], rng: random.Random) -> None:
    for (_, a, auth), (_, b, _) in pairwise(party):
        path = f"{base}/characters/{a['id']}"
        _check(
            http.post(
                f"{path}/trade",
                json={"to_character_id": b["id"], "item_name": "iron_ingot", "quantity": 1},
                headers=auth,
            ),
            200,
            409,
        )
        kind, delta = rng.choice([("help", 20), ("gift", 15), ("quarrel", -10)])
        _check(
            http.post(
                f"{path}/interactions", json={"with_character_id": b["id"], "kind": kind, "delta": delta}, headers=auth
            ),
            200,
        )


def _await_achievements(http: httpx.Client, player: str, auth: dict[str, str]) -> list[str]:
    """The policy unlocks on its own (a durable timer): wait for it, boundedly."""
    deadline = time.monotonic() + 20
    while True:
        body = _check(http.get(f"/v1/players/{player}/achievements", headers=auth), 200)
        unlocked = [i["achievement_name"] for i in body["items"] if i["unlocked_at"]]
        if "level_10" in unlocked or time.monotonic() > deadline:
            return unlocked
        time.sleep(0.2)
