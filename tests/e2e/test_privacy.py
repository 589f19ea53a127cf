"""GDPR/CCPA over HTTP: export everything held about a player, then erase it
and find no personal field readable anywhere: event store (events and
snapshots), read tables, telemetry, stored responses."""

from __future__ import annotations

import httpx

from tests.e2e.helpers import assert_problem, new_slot, read, sign_up
from tests.e2e.test_accounts import PASSWORD, login, upgrade
from tests.e2e.ws_client import Client, ws_url
from tests.integration.kafka_helpers import wait_until

NAME, USERNAME, EMAIL, STEAM_ID, HERO = "Ada Lovelace", "ada_l", "ada@example.org", "7656119800001", "Countess"
SLOT, CHAT = "Ada's secret journal", "meet me at the analytical engine"
PERSONAL = [NAME, USERNAME, EMAIL, STEAM_ID, HERO, SLOT, CHAT]


def rich_player(http: httpx.Client):
    player = sign_up(http, NAME)
    assert upgrade(http, player, username=USERNAME, email=EMAIL).status_code == 201
    r = http.post(
        f"/v1/players/{player.id}/links", headers=player.auth, json={"platform": "steam", "platform_user_id": STEAM_ID}
    )
    assert r.status_code == 201, r.text
    slot = new_slot(http, player, SLOT, {"chapter": 1})
    character = http.post("/v1/characters", headers=player.auth, json={"display_name": HERO})
    assert character.status_code == 201, character.text
    client = Client(ws_url(http), player)
    assert client.hello(character_id=character.json()["character_id"])["type"] == "welcome"
    assert client.act(1, "chat", {"text": CHAT})["type"] == "ack"
    assert client.act(2, "move", {"x": 1, "y": 0})["type"] == "ack"
    client.close()
    r = http.post(
        "/v1/telemetry",
        headers=player.auth,
        json={"events": [{"event_type": "level_up", "payload": {"note": f"{NAME} levelled up"}}]},
    )
    assert r.status_code == 202
    # A stored idempotent response holds the name too.
    r = http.patch(
        f"/v1/players/{player.id}", headers={**player.auth, "Idempotency-Key": "k1"}, json={"display_name": NAME}
    )
    assert NAME in r.text
    wait_until(lambda: telemetry_count(http, player) > 0, 10, message="telemetry row")
    return player, slot, character.json(), character.json()["position"]


def telemetry_count(http: httpx.Client, player) -> int:
    export = http.get(f"/v1/players/{player.id}/export", headers=player.auth).json()
    return len(export["read_tables"]["narrative.telemetry_events"]["rows"])


