"""The AI agents part of ``lorekeeper demo adventure``: an admin registers a
quest generator and an event coordinator for this world; they answer the
game on their own (the party's quest completed, spring begun); the demo
reads the evolution log with each change's reasoning and rolls one back
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
    ]
    made = []
    for name, agent_type, configuration in agents:
        body = {"agent_name": f"{name} {tag}", "agent_type": agent_type,
                "configuration": {**configuration, "worlds": [world_id]}}  # fmt: skip
        made.append(_check(http.post("/v1/agents", json=body, headers=admin), 201)["id"])
    return made


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
