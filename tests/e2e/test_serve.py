"""``lorekeeper serve`` as an operator runs it: the API process with the projector
and the timers as supervised child processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from uuid import uuid4

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


def command(pid: int) -> str:
    """A child's ``lorekeeper`` arguments, as typed."""
    args = Path(f"/proc/{pid}/cmdline").read_bytes().rstrip(b"\0").split(b"\0")
    return " ".join(a.decode() for a in args[args.index(b"infra.entrypoints.cli") + 1 :])


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


def timers_left(database: str) -> int:
    with psycopg.connect(database) as conn:
        return conn.execute("SELECT count(*) FROM lorekeeper_timers WHERE kind = 'test.nobody'").fetchone()[0]


def test_serve_runs_the_projector_and_the_timers_as_supervised_children(database, tmp_path):
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
            wait_until(lambda: len(children(server.pid)) == 2, timeout=20, message="the projector and the timers")
            kids = {command(pid): pid for pid in children(server.pid)}
            assert set(kids) == {"projections run --no-timers", "timers"}  # turns and projections apart
            projector = kids["projections run --no-timers"]

            os.kill(projector, signal.SIGKILL)  # a crashed projector is started again
            wait_until(lambda: len(children(server.pid) - {projector}) == 2, timeout=20, message="a new projector")
            assert http.post("/v1/auth/anonymous", json={}).status_code == 201
            wait_until(lambda: players(database) == 2, timeout=20, message="the restarted projector")
            running = children(server.pid)
            assert kids["timers"] in running  # the other child went on
            with psycopg.connect(database, autocommit=True) as conn:  # a due timer nobody handles: dead-lettered
                conn.execute(
                    "INSERT INTO lorekeeper_timers (kind, subject, due_at) VALUES ('test.nobody', %s, now())",
                    (uuid4(),),
                )
            wait_until(lambda: timers_left(database) == 0, timeout=20, message="the timers process firing")
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(30)
    assert code == 0  # a clean exit (finally blocks and atexit ran) on SIGTERM
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in running) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in running)  # stopped with the API, not orphaned


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
