"""``lorekeeper serve`` as an operator runs it: the API process with the projector
as a supervised child process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg

from tests.fixtures.server import free_port
from tests.integration.kafka_helpers import wait_until

ROOT = Path(__file__).resolve().parents[2]


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(p) for p in (task / "children").read_text().split()}
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def players(database: str) -> int:
    with psycopg.connect(database) as conn:
        exists = conn.execute("SELECT to_regclass('accounts.players') IS NOT NULL").fetchone()[0]
        return conn.execute("SELECT count(*) FROM accounts.players").fetchone()[0] if exists else 0


def test_serve_runs_the_projector_as_a_supervised_child(database, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "LOREKEEPER_DATA_DIR": str(tmp_path),
        "LOREKEEPER_JWT_SECRET": "test-secret-that-is-long-enough-for-hs256-0123456789",
        "LOREKEEPER_RATE_LIMIT": "",
        "LOREKEEPER_ADDRESS_RATE_LIMIT": "",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "infra.entrypoints.cli", "serve", "--port", str(port)], cwd=ROOT, env=env
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:

            def sign_up() -> bool:
                try:
                    return http.post("/v1/auth/anonymous", json={}).status_code == 201
                except httpx.TransportError:
                    return False

            wait_until(sign_up, timeout=60, message="serve answering")
            wait_until(lambda: players(database) == 1, timeout=20, message="the child projector")
            (projector,) = children(server.pid)

            os.kill(projector, signal.SIGKILL)  # a crashed projector is started again
            wait_until(lambda: children(server.pid) - {projector}, timeout=20, message="a restarted projector")
            assert http.post("/v1/auth/anonymous", json={}).status_code == 201
            wait_until(lambda: players(database) == 2, timeout=20, message="the restarted projector")
            (restarted,) = children(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(30)
    assert code == 0  # a clean exit (finally blocks and atexit ran) on SIGTERM
    deadline = time.monotonic() + 10
    while alive(restarted) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(restarted)  # stopped with the API, not orphaned


def postgres_serving(pgdata: Path) -> bool:
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if args and args[0].endswith(b"/postgres") and str(pgdata).encode() in args:
            return True
    return False


def test_serve_on_the_embedded_server_stops_it_on_sigterm(tmp_path):
    """`make run` with nothing configured: the embedded PostgreSQL starts with
    serve and stops with it, not left behind holding var/pg."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"LOREKEEPER_DATA_DIR": str(tmp_path), "LOREKEEPER_ADDRESS_RATE_LIMIT": ""}
    server = subprocess.Popen(
        [sys.executable, "-m", "infra.entrypoints.cli", "serve", "--port", str(port)], cwd=ROOT, env=env
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:

            def healthy() -> bool:
                try:
                    return http.get("/health").status_code == 200
                except httpx.TransportError:
                    return False

            wait_until(healthy, timeout=90, message="serve on the embedded server")
        assert postgres_serving(tmp_path / "pg")
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(60)
    assert code == 0
    wait_until(lambda: not postgres_serving(tmp_path / "pg"), timeout=20, message="the embedded server to stop")
