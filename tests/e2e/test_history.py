"""Analysts over HTTP: the event history as NDJSON (filters, order, sealing,
roles) and time travel through any aggregate."""

from __future__ import annotations

from uuid import UUID

import httpx
import orjson

from domain.narrative.save_slots import SaveSlot
from tests.e2e.helpers import assert_problem, new_slot, sign_up
from tests.e2e.test_accounts import upgrade

NAME, SLOT = "Grace Hopper", "Grace's compiler notes"


def lines(response: httpx.Response) -> list[dict]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/x-ndjson"
    assert response.text.endswith("\n") or response.text == ""
    return [orjson.loads(line) for line in response.text.splitlines()]


def events(http: httpx.Client, headers: dict[str, str], **params) -> list[dict]:
    return lines(http.get("/v1/events", headers=headers, params=params))


def saved_slot(http: httpx.Client, player, saves: int = 3) -> dict:
    slot = new_slot(http, player, SLOT, {"chapter": 0})
    for chapter in range(1, saves + 1):
        r = http.put(
            f"/v1/save-slots/{slot['slot_id']}",
            headers={**player.auth, "If-Match": f'"{chapter}"'},
            json={"narrative_state": {"chapter": chapter}},
        )
        assert r.status_code == 200, r.text
    return slot


def test_only_analysts_and_admins_read_the_history(http, live_server):
    player = sign_up(http)
    assert_problem(http.get("/v1/events", headers=player.auth), 403, "forbidden")
    assert_problem(http.get("/v1/events"), 401, "unauthorized")
    assert events(http, live_server.token("analyst"), limit=1)
    assert events(http, live_server.token("admin"), limit=1)


def test_filters_and_order(http, live_server):
    analyst = live_server.token("analyst")
    player = sign_up(http, NAME)
    slot = saved_slot(http, player)
    everything = events(http, analyst)
    positions = [e["position"] for e in everything]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    for line in everything:
        assert set(line) == {
            "position",
            "topic",
            "aggregate_id",
            "aggregate_type",
            "aggregate_version",
            "recorded_at",
            "data",
        }
        assert line["recorded_at"] == line["data"]["timestamp"]
        assert line["aggregate_type"] == line["topic"].split(".")[1]

    slot_events = events(http, analyst, aggregate_id=slot["slot_id"])
    assert [e["aggregate_version"] for e in slot_events] == [1, 2, 3, 4]
    assert {e["aggregate_type"] for e in slot_events} == {"save_slot"}

    saves = events(http, analyst, topics="lorekeeper.save_slot.Progress*")
    assert saves and {e["topic"] for e in saves} == {"lorekeeper.save_slot.ProgressSaved"}
    both = events(http, analyst, topics="lorekeeper.save_slot.*, lorekeeper.player.Created")
    assert {e["topic"] for e in both} >= {"lorekeeper.save_slot.Created", "lorekeeper.player.Created"}
    assert all(e["topic"].startswith(("lorekeeper.save_slot.", "lorekeeper.player.Created")) for e in both)

    middle = positions[len(positions) // 2]
    window = events(http, analyst, after=positions[1], until=middle)
    assert [e["position"] for e in window] == [p for p in positions if positions[1] < p <= middle]
    assert [e["position"] for e in events(http, analyst, after=positions[0], limit=2)] == positions[1:3]

    # until as a time: the last event stamped at or before it, and nothing after.
    second_save = slot_events[2]
    by_time = events(http, analyst, until=second_save["recorded_at"])
    assert by_time[-1]["position"] == second_save["position"]


def test_bad_selections_are_refused(http, live_server):
    analyst = live_server.token("analyst")
    for params, code in (
        ({"topics": "lorekeeper.save_slot.%"}, "invalid_selection"),
        ({"until": "yesterday"}, "invalid_selection"),
        ({"after": -1}, "validation_failed"),
        ({"limit": 0}, "validation_failed"),
        ({"aggregate_id": "not-a-uuid"}, "validation_failed"),
    ):
        assert_problem(http.get("/v1/events", headers=analyst, params=params), 422, code)


def test_personal_fields_are_sealed_unless_an_admin_reads_them(http, live_server):
    player = sign_up(http, NAME)
    assert upgrade(http, player, username="grace_h", email="grace@example.org").status_code == 201
    saved_slot(http, player, saves=1)
    analyst_view = http.get("/v1/events", headers=live_server.token("analyst"), params={"topics": "*"}).text
    admin_view = http.get("/v1/events", headers=live_server.token("admin")).text
    assert NAME not in analyst_view and SLOT not in analyst_view and "grace@example.org" not in analyst_view
    assert "$personal" in analyst_view
    assert NAME in admin_view and SLOT in admin_view and "grace@example.org" in admin_view
    assert "password_hash" not in admin_view and "argon2" not in admin_view

    r = http.delete(f"/v1/players/{player.id}", headers=player.auth)
    assert r.status_code in (200, 202, 204), r.text
    after_erasure = http.get("/v1/events", headers=live_server.token("admin")).text
    assert NAME not in after_erasure and SLOT not in after_erasure and "grace@example.org" not in after_erasure


def test_time_travel_equals_replaying_the_events_by_hand(http, live_server):
    player = sign_up(http, NAME)
    slot = saved_slot(http, player, saves=3)
    slot_id = slot["slot_id"]
    store = live_server.container.store
    stored = store.recorder.select_events(UUID(slot_id))
    for version in (1, 2, 4):
        by_hand = None
        for event in stored[:version]:
            by_hand = store.mapper.to_domain_event(event).mutate(by_hand)
        assert isinstance(by_hand, SaveSlot)
        r = http.get(f"/v1/aggregates/{slot_id}", headers=player.auth, params={"at_version": version})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["aggregate_id"] == slot_id and body["aggregate_type"] == "save_slot"
        assert body["version"] == version
        assert body["state"]["narrative_state"] == by_hand.narrative_state
        assert body["state"]["name"] == SLOT  # the owner reads their own name

    history = events(http, live_server.token("analyst"), aggregate_id=slot_id)
    r = http.get(f"/v1/aggregates/{slot_id}", headers=player.auth, params={"at": history[2]["recorded_at"]})
    assert r.json()["version"] == 3 and r.json()["state"]["narrative_state"] == {"chapter": 2}
    assert http.get(f"/v1/aggregates/{slot_id}", headers=player.auth).json()["version"] == 4

    analyst = http.get(f"/v1/aggregates/{slot_id}", headers=live_server.token("analyst")).json()
    assert analyst["state"]["name"] == "[sealed]" and analyst["version"] == 4
    assert (
        http.get(f"/v1/aggregates/{player.id}", headers=live_server.token("admin")).json()["state"]["display_name"]
        == NAME
    )

    stranger = sign_up(http)
    assert_problem(http.get(f"/v1/aggregates/{slot_id}", headers=stranger.auth), 403, "forbidden")
    assert_problem(
        http.get(f"/v1/aggregates/{slot_id}", headers=player.auth, params={"at_version": 1, "at": "2020-01-01"}),
        422,
        "invalid_selection",
    )
    assert_problem(
        http.get(f"/v1/aggregates/{slot_id}", headers=player.auth, params={"at": "2000-01-01T00:00:00Z"}),
        404,
        "not_found",
    )
    assert_problem(
        http.get("/v1/aggregates/00000000-0000-4000-8000-000000000000", headers=player.auth), 404, "not_found"
    )
    beyond = assert_problem(
        http.get(f"/v1/aggregates/{slot_id}", headers=player.auth, params={"at_version": 5}), 404, "not_found"
    )
    assert beyond["last_version"] == 4
