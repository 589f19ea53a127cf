"""The edge refuses what Lorekeeper cannot keep, with a clear 4xx, and stores
nothing: one rule (api/wire.py) for every HTTP body, query and WebSocket frame."""

from __future__ import annotations

import pytest
from websockets.exceptions import ConnectionClosed

from tests.e2e.helpers import assert_problem, head, new_slot, sign_up
from tests.e2e.ws_client import Client, start, ws_url

JSON = {"content-type": "application/json"}


def nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


REFUSED = [
    ('{"name": "a\\u0000b", "narrative_state": {}}', "U+0000"),
    ('{"name": "a", "narrative_state": {"deep": [{"x": "\\u0000"}]}}', "U+0000"),
    ('{"name": "a", "narrative_state": {"k\\u0000": 1}}', "U+0000"),
    ('{"name": "a", "narrative_state": {"n": 9223372036854775808}}', "64 bits"),
    ('{"name": "a", "narrative_state": {"n": -9223372036854775809}}', "64 bits"),
    ('{"name": "a", "narrative_state": {"n": 1' + "0" * 5000 + "}}", "64 bits"),
    ('{"name": "a", "narrative_state": ' + nested(300) + "}", "nested deeper"),
    ('{"name": "a", "narrative_state": ' + nested(40_000) + "}", "nested deeper"),
]

MALFORMED = [
    b'{"name": "a", "narrative_state": {"n": NaN}}',
    b'{"name": "a", "narrative_state": {"n": Infinity}}',
    b'{"name": "a", "narrative_state": {"n": -Infinity}}',
    b'{"name": "a", "narrative_state": {"n": 1e400}}',
    b'{"name": "a\xff", "narrative_state": {}}',
    b'{"name": "a", "narrative_state": {}} trailing',
]


@pytest.mark.parametrize(("body", "rule"), REFUSED, ids=[f"refused-{i}" for i in range(len(REFUSED))])
def test_a_value_lorekeeper_cannot_keep_is_422_and_nothing_is_stored(http, live_server, body, rule):
    player = sign_up(http)
    before = head(live_server)
    r = http.post("/v1/save-slots", headers={**player.auth, **JSON}, content=body.encode())
    problem = assert_problem(r, 422, "invalid_value")
    assert rule in problem["detail"]
    assert head(live_server) == before


@pytest.mark.parametrize("body", MALFORMED, ids=[f"malformed-{i}" for i in range(len(MALFORMED))])
def test_what_is_not_json_is_400_malformed_json(http, live_server, body):
    player = sign_up(http)
    before = head(live_server)
    assert_problem(http.post("/v1/save-slots", headers={**player.auth, **JSON}, content=body), 400, "malformed_json")
    assert head(live_server) == before


def test_the_same_rule_holds_for_every_context_and_for_idempotent_requests(http):
    player = sign_up(http)
    headers = {**player.auth, **JSON, "Idempotency-Key": "k-1"}
    big = b'{"events": [{"event_type": "x", "payload": {"n": 99999999999999999999999}}]}'
    assert_problem(http.post("/v1/telemetry", headers=headers, content=big), 422, "invalid_value")
    nul = b'{"display_name": "a\\u0000", "x": 1, "y": 1}'
    assert_problem(http.post("/v1/characters", headers=headers, content=nul), 422, "invalid_value")
    assert_problem(http.patch(f"/v1/players/{player.id}", headers=headers, content=nul), 422, "invalid_value")


def test_query_and_path_parameters_refuse_nul(http):
    player = sign_up(http)
    assert_problem(
        http.get(f"/v1/players/{player.id}/save-slots?cursor=a%00b", headers=player.auth), 422, "invalid_value"
    )
    assert_problem(http.get("/v1/save-slots/a%00b", headers=player.auth), 422, "invalid_value")


def test_types_are_strict_on_the_wire(http):
    player = sign_up(http)
    for body in ({"display_name": "Ada", "x": "3", "y": 1}, {"display_name": "Ada", "x": True, "y": 1}):
        assert_problem(http.post("/v1/characters", headers=player.auth, json=body), 422, "validation_failed")
    slot = new_slot(http, player)
    assert_problem(
        http.post(
            f"/v1/save-slots/{slot['slot_id']}/sync",
            headers=player.auth,
            json={"base_version": "0", "changes": []},
        ),
        422,
        "validation_failed",
    )
    assert_problem(
        http.patch(f"/v1/players/{player.id}", headers=player.auth, json={"telemetry_opt_out": "yes"}),
        422,
        "validation_failed",
    )


def test_if_match_follows_rfc_9110(http):
    player = sign_up(http)
    slot = new_slot(http, player)
    url = f"/v1/save-slots/{slot['slot_id']}"
    body = {"narrative_state": {"chapter": 2}}
    assert_problem(http.put(url, headers={**player.auth, "If-Match": 'W/"1"'}, json=body), 412, "version_conflict")
    for malformed in ('"1', "1", 'W/"x"'):
        assert_problem(
            http.put(url, headers={**player.auth, "If-Match": malformed}, json=body), 400, "invalid_if_match"
        )
    ok = http.put(url, headers={**player.auth, "If-Match": f'"{slot["version"]}"'}, json=body)
    assert ok.status_code == 200, ok.text


def test_websocket_frames_follow_the_same_rule_and_the_session_goes_on(http):
    client, _, _ = start(http)
    assert client.conn is not None
    client.conn.send('{"type": "action", "seq": 1, "action_type": "emote", "payload": ' + nested(300) + "}")
    assert client.recv()["code"] == "invalid_value"
    client.conn.send('{"type": "action", "seq": 1, "action_type": "chat", "payload": {"text": "a\\u0000"}}')
    assert client.recv()["code"] == "invalid_value"
    client.conn.send('{"type": "action", "seq": NaN}')
    assert client.recv()["code"] == "malformed_json"
    client.send({"type": "action", "seq": True, "action_type": "chat", "payload": {"text": "hi"}})
    assert client.recv()["code"] == "invalid_action"
    assert client.act(1)["type"] == "ack", "the session went on"
    client.close()


def test_a_binary_frame_closes_with_1003_unsupported_data(http):
    client, _, _ = start(http)
    assert client.conn is not None
    client.conn.send(b'{"type": "heartbeat"}')
    with pytest.raises(ConnectionClosed) as closed:
        client.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1003


def test_a_close_reason_never_exceeds_what_a_close_frame_carries(http):
    player = sign_up(http)
    code, reason = Client(ws_url(http), player).refused(
        {"type": "hello", "token": player.token, "protocol_version": "é" * 16}
    )
    assert code == 4426
    assert len(reason.encode()) <= 123
