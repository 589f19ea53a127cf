"""The quests part of ``lorekeeper demo adventure``: an admin posts a party
quest (gather logs, then grow a level); two characters take it on together;
a game server reports the loot and the experience, and the game's own events
complete it, with both members' rewards (``quests``, ``quest_objectives``,
``quest_progress``). The demo only watches: no client says "done"."""

from __future__ import annotations

import time
from typing import Any

import httpx

from infra.entrypoints.demo import check as _check

QUEST = {
    "title": "The Mill Needs Timber",
    "quest_type": "party",
    "description": "The miller asks for logs, and for hands strong enough to carry them.",
    "difficulty_level": 1,
    "party_max": 2,
    "objectives": [
        {"objective_text": "Gather logs", "requirements": {"kind": "gather", "item_name": "log", "count": 8}},
        {"objective_text": "Grow stronger", "requirements": {"kind": "reach_level", "level": 3}},
    ],
    "rewards": {"experience": 50, "items": [{"item_type": "trinket", "item_name": "mill_key"}],
                "world_flags": {"mill": "working"}},
}  # fmt: skip


def quest(http: httpx.Client, base: str, party: list[Any], admin: dict[str, str], server: dict[str, str]) -> str:
    """Post the quest, play it with the first two characters; the run's status at the end."""
    posted = _check(http.post(f"{base}/quests", json=QUEST, headers=admin), 201)
    (_, leader, leader_auth), (_, friend, friend_auth) = party[:2]
    begun = {"quest_id": posted["id"]}
    run = _check(http.post(f"{base}/characters/{leader['id']}/quests", json=begun, headers=leader_auth), 201)
    joined = {**begun, "party_id": run["party_id"]}
    _check(http.post(f"{base}/characters/{friend['id']}/quests", json=joined, headers=friend_auth), 201)
    for character in (leader, friend):
        # 16 logs: the 8 asked, scaled to the leader's level (10 by now: x1.9, 15)
        loot = {"item_type": "material", "item_name": "log", "quantity": 8, "reason": "gather"}
        _check(http.post(f"{base}/characters/{character['id']}/items", json=loot, headers=server), 200)
    grown = {"amount": 900, "reason": "the mill's timber"}
    _check(http.post(f"{base}/characters/{leader['id']}/experience", json=grown, headers=server), 200)
    deadline = time.monotonic() + 20
    while True:
        mine = _check(http.get(f"{base}/characters/{leader['id']}/quests", headers=leader_auth), 200)["items"]
        status = next((r["status"] for r in mine if r["quest_id"] == posted["id"]), "active")
        if status != "active" or time.monotonic() > deadline:
            return status
        time.sleep(0.2)
