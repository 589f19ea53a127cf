"""/health tells the truth, and /metrics shows what it counts."""

from __future__ import annotations

from domain.narrative.save_slots import SaveSlot
from tests.e2e.helpers import sign_up
from tests.integration.kafka_helpers import wait_until


def test_health_is_ok_while_every_reader_keeps_up(http):
    body = http.get("/health").json()
    assert http.get("/health").status_code == 200
    assert body["status"] == "ok" and body["problems"] == []


def test_a_dead_letter_makes_health_503_with_the_reason_and_shows_in_metrics(http, live_server):
    player = sign_up(http, "Ada")
    live_server.container.store.write(SaveSlot(owner_id=player.id, name="a\x00b", narrative_state={}))
    sign_up(http, "Grace")  # written after the poison: still projected

    def caught_up_past_it() -> bool:
        body = http.get("/health").json()
        return all(p["lag"] == 0 for p in body.get("projections", {}).values())

    wait_until(caught_up_past_it, 10, message="every projection moved past the poison")
    response = http.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert any(p.startswith("save_slots has 1 dead letter") for p in body["problems"])
    assert body["projections"]["save_slots"]["dead_letters"] == 1
    assert body["projections"]["players"]["lag"] == 0
    wait_until(
        lambda: 'lorekeeper_dead_letters{reader="save_slots"} 1.0' in http.get("/metrics").text,
        10,
        message="the dead letter in /metrics",
    )


def test_a_timer_left_waiting_makes_health_503_and_shows_in_metrics(http, live_server):
    """The timer worker down (or turns not reaching Kafka): heroes stop deciding
    and sessions stop ending, and the operator hears of it."""
    live_server.container.timer_follower.stop()
    with live_server.container.pool.connection() as conn:
        conn.execute(
            "INSERT INTO lorekeeper_timers (kind, subject, due_at) "
            "VALUES ('tycoon.hero_turn', gen_random_uuid(), now() - interval '2 minutes')"
        )
    response = http.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["timers"]["tycoon.hero_turn"]["due"] == 1
    assert body["timers"]["tycoon.hero_turn"]["late_seconds"] >= 120
    assert any(p.startswith("1 tycoon.hero_turn timer(s) due, the oldest 12") for p in body["problems"])
    metrics = http.get("/metrics").text
    assert 'lorekeeper_timers_due{kind="tycoon.hero_turn"} 1.0' in metrics
    assert 'lorekeeper_timers_late_seconds{kind="tycoon.hero_turn"} 12' in metrics
