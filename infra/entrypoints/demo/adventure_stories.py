"""The stories part of ``lorekeeper demo adventure``: an admin writes a story
(a tree of branches with conditions and consequences, in one request), and
each character walks a path through it; the first character's path needs a
flag its first choice sets, and every choice is read back by the path query
(``stories``, ``story_branches``, ``player_choices``, the world's flags)."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import httpx

from infra.entrypoints.demo import check as _check


def tree(friend_id: str) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The King's Hall: enter; bow (a flag, a token, a friend, the world's
    flag) or draw; after bowing, ask for the seal (needs the flag and the
    token, takes the token) or take your leave."""
    ids = {name: str(uuid4()) for name in ("hall", "bow", "draw", "ask", "leave")}
    branches: list[dict[str, Any]] = [
        {"branch_id": ids["hall"], "branch_name": "Enter the hall", "content": "The great doors open on the throne."},
        {"branch_id": ids["bow"], "parent_branch_id": ids["hall"], "branch_name": "Bow to the king",
         "content": "The king smiles.", "branch_order": 0,
         "consequences": {"experience": 120, "flags": {"met_king": True}, "world_flags": {"court": "pleased"},
                          "items": [{"item_type": "trinket", "item_name": "royal_token"}],
                          "relationships": {friend_id: 5}}},
        {"branch_id": ids["draw"], "parent_branch_id": ids["hall"], "branch_name": "Draw your sword",
         "content": "The guards close in.", "branch_order": 1,
         "consequences": {"stats": {"health": -20}, "flags": {"outlaw": True}}},
        {"branch_id": ids["ask"], "parent_branch_id": ids["bow"], "branch_name": "Ask for the royal seal",
         "conditions": {"flags": {"met_king": True}, "items": ["royal_token"]},
         "consequences": {"take_items": {"royal_token": 1}, "flags": {"sealed": "royal"}, "stats": {"charisma": 1}}},
        {"branch_id": ids["leave"], "parent_branch_id": ids["bow"], "branch_name": "Take your leave",
         "conditions": {"not": {"flags": {"outlaw": True}}}},
    ]  # fmt: skip
    return ids, branches


def tell(http: httpx.Client, base: str, party: list[Any], admin: dict[str, str]) -> int:
    """Write the story, walk every character through it; the choices made."""
    ids, branches = tree(party[-1][1]["id"])
    body = {"title": "The King's Hall", "story_type": "main", "description": "An audience.", "branches": branches}
    story = _check(http.post(f"{base}/stories", json=body, headers=admin), 201)
    made = 0
    for n, (_, character, auth) in enumerate(party[:-1]):
        path = [ids["hall"], *((ids["bow"], ids["ask"]) if n % 2 == 0 else (ids["draw"],))]
        for branch in path:
            body = {"story_id": story["id"], "branch_id": branch, "choice_text": f"{character['name']} chooses"}
            chosen = _check(http.post(f"{base}/characters/{character['id']}/choices", json=body, headers=auth), 201)
            made += 1
        walked = _check(
            http.get(
                f"{base}/characters/{character['id']}/stories/{story['id']}/path",
                params={"min_position": chosen["position"]},
                headers=auth,
            ),
            200,
        )
        if [b["id"] for b in walked["path"]] != path:
            raise RuntimeError(f"the path read back is not the path chosen: {walked}")
    return made
