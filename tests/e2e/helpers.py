"""What a game client does over and over: sign up, authorise, read its writes."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

PROBLEM = "application/problem+json"


@dataclass
class Player:
    id: str
    token: str
    position: int = 0  # of the sign-up's last event

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def sign_up(http: httpx.Client, name: str | None = None) -> Player:
    body = {"display_name": name} if name else None
    r = http.post("/v1/auth/anonymous", json=body)
    assert r.status_code == 201, r.text
    return Player(r.json()["player_id"], r.json()["access_token"], r.json()["position"])


def assert_problem(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] and body["title"] and body["detail"]
    return body


def read(http: httpx.Client, path: str, player: Player, position: int | None = None) -> httpx.Response:
    params = {"min_position": position} if position is not None else {}
    return http.get(path, headers=player.auth, params=params)


def new_slot(http: httpx.Client, player: Player, name: str = "main", state: dict | None = None) -> dict:
    r = http.post("/v1/save-slots", headers=player.auth, json={"name": name, "narrative_state": state or {}})
    assert r.status_code == 201, r.text
    return r.json()
