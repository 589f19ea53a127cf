"""Serves the real API (as ``lorekeeper serve`` does), a no-op FastAPI app or a WebSocket
echo, the same way (one uvicorn worker, uvloop + httptools), for the benchmarks to compare."""

from __future__ import annotations

import sys

import orjson
import uvicorn
from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from pydantic import BaseModel

from infra.http_protocol import uvicorn_options


class Anything(BaseModel):
    narrative_state: dict


def noop_app() -> FastAPI:
    app = FastAPI()

    @app.put("/noop")
    def noop(body: Anything) -> dict:
        return {"ok": True}

    return app


def echo_app() -> FastAPI:
    """A WebSocket that acks every message at once, persisting nothing."""
    app = FastAPI()

    @app.websocket("/echo")
    async def echo(ws: WebSocket) -> None:
        await ws.accept()
        try:
            while True:
                message = orjson.loads(await ws.receive_text())
                await ws.send_text(orjson.dumps({"type": "ack", "seq": message.get("seq")}).decode())
        except WebSocketDisconnect:
            return

    return app


def main(mode: str, port: int) -> None:
    if mode == "api":  # exactly as `lorekeeper serve` runs it
        from infra.entrypoints.bootstrap import Container
        from infra.entrypoints.serving import serve

        serve(Container(), "127.0.0.1", port, log_level="warning")
        return
    app = noop_app() if mode == "noop" else echo_app()
    # As `lorekeeper serve` runs it (header timeout, no per-message deflate).
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, **uvicorn_options())


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
