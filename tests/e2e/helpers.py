"""What a game client does over and over: sign up, authorise, read its writes."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx

from tests.integration.kafka_helpers import wait_until

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


def rows(live_server: Any, sql: str, *params: Any) -> list[dict]:
    """The rows a query over the server's database answers."""
    with live_server.container.pool.connection() as conn:
        return conn.execute(sql, params).fetchall()


def head(live_server: Any) -> int:
    """The event store's last position: unchanged means nothing was stored."""
    return live_server.container.read_side.head()


def settled(live_server: Any) -> int:
    """The head once background work is done: no timer due (an achievement
    check a trade set fires on its own) and nothing written for 0.3 s."""

    def quiet() -> bool:
        before = head(live_server)
        time.sleep(0.3)
        due = rows(live_server, "SELECT count(*) AS n FROM lorekeeper_timers WHERE due_at <= now()")[0]["n"]
        return due == 0 and head(live_server) == before

    wait_until(quiet, 30, 0, "background work to settle")
    return head(live_server)
