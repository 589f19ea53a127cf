"""Quests (seed 002, part 2) over HTTP: an admin posts a quest of ordered
objectives; a party of two characters takes it on; the game's own events
(loot, a craft, experience) move it on, with no client saying "done"; the
run completes with every member's rewards in one write; a time-limited
quest's run expires on time; and bad input is a problem that records nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.helpers import assert_problem, rows, settled, sign_up
from tests.e2e.test_adventure import PLANKS, character, world
from tests.integration.kafka_helpers import wait_until


@pytest.fixture
def server(live_server):
    return live_server.token("server")


OBJECTIVES = [
    {"objective_text": "Gather logs", "requirements": {"kind": "gather", "item_name": "log", "count": 6}},
    {
        "objective_text": "Saw planks",
        "requirements": {"kind": "craft", "recipe_name": "Planks", "count": 1, "unlock": {"items": ["log"]}},
    },
    {"objective_text": "Grow", "requirements": {"kind": "reach_level", "level": 2}},
]
REWARDS = {
    "experience": 100,
    "items": [{"item_type": "trinket", "item_name": "mill_key"}],
    "world_flags": {"mill": "open"},
}


def test_a_party_completes_a_quest_by_playing_and_is_rewarded_in_one_write(http, live_server, admin, server):
    ada, bob = sign_up(http, "Ada"), sign_up(http, "Bob")
    w = world(http, admin)
    base = f"/v1/worlds/{w['id']}"
    a, b = character(http, ada, w["id"]), character(http, bob, w["id"], "Bob")
    http.post("/v1/recipes", headers=admin, json=PLANKS)  # 201, or 409 made by another test
    body = {"title": "The Mill", "quest_type": "party", "objectives": OBJECTIVES, "rewards": REWARDS, "party_max": 2}
    posted = http.post(f"{base}/quests", headers=admin, json=body)
    assert posted.status_code == 201, posted.text
    quest = posted.json()
    assert [o["order_index"] for o in quest["objectives"]] == [0, 1, 2]
    began = http.post(f"{base}/characters/{a['id']}/quests", headers=ada.auth, json={"quest_id": quest["id"]})
    assert began.status_code == 201, began.text
    run = began.json()
    assert run["targets"] == [6, 1, 2] and run["scale"] == 1.0 and run["counts"] == [0, 0, 0]
    joined = http.post(
        f"{base}/characters/{b['id']}/quests",
        headers=bob.auth,
        json={"quest_id": quest["id"], "party_id": run["party_id"]},
    )
    assert joined.status_code == 201, joined.text
    assert sorted(joined.json()["members"]) == sorted([a["id"], b["id"]])

    def loot(who, quantity):
        item = {"item_type": "material", "item_name": "log", "quantity": quantity, "reason": "gather"}
        assert http.post(f"{base}/characters/{who['id']}/items", headers=server, json=item).status_code == 200

    loot(a, 4)
    loot(b, 3)  # the party's: 7 of 6

    def counts():
        return http.get(f"{base}/characters/{a['id']}/quests/{quest['id']}", headers=ada.auth).json()["counts"]

    wait_until(lambda: counts()[0] == 6, 15, 0.1, "the logs to count")
    for _ in range(30):  # the server rolls: a failed craft counts nothing, so craft until one succeeds
        loot(b, 1)
        assert (
            http.post(
                f"{base}/characters/{b['id']}/craft", headers=bob.auth, json={"recipe_name": "Planks"}
            ).status_code
            == 200
        )
        settled(live_server)
        if counts()[1] == 1:
            break
    assert counts()[1] == 1
    grown = http.post(f"{base}/characters/{a['id']}/experience", headers=server, json={"amount": 150, "reason": "x"})
    assert grown.status_code == 200

    def ended():
        return rows(live_server, "SELECT character_id::text AS c, status, rewards_earned FROM adventure.quest_progress "
                    "WHERE party_id = %s ORDER BY character_id", run["party_id"])  # fmt: skip

    wait_until(lambda: {r["status"] for r in ended()} == {"completed"}, 20, 0.1, "the run to complete")
    assert sorted(r["c"] for r in ended()) == sorted([a["id"], b["id"]])
    assert all(r["rewards_earned"]["experience"] == 100 for r in ended())
    for who, player in ((a, ada), (b, bob)):
        me = http.get(f"{base}/characters/{who['id']}", headers=player.auth).json()
        assert "mill_key" in [s["item_name"] for s in me["inventory"]]
    assert rows(live_server, "SELECT flags FROM adventure.worlds WHERE id = %s", w["id"]) == [
        {"flags": {"mill": "open"}}
    ]
    objectives = rows(
        live_server,
        "SELECT order_index, is_completed, progress_data FROM adventure.quest_objectives WHERE quest_id = %s "
        "ORDER BY order_index",
        quest["id"],
    )
    assert [(o["is_completed"], o["progress_data"]["completions"]) for o in objectives] == [(True, 1)] * 3
    mine = http.get(f"{base}/characters/{a['id']}/quests", headers=ada.auth, params={"status": "completed"})
    assert [r["title"] for r in mine.json()["items"]] == ["The Mill"]
    again = http.post(f"{base}/characters/{a['id']}/quests", headers=ada.auth, json={"quest_id": quest["id"]})
    assert_problem(again, 409, "quest_refused")


def test_a_time_limited_run_expires_on_time_and_the_quest_closes(http, live_server, admin):
    ada = sign_up(http, "Ada")
    w = world(http, admin)
    base = f"/v1/worlds/{w['id']}"
    a = character(http, ada, w["id"])
    soon = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
    body = {"title": "Before dawn", "objectives": OBJECTIVES[:1], "expires_at": soon, "difficulty_level": 6}
    quest = http.post(f"{base}/quests", headers=admin, json=body).json()
    run = http.post(f"{base}/characters/{a['id']}/quests", headers=ada.auth, json={"quest_id": quest["id"]}).json()
    assert run["scale"] == 0.5 and run["targets"] == [3]  # level 1 against difficulty 6: half as much

    def status():
        found = rows(live_server, "SELECT status FROM adventure.quest_progress WHERE party_id = %s", run["party_id"])
        return found[0]["status"] if found else None

    wait_until(lambda: status() == "expired", 20, 0.1, "the run to expire")
    wait_until(lambda: not http.get(f"{base}/quests/{quest['id']}", headers=ada.auth).json()["is_active"], 20, 0.1,
               "the quest to close")  # fmt: skip
    closed = http.post(f"{base}/characters/{a['id']}/quests", headers=ada.auth, json={"quest_id": quest["id"]})
    assert_problem(closed, 409, "quest_closed")
    assert http.get(f"{base}/characters/{a['id']}", headers=ada.auth).json()["version"] >= 1


def test_bad_quests_and_refused_runs_are_problems_that_record_nothing(http, live_server, admin):
    ada, bob = sign_up(http, "Ada"), sign_up(http, "Bob")
    w = world(http, admin)
    base = f"/v1/worlds/{w['id']}"
    a, b = character(http, ada, w["id"]), character(http, bob, w["id"], "Bob")
    guarded = {"title": "Elite", "objectives": OBJECTIVES[:1], "requirements": {"level": 10}}
    elite = http.post(f"{base}/quests", headers=admin, json=guarded).json()
    solo = http.post(f"{base}/quests", headers=admin, json={"title": "Solo", "objectives": OBJECTIVES[:1]}).json()
    run = http.post(f"{base}/characters/{a['id']}/quests", headers=ada.auth, json={"quest_id": solo["id"]}).json()
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    before = settled(live_server)
    for response, status, code in (
        (http.post(f"{base}/quests", headers=ada.auth, json={"title": "Mine", "objectives": OBJECTIVES}), 403,
         "forbidden"),
        (http.post(f"{base}/quests", headers=admin, json={"title": "T", "objectives": [
            {"objective_text": "x", "requirements": {"kind": "dance"}}]}), 422, "invalid_quest"),
        (http.post(f"{base}/quests", headers=admin, json={"title": "T", "objectives": [
            {"objective_text": "x", "requirements": {"kind": "gather", "item_name": "log", "count": 0}}]}), 422,
         "invalid_quest"),
        (http.post(f"{base}/quests", headers=admin, json={"title": "T", "objectives": OBJECTIVES,
                                                          "rewards": {"take_items": {"log": 1}}}),
         422, "invalid_quest"),
        (http.post(f"{base}/quests", headers=admin, json={"title": "T", "objectives": OBJECTIVES,
                                                          "requirements": {"level": "x"}}), 422, "invalid_rule"),
        (http.post(f"{base}/quests", headers=admin, json={"title": "T", "objectives": OBJECTIVES,
                                                          "expires_at": past}), 422, "invalid_quest"),
        (http.post(f"{base}/characters/{a['id']}/quests", headers=ada.auth, json={"quest_id": elite["id"]}), 409,
         "quest_refused"),
        (http.post(f"{base}/characters/{a['id']}/quests", headers=ada.auth, json={"quest_id": solo["id"]}), 409,
         "quest_refused"),
        (http.post(f"{base}/characters/{b['id']}/quests", headers=bob.auth,
                   json={"quest_id": solo["id"], "party_id": run["party_id"]}), 409, "quest_refused"),
        (http.post(f"{base}/characters/{a['id']}/quests", headers=bob.auth, json={"quest_id": solo["id"]}), 403,
         "forbidden"),
        (http.post(f"{base}/characters/{b['id']}/quests/{solo['id']}/abandon", headers=bob.auth), 409,
         "quest_refused"),
    ):  # fmt: skip
        assert_problem(response, status, code)
    assert settled(live_server) == before
    given_up = http.post(f"{base}/characters/{a['id']}/quests/{solo['id']}/abandon", headers=ada.auth)
    assert given_up.status_code == 200 and given_up.json()["status"] == "abandoned"
