"""``lorekeeper demo narrative``: seed data for seed 000, played through the API.

Defines items and quests and publishes content packages (as an admin), then
for each player: signs up anonymously, upgrades some to accounts, links a
platform, opens a slot and plays a branching story on two devices that go
offline from the same save, so that one sync merges and another conflicts and
is resolved the way a client would. Telemetry is sent along the way. Every
seed-000 table ends up with rows a newcomer can look at.
"""

from __future__ import annotations

import base64
import hashlib
import random
import secrets
from dataclasses import dataclass
from typing import Any

import httpx
from rich.console import Console

from infra.entrypoints.demo import check as _check

ITEMS = [
    {"item_id": "potion", "name": "Healing potion", "max_stack": 10, "pickup_limit": 3},
    {"item_id": "lantern", "name": "Lantern", "max_stack": 1, "pickup_limit": 1},
    {"item_id": "crown", "name": "Paper crown", "max_stack": 1, "pickup_limit": 0},
    {"item_id": "medal", "name": "Medal of Dubious Honour", "max_stack": 3, "pickup_limit": 0},
]
QUESTS = [
    {
        "quest_id": "audience",
        "title": "An Audience with the King",
        "description": "Get past the herald and into the court.",
        "required_flags": ["met_herald"],
        "reward_bundle": {"items": {"crown": 1}, "flags": ["courtier"]},
    },
    {
        "quest_id": "petition",
        "title": "The Petition",
        "description": "Present the villagers' petition, satirically.",
        "required_flags": ["courtier"],
        "reward_bundle": {"items": {"medal": 1, "potion": 2}},
    },
    {
        "quest_id": "cellar",
        "title": "The Cellar",
        "description": "Find out what the castle keeps below.",
        "required_flags": ["found_key"],
        "reward_bundle": {"items": {"potion": 3}},
    },
]
PACKAGES = [("hotfix", "1.0.1", "1.0"), ("seasonal", "2026.1", "1.0"), ("localization", "1.1", "1.1")]
NAMES = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Margaret", "Dennis"]


@dataclass
class Client:
    http: httpx.Client
    player_id: str
    token: str

    def post(self, path: str, body: Any, **headers: str) -> httpx.Response:
        return self.http.post(path, json=body, headers={"Authorization": f"Bearer {self.token}", **headers})


def publish_world(http: httpx.Client, admin_token: str) -> None:
    auth = {"Authorization": f"Bearer {admin_token}"}
    for item in ITEMS:
        _check(http.put(f"/v1/items/{item['item_id']}", json=item, headers=auth), 200)
    for quest in QUESTS:
        _check(http.put(f"/v1/quests/{quest['quest_id']}", json=quest, headers=auth), 200)
    for kind, version, required in PACKAGES:
        content = f"{kind} {version}: satire recalibrated".encode()
        body = {
            "kind": kind,
            "version": version,
            "release_notes": f"{kind} {version}",
            "required_client_version": required,
            "checksum": hashlib.sha256(content).hexdigest(),
            "content_base64": base64.b64encode(content).decode(),
        }
        _check(http.post("/v1/content", json=body, headers=auth), 201, 409)


def sync(client: Client, slot_id: str, base: int, changes: list[dict[str, Any]], key: str) -> httpx.Response:
    return client.post(
        f"/v1/save-slots/{slot_id}/sync", {"base_version": base, "changes": changes}, **{"Idempotency-Key": key}
    )


