"""Live sessions over a real WebSocket: order, gaps, duplicates, reconnects,
version refusal, idling, metrics, and a server killed between persisting and
acknowledging an action."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from tests.e2e.helpers import sign_up
from tests.e2e.ws_client import Client, new_character, start, ws_url
from tests.fixtures.server import free_port, serve_process
from tests.support import app_of


def recorded_actions(container, session_id: str) -> list[int]:
    with container.store.factory.datastore.get_connection() as conn:
        rows = conn.execute(
            "SELECT state FROM lorekeeper_events WHERE originator_id = %s AND topic = %s ORDER BY originator_version",
            (uuid.UUID(session_id), "lorekeeper.player_session.ActionRecorded"),
        ).fetchall()
    return [container.store.mapper.decode_state(bytes(r["state"]))["sequence_number"] for r in rows]


def closed_with(client: Client) -> tuple[int, str]:
    with pytest.raises(ConnectionClosed) as caught:
        client.recv()
    return caught.value.rcvd.code, caught.value.rcvd.reason


def test_actions_are_acked_in_order_once_durable(http, live_server):
    client, _, _ = start(http)
    welcome = client.welcome
    assert welcome["snapshot"]["character"]["position_x"] == 10
    assert welcome["last_action_seq"] == 0 and welcome["reconnect_token"]
    acks = [client.act(seq) for seq in range(1, 6)]
    assert [a["seq"] for a in acks] == [1, 2, 3, 4, 5]
    positions = [a["position"] for a in acks]
    assert positions == sorted(positions)
    moved = client.act(6, "move", {"x": 12, "y": 9})
    assert moved["character"]["position_x"] == 12
    assert recorded_actions(live_server.container, welcome["session_id"]) == [1, 2, 3, 4, 5, 6]
    client.close()


def test_a_duplicate_is_acked_again_without_a_second_event(http, live_server):
    client, _, _ = start(http)
    first = client.act(1)
    again = client.act(1)
    assert "position" in first and again == {"type": "ack", "seq": 1, "duplicate": True}
    assert recorded_actions(live_server.container, client.welcome["session_id"]) == [1]
    client.close()


def test_a_gap_triggers_a_resync_from_the_last_acked_number(http, live_server):
    client, _, _ = start(http)
    client.act(1)
    resync = client.act(3)
    assert resync["type"] == "resync" and resync["last_action_seq"] == 1
    assert resync["snapshot"]["session"]["last_action_seq"] == 1
    assert client.act(2)["type"] == "ack"
    assert recorded_actions(live_server.container, client.welcome["session_id"]) == [1, 2]
    client.close()


def test_invalid_or_illegal_actions_are_refused_and_consume_no_number(http, live_server):
    client, _, _ = start(http)
    bad_payload = client.act(1, "move", {"x": "north"})
    assert bad_payload["type"] == "error" and bad_payload["code"] == "invalid_action"
    too_far = client.act(1, "move", {"x": 99, "y": 10})
    assert too_far["code"] == "illegal_move"
    unknown = client.act(1, "teleport", {})
    assert unknown["code"] == "invalid_action"
    client.send({"type": "dance"})
    assert client.recv()["code"] == "unknown_message"
    assert client.act(1)["type"] == "ack"
    client.close()


def test_reconnecting_inside_the_window_replays_what_the_client_missed(http, live_server):
    client, player, _ = start(http)
    for seq in (1, 2, 3):
        client.act(seq)
    token = client.welcome["reconnect_token"]
    client.close()  # transport lost without a bye
    time.sleep(0.3)
    again = Client(ws_url(http), player)
    welcome = again.hello(reconnect_token=token, last_seq=1)
    assert welcome["resumed"] is True and welcome["session_id"] == client.welcome["session_id"]
    assert [a["seq"] for a in welcome["replay"]] == [2, 3]
    assert again.act(4)["type"] == "ack"
    session = app_of(live_server.container).live.get_session(uuid.UUID(welcome["session_id"]))
    assert session.reconnect_attempts == 1
    again.close()


def test_a_forged_or_foreign_reconnect_token_is_refused(http):
    client, _, _ = start(http)
    token = client.welcome["reconnect_token"]
    client.close()
    eve = sign_up(http, "Eve")
    intruder = Client(ws_url(http), eve)
    hello = {"type": "hello", "protocol_version": "1"}
    assert intruder.refused({**hello, "token": eve.token, "reconnect_token": token})[0] == 4403
    forger = Client(ws_url(http), client.player)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert forger.refused({**hello, "token": client.player.token, "reconnect_token": forged})[0] == 4403


@pytest.mark.parametrize("live_server", [{"reconnect_window_seconds": 1}], indirect=True)
def test_an_expired_reconnect_token_is_refused(http):
    client, player, _ = start(http)
    token = client.welcome["reconnect_token"]
    client.close()
    time.sleep(2.1)
    late = Client(ws_url(http), player)
    hello = {"type": "hello", "token": player.token, "protocol_version": "1", "reconnect_token": token}
    assert late.refused(hello)[0] == 4410


def test_a_protocol_version_other_than_the_servers_is_refused_and_counted(http):
    player = sign_up(http)
    character = new_character(http, player)
    client = Client(ws_url(http), player)
    code, reason = client.refused(
        {"type": "hello", "token": player.token, "protocol_version": "0.9", "character_id": character}
    )
    assert code == 4426 and "server speaks '1'" in reason
    assert "version_reject_total 1.0" in http.get("/metrics").text


def test_bad_handshakes_are_closed_with_a_reason(http):
    player = sign_up(http)
    character = new_character(http, player)
    cases = [
        ({"type": "hello", "protocol_version": "1", "character_id": character}, 4401),
        ({"type": "hello", "token": "forged", "protocol_version": "1", "character_id": character}, 4401),
        ({"type": "hello", "token": player.token, "protocol_version": "1"}, 4400),
        ({"type": "hello", "token": player.token, "protocol_version": "1", "character_id": str(uuid.uuid4())}, 4404),
        ({"type": "bonjour"}, 4400),
    ]
    for hello, code in cases:
        assert Client(ws_url(http), player).refused(hello)[0] == code, hello
    other = sign_up(http, "Eve")
    hello = {"type": "hello", "token": other.token, "protocol_version": "1", "character_id": character}
    assert Client(ws_url(http), other).refused(hello)[0] == 4403


@pytest.mark.parametrize("live_server", [{"session_idle_seconds": 1}], indirect=True)
def test_an_idle_session_is_terminated(http, live_server):
    client, _, _ = start(http)
    assert closed_with(client)[0] == 4408
    session = app_of(live_server.container).live.get_session(uuid.UUID(client.welcome["session_id"]))
    assert session.status.value == "terminating"


def test_bye_terminates_and_heartbeats_refresh_the_reconnect_token(http, live_server):
    client, _, _ = start(http)
    client.send({"type": "heartbeat"})
    beat = client.recv()
    assert beat["type"] == "heartbeat_ack" and beat["reconnect_token"]
    client.send({"type": "bye"})
    assert closed_with(client)[0] == 1000
    session = app_of(live_server.container).live.get_session(uuid.UUID(client.welcome["session_id"]))
    assert session.status.value == "terminating"
    assert session.last_heartbeat_at is not None


def test_metrics_expose_the_seed_names(http):
    client, _, _ = start(http)
    client.act(1)
    text = http.get("/metrics").text
    for name in (
        "connect_attempts_total",
        "connect_success_total",
        "reconnect_attempts_total",
        "reconnect_success_total",
        "version_reject_total",
        "action_latency_ms_bucket",
        "state_refresh_forced_total",
        "cache_hit_ratio",
        "active_sessions_gauge 1.0",
    ):
        assert name in text, name
    client.close()


def serve(database: str, tmp_path: Path, port: int, **env: str):
    return serve_process(database, tmp_path, port, **env)


def test_a_server_killed_between_persisting_and_acking_is_made_whole_by_the_retry(database, tmp_path):
    port = free_port()
    doomed = serve(database, tmp_path, port, LOREKEEPER_FAULT_CRASH_BEFORE_ACK_SEQ="2")
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=15) as http:
            client, player, _ = start(http)
            assert client.act(1)["type"] == "ack"
            client.send({"type": "action", "seq": 2, "action_type": "chat", "payload": {"text": "lost ack"}})
            with pytest.raises(ConnectionClosed):
                client.recv()
        assert doomed.wait(10) == 137
    finally:
        doomed.kill()
    revived = serve(database, tmp_path, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=15) as http:
            again = Client(ws_url(http), player)
            welcome = again.hello(reconnect_token=client.welcome["reconnect_token"], last_seq=1)
            assert [a["seq"] for a in welcome["replay"]] == [2]  # persisted before the crash
            retry = again.act(2, payload={"text": "lost ack"})
            assert retry == {"type": "ack", "seq": 2, "duplicate": True}
            assert again.act(3)["type"] == "ack"
            again.close()
    finally:
        revived.terminate()
        revived.wait(20)
    from infra.entrypoints.bootstrap import Container
    from tests.fixtures.db import make_settings

    c = Container(make_settings(database, tmp_path / "check"))
    try:
        assert recorded_actions(c, client.welcome["session_id"]) == [1, 2, 3]
    finally:
        c.close()
