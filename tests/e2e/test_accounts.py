"""Accounts over HTTP: anonymous upgrade, login and lockout, refresh rotation,
logout, identifier conflicts, and per-player rate limits."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import Player, assert_problem, read, sign_up

PASSWORD = "correct horse battery"


def upgrade(http, player: Player, username: str = "ann_the_bard", email: str = "ann@example.org"):
    return http.post(
        f"/v1/players/{player.id}/credentials",
        headers=player.auth,
        json={"username": username, "email": email, "password": PASSWORD},
    )


def login(http, login: str, password: str = PASSWORD):
    return http.post("/v1/auth/login", json={"login": login, "password": password})


def test_an_anonymous_player_upgrades_and_logs_in_by_username_or_email(http):
    player = sign_up(http, "Ann")
    r = upgrade(http, player, username="Ann_The_Bard", email="Ann@Example.org")
    assert r.status_code == 201, r.text
    assert r.json()["username"] == "Ann_The_Bard"
    for name in ("ann_the_bard", "ANN_THE_BARD", "ann@example.org"):
        r = login(http, name)
        assert r.status_code == 200, r.text
        assert r.json()["player_id"] == player.id
        assert r.json()["refresh_token"] and r.json()["expires_in"] == 900
    me = http.get(f"/v1/players/{player.id}", headers={"Authorization": f"Bearer {r.json()['access_token']}"})
    assert me.status_code == 200
    assert_problem(upgrade(http, player, username="other_name", email="o@example.org"), 409, "credentials_exist")


def test_wrong_passwords_and_unknown_logins_get_the_same_401(http):
    upgrade(http, sign_up(http))
    wrong = assert_problem(login(http, "ann_the_bard", "not the password"), 401, "invalid_credentials")
    unknown = assert_problem(login(http, "nobody_here"), 401, "invalid_credentials")
    assert wrong["detail"] == unknown["detail"]


@pytest.mark.parametrize("live_server", [{"login_free_failures": 3, "login_account_free_failures": 4}], indirect=True)
def test_repeated_failures_make_tries_wait_longer_without_locking_or_telling_which_logins_exist(http, live_server):
    upgrade(http, sign_up(http))
    throttle = live_server.container.login_throttle
    for name in ("ann_the_bard", "nobody_here"):
        for _ in range(3):  # the 3rd failure asks for 1 s before the next try
            assert_problem(login(http, name, "guess guess"), 401, "invalid_credentials")
    known, unknown = login(http, "ann_the_bard"), login(http, "nobody_here")
    for r in (known, unknown):
        body = assert_problem(r, 429, "login_throttled")
        assert 1 <= int(r.headers["Retry-After"]) <= 2 and body["retry_after"] >= 1
    assert known.json()["detail"] == unknown.json()["detail"], "a known login is not told apart"
    # Another address is not delayed until the login's own (higher) count is reached...
    assert throttle.retry_after("ann_the_bard", "203.0.113.9") == 0
    throttle.failed("ann_the_bard", "203.0.113.9")
    # ...after which every address waits, at most the account cap.
    assert 1 <= throttle.retry_after("ann_the_bard", "198.51.100.7") <= 60
    with live_server.container.pool.connection() as conn:  # as if the delays had passed
        conn.execute("UPDATE lorekeeper_login_throttle SET last_failure = now() - interval '2 minutes'")
    assert login(http, "ann_the_bard").status_code == 200, "the right password, after the wait, logs in"
    assert throttle.retry_after("ann_the_bard", "198.51.100.7") == 0, "and clears the counts"


def test_usernames_and_emails_belong_to_one_player(http):
    assert upgrade(http, sign_up(http)).status_code == 201
    second = sign_up(http)
    body = assert_problem(upgrade(http, second, email="fresh@example.org"), 409, "identifier_taken")
    assert body["field"] == "username"
    body = assert_problem(upgrade(http, second, username="fresh_name"), 409, "identifier_taken")
    assert body["field"] == "email"
    # Nothing was half-claimed: the second player can still take fresh ones.
    assert upgrade(http, second, username="fresh_name", email="fresh@example.org").status_code == 201


def test_credentials_are_validated(http):
    player = sign_up(http)
    cases = [
        ({"username": "ab", "email": "a@example.org", "password": PASSWORD}, 422),
        ({"username": "has space", "email": "a@example.org", "password": PASSWORD}, 422),
        ({"username": "fine_name", "email": "not-an-email", "password": PASSWORD}, 422),
        ({"username": "fine_name", "email": "a@example.org", "password": "short"}, 422),
        ({"username": "fine_name", "email": "a@example.org"}, 422),
    ]
    for body, status in cases:
        r = http.post(f"/v1/players/{player.id}/credentials", headers=player.auth, json=body)
        assert r.status_code == status, (body, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    other = sign_up(http)
    r = http.post(
        f"/v1/players/{player.id}/credentials",
        headers=other.auth,
        json={"username": "fine_name", "email": "a@example.org", "password": PASSWORD},
    )
    assert_problem(r, 403, "forbidden")
    assert login(http, "fine_name").status_code == 401  # nothing was registered


def test_refresh_rotates_and_a_reused_refresh_token_ends_the_session(http):
    r = http.post("/v1/auth/anonymous")
    first = r.json()
    second = http.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200, second.text
    assert second.json()["refresh_token"] != first["refresh_token"]
    # The spent token presented again: theft is assumed and the session ends.
    assert_problem(
        http.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}), 401, "invalid_refresh_token"
    )
    assert_problem(
        http.post("/v1/auth/refresh", json={"refresh_token": second.json()["refresh_token"]}),
        401,
        "invalid_refresh_token",
    )
    r = http.get(
        f"/v1/players/{first['player_id']}", headers={"Authorization": f"Bearer {second.json()['access_token']}"}
    )
    assert_problem(r, 401, "unauthorized")
    for bad in ("garbage", "not-a-uuid.secret", "00000000-0000-0000-0000-000000000000.x"):
        assert_problem(http.post("/v1/auth/refresh", json={"refresh_token": bad}), 401, "invalid_refresh_token")


def test_logout_revokes_the_access_and_refresh_tokens_of_that_session_only(http):
    player = sign_up(http)
    upgrade(http, player)
    phone = login(http, "ann_the_bard").json()
    laptop = login(http, "ann_the_bard").json()
    phone_auth = {"Authorization": f"Bearer {phone['access_token']}"}
    assert http.post("/v1/auth/logout", headers=phone_auth).status_code == 204
    assert_problem(http.get(f"/v1/players/{player.id}", headers=phone_auth), 401, "unauthorized")
    assert_problem(
        http.post("/v1/auth/refresh", json={"refresh_token": phone["refresh_token"]}), 401, "invalid_refresh_token"
    )
    laptop_auth = {"Authorization": f"Bearer {laptop['access_token']}"}
    assert http.get(f"/v1/players/{player.id}", headers=laptop_auth).status_code == 200
    assert http.post("/v1/auth/refresh", json={"refresh_token": laptop["refresh_token"]}).status_code == 200


@pytest.mark.parametrize("live_server", [{"rate_limit": "3/second", "address_rate_limit": "4/minute"}], indirect=True)
def test_commands_beyond_the_rate_limit_get_429_with_retry_after_and_change_nothing(http):
    player = sign_up(http)
    answers = [
        http.patch(f"/v1/players/{player.id}", headers=player.auth, json={"display_name": f"n{i}"}) for i in range(6)
    ]
    statuses = [a.status_code for a in answers]
    assert statuses[:3] == [200, 200, 200] and 429 in statuses[3:]
    r = http.patch(f"/v1/players/{player.id}", headers=player.auth, json={"display_name": "late"})
    assert_problem(r, 429, "rate_limited")
    assert int(r.headers["Retry-After"]) >= 1
    last = max(a.json()["position"] for a in answers if a.status_code == 200)  # read what was written, not a lag
    profile = read(http, f"/v1/players/{player.id}", player, last)
    assert profile.status_code == 200, profile.text
    assert profile.json()["display_name"] == [f"n{i}" for i, s in enumerate(statuses) if s == 200][-1]
    other = sign_up(http)  # limits are per player
    assert http.patch(f"/v1/players/{other.id}", headers=other.auth, json={"display_name": "x"}).status_code == 200
    for _ in range(2):
        http.post("/v1/auth/anonymous")
    r = http.post("/v1/auth/anonymous")
    assert_problem(r, 429, "rate_limited")