def play(http: httpx.Client, index: int, rng: random.Random, run_tag: str) -> dict[str, Any]:
    """One player's story. ``run_tag`` keeps this run's usernames, emails and
    platform ids apart from an earlier run's (they are unique per deployment)."""
    name = NAMES[index % len(NAMES)]
    tokens = _check(http.post("/v1/auth/anonymous", json={"display_name": f"{name} {index}"}), 201)
    client = Client(http, tokens["player_id"], tokens["access_token"])
    if index % 2 == 0:  # half upgrade to an account
        _check(
            client.post(
                f"/v1/players/{client.player_id}/credentials",
                {
                    "username": f"{name.lower()}_{index}_{run_tag}",
                    "email": f"{name.lower()}{index}.{run_tag}@example.org",
                    "password": "demo-password-please-change",
                },
            ),
            201,
        )
    _check(
        client.post(
            f"/v1/players/{client.player_id}/links",
            {"platform": rng.choice(["steam", "psn", "xbox"]), "platform_user_id": f"demo-{run_tag}-{index}"},
        ),
        201,
    )
    slot = _check(client.post("/v1/save-slots", {"name": "main", "narrative_state": {"chapter": 1}}), 201)
    sid = slot["slot_id"]
    # Online: the prologue.
    state = _check(
        sync(
            client,
            sid,
            0,
            [
                {"type": "node_reached", "node": "prologue"},
                {"type": "flag_set", "flag": "met_herald"},
                {"type": "quest_progressed", "quest_id": "audience"},
                {"type": "item_added", "item_id": "potion", "quantity": 2, "metadata": {"found_in": "gatehouse"}},
            ],
            f"{sid}-1",
        ),
        200,
    )
    base = state["progression_version"]
    ally = rng.choice(["rebels", "crown"])
    # The phone goes offline and completes the audience; it syncs first.
    phone: list[dict[str, Any]] = [
        {"type": "node_reached", "node": "throne_room"},
        {"type": "choice_made", "choice": "ally", "option": ally},
        {"type": "quest_completed", "quest_id": "audience"},
        {"type": "item_removed", "item_id": "potion", "quantity": 1},
    ]
    _check(sync(client, sid, base, phone, f"{sid}-phone"), 200)
    # The laptop, offline from the same base, found a key and drank both potions:
    # the second potion is already spent, and it allied otherwise. A conflict.
    laptop: list[dict[str, Any]] = [
        {"type": "node_reached", "node": "cellar_door"},
        {"type": "item_added", "item_id": "lantern", "quantity": 1},
        {"type": "flag_set", "flag": "found_key"},
        {"type": "choice_made", "choice": "ally", "option": "crown" if ally == "rebels" else "rebels"},
        {"type": "item_removed", "item_id": "potion", "quantity": 2},
    ]
    r = sync(client, sid, base, laptop, f"{sid}-laptop")
    conflicted = r.status_code == 409
    if conflicted:  # what a client does: drop what conflicts, send the rest again (rebased)
        refused = {c["index"] for c in r.json()["conflicts"]}
        kept = [c for i, c in enumerate(laptop) if i not in refused]
        latest = _check(sync(client, sid, base, kept, f"{sid}-laptop-rebased"), 200)
    else:
        latest = _check(r, 200)
    # Back online together: the cellar and the petition.
    version = latest["progression_version"]
    _check(
        sync(
            client,
            sid,
            version,
            [
                {"type": "quest_progressed", "quest_id": "cellar"},
                {"type": "quest_completed", "quest_id": "cellar"},
                {"type": "quest_progressed", "quest_id": "petition"},
                {"type": "quest_failed" if index % 3 == 0 else "quest_completed", "quest_id": "petition"},
            ],
            f"{sid}-2",
        ),
        200,
    )
    _check(
        client.post(
            "/v1/telemetry",
            {
                "events": [
                    {
                        "event_type": "scene_viewed",
                        "payload": {"scene": "throne_room", "seconds": rng.randint(20, 300)},
                    },
                    {"event_type": "joke_landed", "payload": {"joke": "herald_pun", "laughed": rng.random() < 0.6}},
                ]
            },
        ),
        202,
    )
    return {"player": client.player_id, "slot": sid, "conflict_resolved": conflicted}


def run(
    base_url: str, admin_token: str, players: int = 4, seed: int = 7, console: Console | None = None
) -> list[dict[str, Any]]:
    console = console or Console()
    rng = random.Random(seed)
    run_tag = secrets.token_hex(3)  # run it again: new players, the same stories
    with httpx.Client(base_url=base_url, timeout=30) as http:
        publish_world(http, admin_token)
        console.print(f"[green]published[/] {len(ITEMS)} items, {len(QUESTS)} quests, {len(PACKAGES)} content packages")
        results = []
        for index in range(players):
            result = play(http, index, rng, run_tag)
            results.append(result)
            note = " (offline conflict resolved)" if result["conflict_resolved"] else ""
            console.print(f"player {result['player']}: slot {result['slot']}{note}")
    return results
