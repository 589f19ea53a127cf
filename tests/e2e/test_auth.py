"""Signing up anonymously and proving who you are."""

from __future__ import annotations

import time
import uuid

import jwt

from tests.e2e.helpers import assert_problem, read, sign_up


def test_anonymous_sign_up_returns_a_working_token(http):
    r = http.post("/v1/auth/anonymous", json={"display_name": "Ada"})
    assert r.status_code == 201
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] > 0 and body["position"] >= 1
    me = http.get(
        f"/v1/players/{body['player_id']}",
        headers={"Authorization": f"Bearer {body['access_token']}"},
        params={"min_position": body["position"]},
    )
    assert me.status_code == 200
    assert me.json()["display_name"] == "Ada"


def test_sign_up_without_a_body_creates_a_nameless_player(http):
    player = sign_up(http)
    assert read(http, f"/v1/players/{player.id}", player, position=2).json()["display_name"] is None


def test_sign_up_retried_with_the_same_idempotency_key_creates_one_player_and_stores_no_token(http, live_server):
    headers = {"Idempotency-Key": "signup-1"}
    first = http.post("/v1/auth/anonymous", json={"display_name": "Ada"}, headers=headers)
    again = http.post("/v1/auth/anonymous", json={"display_name": "Ada"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["player_id"] == again.json()["player_id"]
    assert again.headers["idempotent-replayed"] == "true"
    # The retry's tokens are its own (a new login session), and both work.
    assert again.json()["refresh_token"] != first.json()["refresh_token"]
    for answer in (first, again):
        token = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        assert http.get(f"/v1/players/{answer.json()['player_id']}", headers=token).status_code in (200, 404)
    with live_server.container.pool.connection() as conn:
        kept = b"".join(bytes(r["body"]) for r in conn.execute("SELECT body FROM lorekeeper_idempotency").fetchall())
    for secret in ("access_token", "refresh_token"):
        assert first.json()[secret].encode() not in kept and again.json()[secret].encode() not in kept
        assert secret.encode() not in kept


def test_a_missing_token_is_401(http):
    player = sign_up(http)
    assert_problem(http.get(f"/v1/players/{player.id}"), 401, "unauthorized")


def test_a_forged_token_is_401(http):
    player = sign_up(http)
    forged = jwt.encode(
        {
            "iss": "lorekeeper",
            "sub": player.id,
            "roles": ["admin"],
            "iat": int(time.time()),
            "exp": int(time.time()) + 60,
        },
        "not-the-server-secret-but-long-enough-0123456789",
        algorithm="HS256",
    )
    r = http.get(f"/v1/players/{player.id}", headers={"Authorization": f"Bearer {forged}"})
    assert_problem(r, 401, "unauthorized")
    assert r.headers["www-authenticate"] == "Bearer"


def test_an_expired_or_garbled_token_is_401(http, live_server):
    player = sign_up(http)
    secret = live_server.container.jwt_secret
    expired = jwt.encode({"iss": "lorekeeper", "sub": player.id, "iat": 1, "exp": 2}, secret, algorithm="HS256")
    for token in (expired, "garbage", jwt.encode({"sub": "x"}, secret, algorithm="HS256")):
        r = http.get(f"/v1/players/{player.id}", headers={"Authorization": f"Bearer {token}"})
        assert_problem(r, 401, "unauthorized")


def test_sign_up_refuses_bad_names_and_unknown_fields(http):
    assert_problem(http.post("/v1/auth/anonymous", json={"display_name": "x" * 65}), 422, "validation_failed")
    assert_problem(http.post("/v1/auth/anonymous", json={"display_name": "bad\u0007"}), 422, "invalid_display_name")
    assert_problem(http.post("/v1/auth/anonymous", json={"admin": True}), 422, "validation_failed")
    assert_problem(
        http.post("/v1/auth/anonymous", content=b"{nope", headers={"content-type": "application/json"}),
        400,
        "malformed_json",
    )


def test_an_admin_token_reads_any_player_and_unknown_ids_are_404(http, live_server):
    from api.auth import TokenService

    player = sign_up(http, "Ada")
    admin = TokenService(live_server.container.jwt_secret, 60).issue(uuid.uuid4(), frozenset({"admin"}))
    headers = {"Authorization": f"Bearer {admin}"}
    assert http.get(f"/v1/players/{player.id}", headers=headers, params={"min_position": 2}).status_code == 200
    assert_problem(http.get(f"/v1/players/{uuid.uuid4()}", headers=headers), 404, "not_found")
