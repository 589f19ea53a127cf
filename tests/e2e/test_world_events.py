"""World events (seed 002, part 2) over HTTP: a festival opens and closes on
time (``is_active`` flips with no request), a craft during it records the
festival's odds, a season comes back one period later, a player's own event
is small and theirs to cancel, and bad input is a problem that records nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.adventure import Adventurer
from tests.e2e.helpers import assert_problem, rows, settled, sign_up
from tests.e2e.test_adventure import PLANKS, character, world
from tests.integration.kafka_helpers import wait_until


def at(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


def active(live_server, event_id) -> bool | None:
    found = rows(live_server, "SELECT is_active FROM adventure.world_events WHERE id = %s", event_id)
    return found[0]["is_active"] if found else None


def test_a_festival_opens_and_closes_on_time_and_crafts_read_its_odds(http, live_server, admin):
    ada = sign_up(http, "Ada")
    w = world(http, admin)
    base = f"/v1/worlds/{w['id']}"
    me = character(http, ada, w["id"])
    http.post("/v1/recipes", headers=admin, json=PLANKS)
    festival = {
        "event_type": "festival",
        "event_name": "Woodcutters' Fair",
        "effects": {"craft_odds": 0.4, "recipe_types": ["woodcutting"]},
        "start_time": at(0.5),
        "end_time": at(4),
    }
    made = http.post(f"{base}/events", headers=admin, json=festival)
    assert made.status_code == 201, made.text
    fair = made.json()
    assert fair["status"] == "scheduled" and made.headers["location"] == f"{base}/events/{fair['id']}"
    wait_until(lambda: active(live_server, fair["id"]) is True, 15, 0.05, "the fair to open")
    loot = {"item_type": "material", "item_name": "log", "quantity": 1}
    assert (
        http.post(f"{base}/characters/{me['id']}/items", headers=live_server.token("server"), json=loot).status_code
        == 200
    )
    assert (
        http.post(f"{base}/characters/{me['id']}/craft", headers=ada.auth, json={"recipe_name": "Planks"}).status_code
        == 200
    )
    attempts = [e for e in live_server.container.store.events.get(me["id"]) if isinstance(e, Adventurer.CraftAttempted)]
    assert [a.odds for a in attempts] == [0.9]  # 0.5 for a beginner, 0.4 from the fair
    listed = http.get(f"{base}/events", headers=ada.auth, params={"active": True}).json()["items"]
    assert [e["event_name"] for e in listed] == ["Woodcutters' Fair"]
    wait_until(lambda: active(live_server, fair["id"]) is False, 15, 0.05, "the fair to close")
    assert http.get(f"{base}/events/{fair['id']}", headers=ada.auth).json()["status"] == "ended"


def test_a_season_comes_back_one_period_later(http, live_server, admin):
    w = world(http, admin)
    base = f"/v1/worlds/{w['id']}"
    season = {"event_type": "season", "event_name": "Short Winter", "start_time": at(0.2), "end_time": at(1.2),
              "every_seconds": 60, "effects": {"quest_experience": 2}}  # fmt: skip
    made = http.post(f"{base}/events", headers=admin, json=season).json()
    first_start = datetime.fromisoformat(made["start_time"])

    def rescheduled() -> bool:
        now = http.get(f"{base}/events/{made['id']}", headers=admin).json()
        return now["status"] == "scheduled" and datetime.fromisoformat(now["start_time"]) > first_start

    wait_until(rescheduled, 15, 0.1, "the season to end and be scheduled again")
    again = http.get(f"{base}/events/{made['id']}", headers=admin).json()
    assert datetime.fromisoformat(again["start_time"]) - first_start == timedelta(seconds=60)
    cancelled = http.post(f"{base}/events/{made['id']}/cancel", headers=admin)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert_problem(http.post(f"{base}/events/{made['id']}/cancel", headers=admin), 409, "world_event_refused")


def test_a_players_event_is_small_and_theirs_and_bad_events_record_nothing(http, live_server, admin):
    ada, bob = sign_up(http, "Ada"), sign_up(http, "Bob")
    w = world(http, admin)
    base = f"/v1/worlds/{w['id']}"
    me = character(http, ada, w["id"])
    party = {"event_type": "player", "event_name": "Ada's Feast", "start_time": at(60), "end_time": at(1800),
             "character_id": me["id"]}  # fmt: skip
    feast = http.post(f"{base}/events", headers=ada.auth, json=party)
    assert feast.status_code == 201, feast.text
    assert feast.json()["trigger"] == "player" and feast.json()["triggered_by"] == me["id"]
    before = settled(live_server)
    for response, status, code in (
        (http.post(f"{base}/events", headers=ada.auth, json={**party, "character_id": None}), 403, "forbidden"),
        (http.post(f"{base}/events", headers=bob.auth, json=party), 403, "forbidden"),
        (http.post(f"{base}/events", headers=ada.auth, json={**party, "end_time": at(7200)}), 422,
         "invalid_world_event"),
        (http.post(f"{base}/events", headers=ada.auth, json={**party, "effects": {"craft_odds": 0.5}}), 422,
         "invalid_world_event"),
        (http.post(f"{base}/events", headers=ada.auth, json={**party, "event_type": "invasion"}), 422,
         "invalid_world_event"),
        (http.post(f"{base}/events", headers=admin, json={**party, "character_id": None, "event_type": "storm",
                                                          "end_time": at(30)}), 422, "invalid_world_event"),
        (http.post(f"{base}/events", headers=admin, json={**party, "character_id": None, "event_type": "storm",
                                                          "effects": {"craft_odds": 0.9}}), 422, "invalid_world_event"),
        (http.post(f"{base}/events", headers=admin, json={**party, "character_id": None, "event_type": "storm",
                                                          "effects": {"rain": 1}}), 422, "invalid_world_event"),
        (http.post(f"{base}/events/{feast.json()['id']}/cancel", headers=bob.auth), 403, "forbidden"),
    ):  # fmt: skip
        assert_problem(response, status, code)
    assert settled(live_server) == before
    mine = http.post(f"{base}/events/{feast.json()['id']}/cancel", headers=ada.auth)
    assert mine.status_code == 200 and mine.json()["status"] == "cancelled"
