"""Client telemetry over HTTP, and telemetry_events filled by the embedded
default (consumers in-process) and through a real broker."""

from __future__ import annotations

import time
import uuid

from api.deps import provide
from infra.fanout.feed import TelemetrySink
from tests.e2e.helpers import assert_problem, new_slot, sign_up
from tests.integration.kafka_helpers import read_all, wait_until


def telemetry(live_server, account_id: str) -> list[dict]:
    with live_server.container.pool.connection() as conn:
        return conn.execute(
            "SELECT event_type, source, payload FROM narrative.telemetry_events "
            "WHERE account_id = %s ORDER BY timestamp",
            (uuid.UUID(account_id),),
        ).fetchall()


def test_client_telemetry_is_accepted_and_stored_once(http, live_server):
    player = sign_up(http, "Ada")
    event = {"event_id": str(uuid.uuid4()), "event_type": "scene.entered", "payload": {"scene": "harbour"}}
    r = http.post("/v1/telemetry", headers=player.auth, json={"events": [event, {"event_type": "menu.opened"}]})
    assert r.status_code == 202, r.text
    assert r.json()["accepted"] == 2 and r.json()["dropped"] == 0
    assert r.json()["event_ids"][0] == event["event_id"] and len(r.json()["event_ids"]) == 2
    http.post("/v1/telemetry", headers=player.auth, json={"events": [event]})  # a resend
    client_rows = [row for row in telemetry(live_server, player.id) if row["source"] == "client"]
    assert sorted(row["event_type"] for row in client_rows) == ["menu.opened", "scene.entered"]


def test_a_503_tells_the_truth_and_a_retry_with_the_same_key_never_duplicates(http, live_server):
    """The broker may take a batch it did not confirm in time: the answer says
    so, and the retry (same Idempotency-Key) resends the same derived ids."""
    real = live_server.app.state.services.get(TelemetrySink)

    class Unconfirmed:
        def publish(self, messages):
            real.publish(messages)  # it arrives...
            raise TimeoutError("no acknowledgement in time")  # ...but is not confirmed

    async def unconfirmed():
        return Unconfirmed()

    player = sign_up(http, "Ada")
    headers = {**player.auth, "Idempotency-Key": "batch-1"}
    batch = {"events": [{"event_type": "menu.opened"}, {"event_type": "menu.closed"}]}
    live_server.app.dependency_overrides[provide(TelemetrySink)] = unconfirmed
    try:
        refused = http.post("/v1/telemetry", headers=headers, json=batch)
    finally:
        live_server.app.dependency_overrides.clear()
    problem = assert_problem(refused, 503, "telemetry_unavailable")
    assert "may still arrive" in problem["detail"] and refused.headers["retry-after"]
    retried = http.post("/v1/telemetry", headers=headers, json=batch)
    assert retried.status_code == 202, retried.text
    assert retried.json()["event_ids"] == problem["event_ids"], "the retry resent the same ids"
    wait_until(lambda: len(client_rows(live_server, player.id)) >= 2, 10, 0.1, "telemetry stored")
    time.sleep(0.5)
    assert sorted(r["event_type"] for r in client_rows(live_server, player.id)) == ["menu.closed", "menu.opened"]


def client_rows(live_server, account_id: str) -> list[dict]:
    return [row for row in telemetry(live_server, account_id) if row["source"] == "client"]


def test_the_embedded_default_fills_telemetry_events_from_domain_events(http, live_server):
    player = sign_up(http, "Ada")
    new_slot(http, player)
    wait_until(
        lambda: (
            {"lorekeeper.player.Created", "lorekeeper.save_slot.Created"}
            <= {r["event_type"] for r in telemetry(live_server, player.id)}
        ),
        timeout=15,
        message="the in-process telemetry consumer",
    )


def test_an_opted_out_player_is_left_out(http, live_server):
    player = sign_up(http, "Ada")
    r = http.patch(f"/v1/players/{player.id}", headers=player.auth, json={"telemetry_opt_out": True})
    assert r.status_code == 200
    sent = http.post("/v1/telemetry", headers=player.auth, json={"events": [{"event_type": "x"}] * 3})
    assert sent.json() == {"accepted": 0, "dropped": 3, "event_ids": []}
    new_slot(http, player)
    time.sleep(1.5)  # give the in-process consumer time to (wrongly) record something
    assert {r["source"] for r in telemetry(live_server, player.id)} <= {"server"}
    assert "lorekeeper.save_slot.Created" not in {r["event_type"] for r in telemetry(live_server, player.id)}


def test_telemetry_batches_are_bounded_and_validated(http):
    player = sign_up(http)
    url = "/v1/telemetry"
    assert_problem(http.post(url, headers=player.auth, json={"events": []}), 422, "validation_failed")
    assert_problem(
        http.post(url, headers=player.auth, json={"events": [{"event_type": "x"}] * 201}), 422, "validation_failed"
    )
    too_big = {"event_type": "x", "payload": {"blob": "x" * 5000}}
    assert_problem(http.post(url, headers=player.auth, json={"events": [too_big]}), 422, "validation_failed")
    assert_problem(
        http.post(url, headers=player.auth, json={"events": [{"event_type": "has space"}]}), 422, "validation_failed"
    )
    assert_problem(
        http.post(url, headers=player.auth, json={"events": [{"event_type": "x", "extra": 1}]}),
        422,
        "validation_failed",
    )
    assert_problem(http.post(url, json={"events": [{"event_type": "x"}]}), 401, "unauthorized")


def test_client_telemetry_reaches_the_telemetry_topic_through_kafka(kafka_http, kafka):
    player = sign_up(kafka_http, "Ada")
    event_id = str(uuid.uuid4())
    r = kafka_http.post(
        "/v1/telemetry", headers=player.auth, json={"events": [{"event_id": event_id, "event_type": "boss.defeated"}]}
    )
    assert r.status_code == 202, r.text
    messages = read_all(kafka.bootstrap_servers, pattern=r"^lorekeeper\.telemetry$", expect=1)
    (message,) = [m for m in messages if m.headers.get("ce_id") == event_id]
    assert message.key == player.id.encode()
    assert message.headers["ce_type"] == "client.boss.defeated"
    assert message.json()["account_id"] == player.id
    # serve also runs the relay when a broker is configured
    domain = read_all(kafka.bootstrap_servers, pattern=r"^lorekeeper\.player$", expect=1)
    assert any(m.key == player.id.encode() for m in domain)
