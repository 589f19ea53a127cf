"""Content packages over HTTP: publish with a verified checksum, fetch what applies to a client version."""

from __future__ import annotations

import base64
import hashlib

from tests.e2e.helpers import assert_problem, sign_up


def package(kind: str, version: str, required: str, content: bytes = b"patch-bytes", checksum: str | None = None):
    return {
        "kind": kind,
        "version": version,
        "release_notes": f"{kind} {version}",
        "required_client_version": required,
        "checksum": checksum or hashlib.sha256(content).hexdigest(),
        "content_base64": base64.b64encode(content).decode(),
    }


def test_clients_get_the_packages_their_version_can_apply(http, live_server):
    admin = live_server.token()
    position = 0
    for kind, version, required in [
        ("hotfix", "1.0.1", "1.0"),
        ("hotfix", "1.0.10", "1.9"),
        ("seasonal", "2025.1", "1.2"),
        ("localization", "3", "1.10"),
    ]:
        r = http.post("/v1/content", headers=admin, json=package(kind, version, required, version.encode()))
        assert r.status_code == 201, r.text
        position = r.json()["position"]
    player = sign_up(http)
    r = http.get("/v1/content", headers=player.auth, params={"client_version": "1.9.5", "min_position": position})
    got = r.json()
    assert [(p["kind"], p["version"]) for p in got] == [
        ("hotfix", "1.0.10"),
        ("hotfix", "1.0.1"),
        ("seasonal", "2025.1"),
    ]
    newer = http.get("/v1/content", headers=player.auth, params={"client_version": "1.10", "kind": "localization"})
    assert [p["version"] for p in newer.json()] == ["3"]
    blob = http.get(f"/v1/content/{got[0]['package_id']}/download", headers=player.auth)
    assert blob.content == b"1.0.10" and blob.headers["etag"] == f'"{hashlib.sha256(b"1.0.10").hexdigest()}"'
    assert_problem(http.get("/v1/content?client_version=latest", headers=player.auth), 422, "validation_failed")


def test_a_checksum_that_does_not_match_is_refused_and_nothing_is_published(http, live_server):
    admin = live_server.token()
    body = assert_problem(
        http.post("/v1/content", headers=admin, json=package("hotfix", "1.1", "1.0", checksum="0" * 64)),
        422,
        "checksum_mismatch",
    )
    assert body["actual"] == hashlib.sha256(b"patch-bytes").hexdigest()
    player = sign_up(http)
    assert http.get("/v1/content?client_version=9", headers=player.auth).json() == []
    assert http.post("/v1/content", headers=admin, json=package("hotfix", "1.1", "1.0")).status_code == 201
    assert_problem(http.post("/v1/content", headers=admin, json=package("hotfix", "1.1", "1.0")), 409, "package_exists")
    assert_problem(
        http.post("/v1/content", headers=player.auth, json=package("hotfix", "1.2", "1.0")), 403, "forbidden"
    )
    assert_problem(http.post("/v1/content", headers=admin, json=package("patch", "1.3", "1.0")), 422, "invalid_command")
    bad = {**package("hotfix", "1.4", "1.0"), "content_base64": "***"}
    assert_problem(http.post("/v1/content", headers=admin, json=bad), 422, "invalid_content")
