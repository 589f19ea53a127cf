"""A game client's side of the live-session protocol, on the websockets package."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
from websockets.sync.client import ClientConnection, connect

from tests.e2e.helpers import Player, sign_up


def ws_url(http: httpx.Client) -> str:
    return str(http.base_url).replace("http://", "ws://").rstrip("/") + "/v1/sessions/ws"


def new_character(http: httpx.Client, player: Player, x: int = 10, y: int = 10) -> str:
    r = http.post("/v1/characters", headers=player.auth, json={"display_name": "Ada", "x": x, "y": y})
    assert r.status_code == 201, r.text
    return r.json()["character_id"]


class Client:
    def __init__(self, url: str, player: Player) -> None:
        self.url = url
        self.player = player
        self.conn: ClientConnection | None = None
        self.welcome: dict[str, Any] = {}

    def hello(self, **fields: Any) -> dict[str, Any]:
        self.conn = connect(self.url, open_timeout=10, close_timeout=5)
        self.send({"type": "hello", "token": self.player.token, "protocol_version": "1", **fields})
        self.welcome = self.recv()
        return self.welcome

    def refused(self, hello: dict[str, Any]) -> tuple[int, str]:
        """Send a hello the server must refuse; returns its close code and reason."""
        from websockets.exceptions import ConnectionClosed

        self.conn = connect(self.url, open_timeout=10, close_timeout=5)
        self.send(hello)
        try:
            message = self.recv()
        except ConnectionClosed as closed:
            assert closed.rcvd is not None
            return closed.rcvd.code, closed.rcvd.reason
        raise AssertionError(f"the server accepted the hello: {message}")

    def send(self, message: dict[str, Any]) -> None:
        assert self.conn is not None
        self.conn.send(orjson.dumps(message).decode())

    def recv(self, timeout: float = 10) -> dict[str, Any]:
        assert self.conn is not None
        return orjson.loads(self.conn.recv(timeout=timeout))

    def act(self, seq: int, action_type: str = "chat", payload: dict[str, Any] | None = None) -> dict[str, Any]:
        self.send({"type": "action", "seq": seq, "action_type": action_type, "payload": payload or {"text": f"#{seq}"}})
        return self.recv()

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def start(http: httpx.Client, name: str = "Ada") -> tuple[Client, Player, str]:
    player = sign_up(http, name)
    character = new_character(http, player)
    client = Client(ws_url(http), player)
    welcome = client.hello(character_id=character)
    assert welcome["type"] == "welcome", welcome
    return client, player, character
