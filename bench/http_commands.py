"""(a) Commands per second through the HTTP API at 32 concurrent clients, next
to a no-op FastAPI endpoint served the same way, in the same run.

The command is the one a game sends most: ``PUT /v1/save-slots/{id}`` with
``If-Match``, each client saving its own slot in a loop. The no-op endpoint
parses a body of the same shape and returns a constant.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from pathlib import Path

import orjson
import typer

from bench.common import median, report, scratch_container, server_env
from bench.loadgen import Connection, run_clients

CLIENTS = 32
ROOT = Path(__file__).resolve().parents[1]
# Client-owned keys only: flags, nodes and choices are the server's (docs/sync.md) and a PUT of them is a 422.
STATE = {"scene": "chapter-3", "party": ["ada", "bram"], "gold": 120}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(mode: str, env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "bench.http_server", mode, str(port)], cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{mode} server did not start")


async def api_clients(port: int) -> list:
    clients = []
    for _ in range(CLIENTS):
        conn = await Connection("127.0.0.1", port).open()
        auth = await conn.anonymous()
        slot = await conn.request("POST", "/v1/save-slots", orjson.dumps({"name": "bench"}), auth)
        assert slot.status == 201, slot.body
        path = f"/v1/save-slots/{orjson.loads(slot.body)['slot_id']}"
        state = {"etag": slot.headers["etag"]}
        body = orjson.dumps({"narrative_state": STATE})

        async def step(conn=conn, path=path, auth=auth, state=state, body=body) -> bool:
            r = await conn.request("PUT", path, body, {**auth, "If-Match": state["etag"]})
            if r.status == 200:
                state["etag"] = r.headers["etag"]
            return r.status == 200

        clients.append(step)
    return clients


async def noop_clients(port: int) -> list:
    clients = []
    body = orjson.dumps({"narrative_state": STATE})
    for _ in range(CLIENTS):
        conn = await Connection("127.0.0.1", port).open()

        async def step(conn=conn) -> bool:
            return (await conn.request("PUT", "/noop", body)).status == 200

        clients.append(step)
    return clients


def measure(mode: str, env: dict[str, str], seconds: float, rounds: int) -> list[float]:
    proc, port = start_server(mode, env)
    try:
        rates = []
        for _ in range(rounds):

            async def one() -> float:
                clients = await (api_clients(port) if mode == "api" else noop_clients(port))
                await run_clients(clients, 1.0)  # warm-up
                result, elapsed = await run_clients(clients, seconds)
                assert result.errors == 0, f"{result.errors} failed requests"
                return result.ok / elapsed

            rates.append(asyncio.run(one()))
        return rates
    finally:
        proc.terminate()
        proc.wait(20)


def main(seconds: float = 8.0, rounds: int = 3) -> str:
    with scratch_container() as container:
        container.setup()
        env = server_env(container)
        api_rates, noop_rates = [], []
        for _ in range(rounds):  # interleaved, so drift hits both alike
            noop_rates += measure("noop", env, seconds, 1)
            api_rates += measure("api", env, seconds, 1)
    a, n = median(api_rates), median(noop_rates)
    return report(
        f"HTTP commands at {CLIENTS} concurrent clients ({rounds} rounds of {seconds:.0f} s)",
        [
            ("PUT /v1/save-slots/{id} (event store write)", a, "requests/s"),
            ("no-op FastAPI endpoint", n, "requests/s"),
            ("ratio (goal >= 0.3)", a / n, ""),
        ],
    )


if __name__ == "__main__":
    typer.run(main)
