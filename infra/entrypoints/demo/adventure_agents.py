"""The AI agents part of ``lorekeeper demo adventure``: an admin registers
one agent of each of the six types for this world; four answer the game on
their own (the party's quest completed, spring begun, the story's first
ending, two characters falling out), the two surveyors look at the world
when asked (where the party crowds, what it holds most of); the demo reads
the evolution log with each change's reasoning and rolls one back
(``ai_agents``, ``agent_memory``, ``world_evolution_log`` with an inactive
entry)."""

from __future__ import annotations

import time
from typing import Any

import httpx

from infra.entrypoints.demo import check as _check


def register(http: httpx.Client, base: str, world_id: str, tag: str, admin: dict[str, str]) -> list[str]:
    """The agents, serving this world only (a second run registers new ones)."""
    agents: list[tuple[str, str, dict[str, Any]]] = [
        ("Quill", "quest_generator", {"max_chain": 2}),
        ("Herald", "event_coordinator", {"weights": {"fair": 2}}),
        ("Weaver", "story_weaver", {}),
        ("Warden", "character_master", {}),
        ("Mason", "world_builder", {"crowd": 2}),
        ("Scales", "balance_keeper", {"min_total": 10, "ratio": 2, "hours": 1}),
    ]
    made = []
    for name, agent_type, configuration in agents:
        body = {"agent_name": f"{name} {tag}", "agent_type": agent_type,
                "configuration": {**configuration, "worlds": [world_id]}}  # fmt: skip
        made.append(_check(http.post("/v1/agents", json=body, headers=admin), 201)["id"])
    return made


def feud(http: httpx.Client, base: str, party: list[Any]) -> None:
    """Two characters of different players fall out (-50: hostile), which the character master answers."""
    (_, a, auth), _, (_, b, _) = party[:3]
    for kind in ("insult", "attack"):
        body = {"with_character_id": b["id"], "kind": kind, "delta": -25}
        _check(http.post(f"{base}/characters/{a['id']}/interactions", json=body, headers=auth), 200)


def survey(
    http: httpx.Client, base: str, agents: list[str], party: list[Any], admin: dict[str, str], server: dict[str, str]
) -> int:
    """A lumber delivery (planks everywhere: what the balance keeper dampens),
    then, once the read side has it, the surveyors (the last two registered)
    look at the world; the changes they made."""
    (_, first, _), *_ = party
    delivery = {"item_type": "block", "item_name": "planks", "quantity": 60, "reason": "loot"}
    delivered = _check(http.post(f"{base}/characters/{first['id']}/items", json=delivery, headers=server), 200)
    near = {"x": 8, "y": 80, "z": 8, "radius": 64, "min_position": delivered["position"]}
    _check(http.get(f"{base}/characters", params=near, headers=admin), 200)  # the census reads the read side
    return sum(len(_check(http.post(f"/v1/agents/{a}/survey", headers=admin), 200)["evolution"]) for a in agents[-2:])


def review(http: httpx.Client, base: str, admin: dict[str, str], expected: int) -> list[dict[str, Any]]:
    """Wait (boundedly) for the agents' changes, then roll the quest sequel back; the log."""
    deadline = time.monotonic() + 20
    while True:
        log = _check(http.get(f"{base}/evolution", headers=admin), 200)["items"]
        if len(log) >= expected or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    sequels = [e for e in log if e["evolution_type"] == "quest_sequel" and e["is_active"]]
    if not sequels:
        return log
    body = {"cascade": True, "reason": "the demo shows a rollback"}
    undone = _check(http.post(f"{base}/evolution/{sequels[-1]['id']}/rollback", json=body, headers=admin), 200)
    read = {"min_position": undone["position"]}  # read the rollback back
    return _check(http.get(f"{base}/evolution", params=read, headers=admin), 200)["items"]
