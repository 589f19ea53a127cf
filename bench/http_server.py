"""Serves either the real API or a no-op FastAPI app, the same way (one uvicorn
worker, uvloop + httptools), for the HTTP benchmark to compare."""

from __future__ import annotations

import sys

import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel


class Anything(BaseModel):
    narrative_state: dict


def noop_app() -> FastAPI:
    app = FastAPI()

    @app.put("/noop")
    def noop(body: Anything) -> dict:
        return {"ok": True}

    return app


def main(mode: str, port: int) -> None:
    if mode == "noop":
        app = noop_app()
    else:
        from api.app import create_app
        from infra.container import Container

        app = create_app(Container())
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
