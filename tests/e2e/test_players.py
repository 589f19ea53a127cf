"""Reading and changing a player over HTTP."""

from __future__ import annotations

from infra.entrypoints.contexts import read_models
from tests.e2e.helpers import assert_problem, read, sign_up


def test_a_player_reads_its_profile_with_an_etag(http):
    player = sign_up(http, "Ada")
    r = read(http, f"/v1/players/{player.id}", player, position=2)
    assert r.status_code == 200
    body = r.json()
    assert body["account_id"] == player.id
    assert body["platform_links"] == {}
    assert body["created_at"] and body["last_seen"]
    assert r.headers["etag"] == f'"{body["version"]}"'


def test_patch_renames_and_sets_telemetry_opt_out(http):
    player = sign_up(http, "Ada")
    r = http.patch(
        f"/v1/players/{player.id}",
        headers={**player.auth, "If-Match": '"2"'},
        json={"display_name": "Ada L", "telemetry_opt_out": True},
    )
    assert r.status_code == 200, r.text
    assert r.headers["etag"] == '"4"'
    after = read(http, f"/v1/players/{player.id}", player, position=r.json()["position"]).json()
    assert after["display_name"] == "Ada L"
    assert after["telemetry_opt_out"] is True


def test_a_stale_if_match_is_412_with_the_current_version_and_changes_nothing(http):
    player = sign_up(http, "Ada")
    http.patch(f"/v1/players/{player.id}", headers=player.auth, json={"display_name": "B"})
    r = http.patch(f"/v1/players/{player.id}", headers={**player.auth, "If-Match": '"1"'}, json={"display_name": "C"})
    body = assert_problem(r, 412, "version_conflict")
    assert body["current_version"] == 3
    assert read(http, f"/v1/players/{player.id}", player, position=3).json()["display_name"] == "B"


def test_patch_refuses_bad_bodies(http):
    player = sign_up(http, "Ada")
    url = f"/v1/players/{player.id}"
    assert_problem(http.patch(url, headers=player.auth, json={}), 422, "validation_failed")
    assert_problem(http.patch(url, headers=player.auth, json={"display_name": 5}), 422, "validation_failed")
    assert_problem(
        http.patch(url, headers=player.auth, json={"display_name": "ok", "role": "admin"}), 422, "validation_failed"
    )
    assert_problem(http.patch(url, headers=player.auth, json={"display_name": "  "}), 422, "invalid_display_name")
    assert_problem(
        http.patch(url, headers={**player.auth, "If-Match": "soon"}, json={"display_name": "x"}),
        400,
        "invalid_if_match",
    )
    assert_problem(
        http.patch("/v1/players/not-a-uuid", headers=player.auth, json={"display_name": "x"}), 422, "validation_failed"
    )
    assert read(http, url, player, position=2).json()["version"] == 2


def test_a_player_cannot_read_or_change_another(http):
    ada, bob = sign_up(http, "Ada"), sign_up(http, "Bob")
    assert_problem(http.get(f"/v1/players/{bob.id}", headers=ada.auth), 403, "forbidden")
    assert_problem(
        http.patch(f"/v1/players/{bob.id}", headers=ada.auth, json={"display_name": "pwned"}), 403, "forbidden"
    )
    assert_problem(
        http.post(f"/v1/players/{bob.id}/links", headers=ada.auth, json={"platform": "steam", "platform_user_id": "1"}),
        403,
        "forbidden",
    )
    assert read(http, f"/v1/players/{bob.id}", bob, position=4).json()["display_name"] == "Bob"


def test_linking_a_platform_and_the_conflict_when_another_player_holds_it(http):
    ada, bob = sign_up(http, "Ada"), sign_up(http, "Bob")
    link = {"platform": "steam", "platform_user_id": "76561198"}
    r = http.post(f"/v1/players/{ada.id}/links", headers=ada.auth, json=link)
    assert r.status_code == 201, r.text
    assert r.json()["platform_links"] == {"steam": "76561198"}
    again = http.post(f"/v1/players/{ada.id}/links", headers=ada.auth, json=link)
    assert again.status_code == 201
    taken = assert_problem(
        http.post(f"/v1/players/{bob.id}/links", headers=bob.auth, json=link), 409, "platform_link_taken"
    )
    assert "another player" in taken["detail"]
    assert read(http, f"/v1/players/{bob.id}", bob, position=r.json()["position"]).json()["platform_links"] == {}


def test_links_refuse_unknown_platforms_and_empty_ids(http):
    player = sign_up(http)
    url = f"/v1/players/{player.id}/links"
    assert_problem(
        http.post(url, headers=player.auth, json={"platform": "myspace", "platform_user_id": "1"}),
        422,
        "invalid_platform_link",
    )
    assert_problem(
        http.post(url, headers=player.auth, json={"platform": "steam", "platform_user_id": " "}),
        422,
        "invalid_platform_link",
    )
    assert_problem(http.post(url, headers=player.auth, json={"platform": "steam"}), 422, "validation_failed")


def test_health_reports_projection_positions_and_openapi_is_served(http):
    sign_up(http)
    health = http.get("/health")
    assert health.status_code == 200
    registered = {p.name for model in read_models() for p in model.projections}
    assert {"players", "save_slots", "narrative", "content", "live"} <= registered
    assert set(health.json()["projections"]) == registered
    spec = http.get("/openapi.json").json()
    assert "/v1/save-slots/{slot_id}" in spec["paths"]


def test_unknown_routes_are_problem_json(http):
    assert_problem(http.get("/v1/nope"), 404, "not_found")


def test_commands_without_if_match_that_race_are_all_decided_on_fresh_state(http):
    """30 parallel PATCHes of one player: each is decided again after a lost race
    (before, half answered 409 concurrent_write)."""
    from concurrent.futures import ThreadPoolExecutor

    player = sign_up(http, "Ada")

    def patch(i: int) -> int:
        return http.patch(
            f"/v1/players/{player.id}", headers=player.auth, json={"display_name": f"Ada {i}"}
        ).status_code

    with ThreadPoolExecutor(30) as pool:
        statuses = list(pool.map(patch, range(30)))
    assert statuses == [200] * 30
