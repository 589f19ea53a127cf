"""Save slots over HTTP: create, read, save under If-Match, list, limits."""

from __future__ import annotations

import time
import uuid

import pytest

from tests.e2e.helpers import assert_problem, new_slot, read, sign_up


def test_create_read_and_save_a_slot(http):
    player = sign_up(http)
    r = http.post("/v1/save-slots", headers=player.auth, json={"name": "main", "narrative_state": {"node": "intro"}})
    assert r.status_code == 201
    slot = r.json()
    assert r.headers["location"] == f"/v1/save-slots/{slot['slot_id']}"
    assert r.headers["etag"] == '"1"'
    assert slot["progression_version"] == 0 and slot["account_id"] == player.id

    saved = http.put(
        f"/v1/save-slots/{slot['slot_id']}",
        headers={**player.auth, "If-Match": r.headers["etag"]},
        json={"narrative_state": {"node": "chapter-1", "scene": "met_ada"}},
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["progression_version"] == 1
    assert saved.headers["etag"] == '"2"'

    got = read(http, f"/v1/save-slots/{slot['slot_id']}", player, position=saved.json()["position"])
    assert got.status_code == 200
    assert got.json()["narrative_state"] == {"node": "chapter-1", "scene": "met_ada"}
    assert got.headers["etag"] == '"2"'


def test_saving_requires_if_match_and_refuses_a_stale_one(http):
    player = sign_up(http)
    slot = new_slot(http, player)
    url = f"/v1/save-slots/{slot['slot_id']}"
    assert_problem(http.put(url, headers=player.auth, json={"narrative_state": {}}), 428, "precondition_required")
    http.put(url, headers={**player.auth, "If-Match": '"1"'}, json={"narrative_state": {"a": 1}})
    stale = assert_problem(
        http.put(url, headers={**player.auth, "If-Match": '"1"'}, json={"narrative_state": {"a": 2}}),
        412,
        "version_conflict",
    )
    assert stale["current_version"] == 2
    assert read(http, url, player, position=slot["position"] + 1).json()["narrative_state"] == {"a": 1}


def test_a_retried_save_with_the_same_idempotency_key_is_applied_once(http):
    player = sign_up(http)
    slot = new_slot(http, player)
    url = f"/v1/save-slots/{slot['slot_id']}"
    headers = {**player.auth, "If-Match": '"1"', "Idempotency-Key": "save-42"}
    first = http.put(url, headers=headers, json={"narrative_state": {"a": 1}})
    retry = http.put(url, headers=headers, json={"narrative_state": {"a": 1}})
    assert first.status_code == retry.status_code == 200
    assert retry.json() == first.json()
    assert retry.headers["etag"] == '"2"'
    assert retry.headers["idempotent-replayed"] == "true"
    reused = http.put(url, headers=headers, json={"narrative_state": {"a": 2}})
    assert_problem(reused, 422, "idempotency_key_reused")
    assert read(http, url, player, position=first.json()["position"]).json()["version"] == 2


def test_another_players_slot_cannot_be_read_or_saved(http):
    ada, bob = sign_up(http), sign_up(http)
    slot = new_slot(http, ada)
    url = f"/v1/save-slots/{slot['slot_id']}"
    assert_problem(read(http, url, bob, position=slot["position"]), 403, "forbidden")
    assert_problem(
        http.put(url, headers={**bob.auth, "If-Match": '"1"'}, json={"narrative_state": {}}), 403, "forbidden"
    )
    assert_problem(http.get(f"/v1/players/{ada.id}/save-slots", headers=bob.auth), 403, "forbidden")
    assert read(http, url, ada).json()["version"] == 1


def test_unknown_slots_are_404(http):
    player = sign_up(http)
    url = f"/v1/save-slots/{uuid.uuid4()}"
    assert_problem(http.get(url, headers=player.auth), 404, "not_found")
    assert_problem(
        http.put(url, headers={**player.auth, "If-Match": '"1"'}, json={"narrative_state": {}}), 404, "not_found"
    )


def test_slot_bodies_are_validated(http):
    player = sign_up(http)
    assert_problem(
        http.post("/v1/save-slots", headers=player.auth, json={"narrative_state": {}}), 422, "validation_failed"
    )
    assert_problem(http.post("/v1/save-slots", headers=player.auth, json={"name": " "}), 422, "invalid_slot_name")
    assert_problem(
        http.post("/v1/save-slots", headers=player.auth, json={"name": "a", "narrative_state": []}),
        422,
        "validation_failed",
    )
    slot = new_slot(http, player)
    url = f"/v1/save-slots/{slot['slot_id']}"
    assert_problem(
        http.put(url, headers={**player.auth, "If-Match": '"1"'}, json={"narrative_state": "x"}),
        422,
        "validation_failed",
    )
    assert_problem(
        http.put(
            url, headers={**player.auth, "If-Match": '"1"'}, json={"narrative_state": {}, "progression_version": 99}
        ),
        422,
        "validation_failed",
    )
    assert read(http, url, player, position=slot["position"]).json()["progression_version"] == 0


def test_a_player_holds_at_most_the_configured_number_of_slots(http):
    player = sign_up(http)
    for i in range(5):
        new_slot(http, player, f"slot {i}")
    body = assert_problem(
        http.post("/v1/save-slots", headers=player.auth, json={"name": "one too many"}), 409, "save_slot_limit_reached"
    )
    assert body["limit"] == 5


def test_listing_slots_pages_with_an_opaque_cursor(http):
    player = sign_up(http)
    created = [new_slot(http, player, f"slot {i}") for i in range(5)]
    url = f"/v1/players/{player.id}/save-slots"
    seen, cursor = [], None
    while True:
        params = {"limit": 2, "min_position": created[-1]["position"]}
        if cursor:
            params["cursor"] = cursor
        page = http.get(url, headers=player.auth, params=params).json()
        seen += [s["slot_id"] for s in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [s["slot_id"] for s in created]
    assert_problem(http.get(url, headers=player.auth, params={"cursor": "forged!"}), 422, "invalid_cursor")
    assert_problem(http.get(url, headers=player.auth, params={"limit": 500}), 422, "validation_failed")


def test_read_your_writes_times_out_with_503_when_the_read_models_do_not_reach_the_position(http, live_server):
    reads = live_server.container.read_side
    reads.wait_max_seconds = 0.3
    player = sign_up(http)
    reads.names.append("a-projection-that-never-runs")  # so the position is never reached
    r = http.get(f"/v1/players/{player.id}", headers=player.auth, params={"min_position": player.position})
    assert_problem(r, 503, "projection_lagging")
    assert r.headers["retry-after"] == "1"


def test_a_position_beyond_the_last_event_is_refused_at_once_not_waited_for(http, live_server):
    live_server.container.read_side.wait_max_seconds = 30
    player = sign_up(http)
    started = time.monotonic()
    r = http.get(f"/v1/players/{player.id}", headers=player.auth, params={"min_position": 10**9})
    body = assert_problem(r, 422, "position_beyond_head")
    assert time.monotonic() - started < 10, "answered without waiting the bound"
    assert body["head"] >= player.position
    for huge in (2**63, 2**64, -1):
        assert_problem(
            http.get(f"/v1/players/{player.id}", headers=player.auth, params={"min_position": huge}),
            422,
            "validation_failed",
        )


def test_waiting_reads_are_bounded_and_the_rest_are_told_at_once(http, live_server):
    reads = live_server.container.read_side
    reads.wait_max_seconds = 3
    player = sign_up(http)
    reads.names.append("a-projection-that-never-runs")
    for _ in range(reads.max_waiters):
        assert reads._waiters.acquire(blocking=False)  # every slot taken, as by slow waiters
    try:
        started = time.monotonic()
        r = http.get(f"/v1/players/{player.id}", headers=player.auth, params={"min_position": player.position})
        assert_problem(r, 503, "projection_lagging")
        assert time.monotonic() - started < 2.5
    finally:
        for _ in range(reads.max_waiters):
            reads._waiters.release()


@pytest.mark.parametrize("live_server", [{"max_body_bytes": 1024}], indirect=True)
def test_oversize_bodies_are_413_whether_declared_or_streamed(http):
    player = sign_up(http)
    big = {"name": "x", "narrative_state": {"blob": "x" * 2000}}
    assert_problem(http.post("/v1/save-slots", headers=player.auth, json=big), 413, "payload_too_large")

    def chunks():
        yield b'{"name": "x", "narrative_state": {"blob": "'
        for _ in range(10):
            yield b"x" * 200
        yield b'"}}'

    streamed = http.post(
        "/v1/save-slots", headers={**player.auth, "content-type": "application/json"}, content=chunks()
    )
    assert_problem(streamed, 413, "payload_too_large")
    listed = http.get(f"/v1/players/{player.id}/save-slots", headers=player.auth, params={"min_position": 2})
    assert listed.json()["items"] == []


def test_a_wrong_content_type_is_refused(http):
    player = sign_up(http)
    r = http.post("/v1/save-slots", headers={**player.auth, "content-type": "text/plain"}, content=b"name=x")
    assert_problem(r, 422, "validation_failed")


def test_restoring_another_players_slot_is_403_whatever_the_version_and_reveals_nothing(http):
    owner, stranger = sign_up(http), sign_up(http)
    slot = new_slot(http, owner)
    url = f"/v1/save-slots/{slot['slot_id']}/restore"
    existing = http.post(url, headers=stranger.auth, json={"progression_version": 0})
    missing = http.post(url, headers=stranger.auth, json={"progression_version": 999})
    assert assert_problem(existing, 403, "forbidden")["detail"] == assert_problem(missing, 403, "forbidden")["detail"]
    assert_problem(
        http.post(f"/v1/save-slots/{uuid.uuid4()}/restore", headers=stranger.auth, json={"progression_version": 0}),
        404,
        "not_found",
    )
