"""Characters over HTTP: create, read (read model), ownership, validation."""

from __future__ import annotations

import uuid

from tests.e2e.helpers import assert_problem, read, sign_up


def test_create_and_read_a_character(http):
    player = sign_up(http, "Ada")
    r = http.post("/v1/characters", headers=player.auth, json={"display_name": "Ada the Bold", "x": 3, "y": 4})
    assert r.status_code == 201, r.text
    created = r.json()
    assert r.headers["location"] == f"/v1/characters/{created['character_id']}"
    got = read(http, r.headers["location"], player, position=created["position"])
    assert got.status_code == 200
    body = got.json()
    assert (body["position_x"], body["position_y"], body["health"]) == (3, 4, 100)
    assert body["user_id"] == player.id
    assert got.headers["etag"] == '"1"'


def test_characters_are_private_and_validated(http):
    ada, eve = sign_up(http, "Ada"), sign_up(http, "Eve")
    created = http.post("/v1/characters", headers=ada.auth, json={"display_name": "Ada"}).json()
    url = f"/v1/characters/{created['character_id']}"
    assert_problem(read(http, url, eve, position=created["position"]), 403, "forbidden")
    assert_problem(http.get(f"/v1/characters/{uuid.uuid4()}", headers=ada.auth), 404, "not_found")
    assert_problem(
        http.post("/v1/characters", headers=ada.auth, json={"display_name": "x", "x": -1}), 422, "validation_failed"
    )
    assert_problem(
        http.post("/v1/characters", headers=ada.auth, json={"display_name": "x", "x": 5000}), 422, "illegal_move"
    )
    assert_problem(
        http.post("/v1/characters", headers=ada.auth, json={"display_name": " "}), 422, "invalid_display_name"
    )
    assert_problem(http.post("/v1/characters", json={"display_name": "x"}), 401, "unauthorized")
