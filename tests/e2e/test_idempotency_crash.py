"""A server killed after an idempotent command ran but before its answer was
stored leaves neither: the retry runs the command, once, and gets its answer.
(Before, the key stayed "in progress" for 24 hours, even when the command had
committed, so the client could never learn the outcome.)"""

from __future__ import annotations

from pathlib import Path

import httpx
import psycopg

from tests.fixtures.server import free_port, serve_process


def serve(database: str, data_dir: Path, port: int, **env: str):
    return serve_process(
        database,
        data_dir,
        port,
        answering=(200, 503),
        LOREKEEPER_RATE_LIMIT="",
        LOREKEEPER_ADDRESS_RATE_LIMIT="",
        LOREKEEPER_PROJECTOR_PROCESS="false",
        **env,
    )


def stored_slots(database: str, player_id: str) -> int:
    with psycopg.connect(database) as conn:
        row = conn.execute(
            "SELECT count(*) FROM lorekeeper_events WHERE originator_id = %s "
            "AND topic = 'lorekeeper.player.SaveSlotOpened'",
            (player_id,),
        ).fetchone()
    return row[0] if row else 0


def test_a_crash_between_the_command_and_its_answer_leaves_neither_and_the_retry_runs_it(database, tmp_path):
    port = free_port()
    headers = {"Idempotency-Key": "open-main-1"}
    body = {"name": "main", "narrative_state": {"chapter": 1}}
    crashing = serve(database, tmp_path, port, LOREKEEPER_FAULT_CRASH_BEFORE_ANSWER="true")
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            player = http.post("/v1/auth/anonymous", json={}).json()
            auth = {"Authorization": f"Bearer {player['access_token']}", **headers}
            try:
                http.post("/v1/save-slots", json=body, headers=auth)
                raise AssertionError("the failpoint should have killed the server")
            except httpx.TransportError:
                pass
        assert crashing.wait(30) == 137
    finally:
        if crashing.poll() is None:
            crashing.kill()
    assert stored_slots(database, player["player_id"]) == 0, "the command's events rolled back with the answer"

    restarted = serve(database, tmp_path, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            first = http.post("/v1/save-slots", json=body, headers=auth)
            again = http.post("/v1/save-slots", json=body, headers=auth)
    finally:
        restarted.terminate()
        restarted.wait(30)
    assert first.status_code == 201, first.text
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert stored_slots(database, player["player_id"]) == 1