def every_stored_byte(container) -> bytes:
    """Every table's rows as text, event store included (events and snapshots)."""
    with container.pool.connection() as conn:
        tables = conn.execute(
            "SELECT schemaname, tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
        return b"\n".join(
            str(row).encode() + b"".join(bytes(v) for v in row.values() if isinstance(v, bytes | memoryview))
            for t in tables
            for row in conn.execute(f'SELECT * FROM "{t["schemaname"]}"."{t["tablename"]}"').fetchall()
        )


def test_export_returns_everything_held_about_the_player(http):
    player, slot, _, position = rich_player(http)
    r = read(http, f"/v1/players/{player.id}/export", player, position)
    assert r.status_code == 200, r.text
    export = r.json()
    account = export["account"]
    assert (account["display_name"], account["username"], account["email"]) == (NAME, USERNAME, EMAIL)
    assert account["platform_links"] == {"steam": STEAM_ID}
    tables = export["read_tables"]
    assert tables["accounts.players"]["rows"][0]["display_name"] == NAME
    assert [s["slot_id"] for s in tables["narrative.save_slots"]["rows"]] == [slot["slot_id"]]
    assert tables["live.character_profiles"]["rows"][0]["display_name"] == HERO
    assert any(t["payload"] == {"note": f"{NAME} levelled up"} for t in tables["narrative.telemetry_events"]["rows"])
    topics = [e["topic"] for e in export["event_history"]["events"]]
    assert "lorekeeper.player.CredentialsRegistered" in topics and "lorekeeper.character.Created" in topics
    assert "$argon2" not in r.text  # the hash is never exported
    registered = next(e for e in export["event_history"]["events"] if e["topic"].endswith("CredentialsRegistered"))
    assert "password_hash" not in registered
    other = sign_up(http)
    assert_problem(http.get(f"/v1/players/{player.id}/export", headers=other.auth), 403, "forbidden")


def test_erasure_leaves_no_personal_field_readable_anywhere(http, live_server):
    player, _, character, _ = rich_player(http)
    container = live_server.container
    before = every_stored_byte(container)
    assert NAME.encode() in before  # read tables hold it while the player exists...
    with container.store.recorder.datastore.get_connection() as conn, conn.cursor() as cur:
        cur.execute("SELECT state FROM lorekeeper_events")
        raw_events = b"".join(bytes(r["state"]) for r in cur.fetchall())
    assert not any(p.encode() in raw_events for p in PERSONAL)  # ...the event store never did

    r = http.delete(f"/v1/players/{player.id}", headers=player.auth)
    assert r.status_code == 200, r.text
    erased_at = r.json()["erased_at"]
    assert http.delete(f"/v1/players/{player.id}", headers=player.auth).status_code in (200, 401)

    # The tokens of the erased player stopped working.
    assert_problem(read(http, f"/v1/players/{player.id}", player), 401, "unauthorized")
    admin = live_server.token("admin")
    row = http.get(f"/v1/players/{player.id}", headers=admin, params={"min_position": r.json()["position"]}).json()
    assert row["erased_at"] is not None and erased_at
    assert (row["display_name"], row["username"], row["platform_links"]) == (None, None, {})
    hero = http.get(f"/v1/characters/{character['character_id']}", headers=admin).json()
    assert hero["display_name"] == "[erased]"
    with container.pool.connection() as conn:
        actions = conn.execute(
            "SELECT action_type, payload_json FROM live.action_events WHERE user_id = %s ORDER BY sequence_number",
            (player.id,),
        ).fetchall()
        names = conn.execute("SELECT name FROM narrative.save_slots WHERE account_id = %s", (player.id,)).fetchall()
    assert [(a["action_type"], a["payload_json"]) for a in actions] == [
        ("chat", {"text": "[erased]"}),
        ("move", {"x": 1, "y": 0}),
    ], "chat is erased, game actions stay (pseudonymous)"
    assert [n["name"] for n in names] == ["[erased]"]

    after = every_stored_byte(container)
    leaked = [p for p in PERSONAL if p.encode() in after]
    assert not leaked, f"still readable after erasure: {leaked}"

    # What the app reads back from the store is erased too.
    export = http.get(f"/v1/players/{player.id}/export", headers=admin).json()
    assert export["account"]["display_name"] is None and export["account"]["erased_at"]
    assert not any(p in str(export) for p in PERSONAL)
    assert export["read_tables"]["narrative.telemetry_events"]["rows"] == []

    # The identifiers are free again, and the old password opens nothing.
    assert_problem(login(http, USERNAME), 401, "invalid_credentials")
    newcomer = sign_up(http)
    assert upgrade(http, newcomer, username=USERNAME, email=EMAIL).status_code == 201
    r = http.post(
        f"/v1/players/{newcomer.id}/links",
        headers=newcomer.auth,
        json={"platform": "steam", "platform_user_id": STEAM_ID},
    )
    assert r.status_code == 201, r.text
    assert login(http, EMAIL, PASSWORD).json()["player_id"] == newcomer.id


def test_only_the_player_or_an_admin_may_erase(http):
    player, other = sign_up(http, "Keep Me"), sign_up(http)
    assert_problem(http.delete(f"/v1/players/{player.id}", headers=other.auth), 403, "forbidden")
    assert read(http, f"/v1/players/{player.id}", player).json()["display_name"] == "Keep Me"


def test_a_player_with_600_characters_is_erased_in_bounded_chunks(http, live_server):
    """One save may write at most 500 events; erasure writes in chunks, so it
    finishes however much a player owns (before: 422 too_many_events at 520)."""
    from uuid import UUID

    from domain.kernel.aggregate import ERASED
    from tests.support import app_of

    player = sign_up(http, NAME)
    live = app_of(live_server.container).live
    owner = UUID(player.id)
    characters = [live.create_character(owner, f"{HERO} {i}").aggregate.id for i in range(600)]

    r = http.delete(f"/v1/players/{player.id}", headers=player.auth)
    assert r.status_code == 200, r.text
    live_server.container.store.repository.cache.cache.clear()  # read what the store holds
    assert {live.get_character(c).display_name for c in characters} == {ERASED}
    assert live_server.container.keys.key_for_read(owner) is None
    assert (
        http.delete(f"/v1/players/{player.id}", headers=live_server.token()).json()["erased_at"]
        == r.json()["erased_at"]
    )


def test_an_erasure_a_crash_interrupted_finishes_when_the_api_starts(live_server, database, tmp_path):
    from uuid import UUID

    from infra.entrypoints.bootstrap import Container
    from tests.fixtures.db import make_settings
    from tests.support import app_of

    with httpx.Client(base_url=live_server.url) as http:
        player = sign_up(http, NAME)
    owner = UUID(player.id)
    character = app_of(live_server.container).live.create_character(owner, HERO).aggregate
    live_server.container.erasure_log.begin(owner)  # the erasure began; then the process died

    restarted = Container(make_settings(database, tmp_path))
    try:
        assert restarted.erasure.resume() == 1  # what the API does as it starts
        app = app_of(restarted)
        assert app.accounts.get_player(owner).erased
        assert app.live.get_character(character.id).display_name == "[erased]"
        assert restarted.keys.key_for_read(owner) is None
        assert restarted.erasure.resume() == 0
    finally:
        restarted.close()
