"""AI Hero Tycoon (seed 003) over HTTP: worlds with a game clock and one
guild, heroes who go on deciding with no client connected (durable timers),
the master's gestures, orders and quests, the offline report; every bad input
a 4xx problem that records nothing; and the read tables, views, CHECKs,
indexes and partitions the seed names."""

from __future__ import annotations

import uuid
from uuid import UUID, uuid4

import psycopg
import pytest

from tests.e2e.helpers import assert_problem, head, read, rows, sign_up
from tests.integration.kafka_helpers import wait_until

FAST = 3600  # a real second is a game hour: heroes decide every few seconds
BRAVE = {"courage": 90, "greed": 20, "loyalty": 95, "curiosity": 50, "ambition": 60, "patience": 40, "empathy": 70}


def found(http, player, ratio=FAST, **extra) -> dict:
    r = http.post("/v1/tycoon/worlds", headers=player.auth, json={"name": "Aldmere", "time_ratio": ratio, **extra})
    assert r.status_code == 201, r.text
    return r.json()


def recruit(http, player, world_id, name="Brienne", personality=BRAVE, seed=7) -> dict:
    body = {"name": name, "seed": seed, **({"personality": personality} if personality else {})}
    r = http.post(f"/v1/tycoon/worlds/{world_id}/heroes", headers=player.auth, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_heroes_go_on_deciding_with_no_client_and_every_table_fills(http, live_server):
    ada = sign_up(http, "Ada")
    w = found(http, ada, seed=42)
    assert w["guild"]["gold"] == 1000 and w["world_data"]["biomes"] and w["world_data"]["landmarks"]
    assert found(http, ada, seed=42)["world_data"] == w["world_data"]  # generated from the seed alone
    brienne = recruit(http, ada, w["id"])
    rolled = recruit(http, ada, w["id"], "Pod", personality=None, seed=8)
    assert set(rolled["personality"]) == set(BRAVE) and brienne["backstory"].startswith("Brienne")
    assert "Wants" in brienne["motivation"]

    # Nobody asks anything: the timers make the heroes decide.
    def decided(n):
        return lambda: all(
            rows(live_server, "SELECT count(*) AS n FROM tycoon.hero_decisions WHERE hero_id = %s", h["id"])[0]["n"]
            >= n
            for h in (brienne, rolled)
        )

    wait_until(decided(3), timeout=60, message="heroes deciding alone")
    decision = rows(
        live_server,
        "SELECT * FROM tycoon.hero_decisions WHERE hero_id = %s AND outcome IS NOT NULL ORDER BY decided_at LIMIT 1",
        brienne["id"],
    )[0]
    assert {o["action"] for o in decision["options"]} == {"rest", "train", "explore", "work", "socialize"}
    assert all({"traits", "needs", "influence", "world", "noise", "score"} <= set(o) for o in decision["options"])
    assert decision["chosen_option"] in decision["reasoning"] and decision["personality_factors"]
    assert 0 <= decision["satisfaction"] <= 100
    assert rows(live_server, "SELECT count(*) AS n FROM tycoon.activity_log WHERE world_id = %s", w["id"])[0]["n"] >= 2
    assert rows(live_server, "SELECT game_time FROM tycoon.worlds WHERE id = %s", w["id"])[0]["game_time"] > 0
    assert len(rows(live_server, "SELECT * FROM tycoon.master_influence WHERE hero_id = %s", brienne["id"])) == 1
    assert rows(live_server, "SELECT count(*) AS n FROM tycoon.active_heroes WHERE world_id = %s", w["id"])[0]["n"] == 2
    assert rows(live_server, "SELECT count(*) AS n FROM tycoon.recent_activity WHERE world_id = %s", w["id"])[0]["n"]
    assert rows(live_server, "SELECT count(*) AS n FROM tycoon.users WHERE id = %s", ada.id)[0]["n"] == 1
    columns = {
        r["column_name"]
        for r in rows(
            live_server,
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'tycoon' AND table_name IN ('users', 'user_sessions')",
        )
    }
    assert not {c for c in columns if "password" in c or "token" in c or "hash" in c}
    # The seed's structure: a partitioned activity log, its indexes by name.
    kind = rows(live_server, "SELECT relkind FROM pg_class WHERE oid = 'tycoon.activity_log'::regclass")[0]["relkind"]
    assert kind == "p"
    names = {r["indexname"] for r in rows(live_server, "SELECT indexname FROM pg_indexes WHERE schemaname = 'tycoon'")}
    assert {"idx_personality_gin", "idx_heroes_last_decision", "idx_heroes_current_action"} <= names

    listed = read(http, f"/v1/tycoon/worlds/{w['id']}/heroes", ada)
    assert listed.status_code == 200 and len(listed.json()["items"]) == 2
    decisions = f"/v1/tycoon/heroes/{brienne['id']}/decisions"
    page = http.get(decisions, headers=ada.auth, params={"limit": 1}).json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    after = http.get(decisions, headers=ada.auth, params={"limit": 1, "cursor": page["next_cursor"]})
    assert after.json()["items"][0]["decided_at"] <= page["items"][0]["decided_at"]


def test_the_master_praises_gifts_orders_and_sends_heroes_on_quests(http, live_server):
    ada = sign_up(http, "Ada")
    w = found(http, ada, ratio=60)
    brienne = recruit(http, ada, w["id"])
    pod = recruit(http, ada, w["id"], "Pod", seed=8)
    path = f"/v1/tycoon/heroes/{brienne['id']}"

    praised = http.post(path + "/praise", headers=ada.auth, json={"reason": "well fought"})
    assert praised.status_code == 200, praised.text
    assert (
        praised.json()["influence"]["trust"] == 54 and praised.json()["influence"]["history"][-1]["gesture"] == "praise"
    )
    scolded = http.post(path + "/reprimand", headers=ada.auth, json={}).json()
    assert scolded["influence"]["fear"] == 6
    gifted = http.post(path + "/gifts", headers=ada.auth, json={"amount": 50}).json()
    assert (
        gifted["gold"] >= 50
        and http.get(f"/v1/tycoon/worlds/{w['id']}", headers=ada.auth).json()["guild"]["gold"] == 750
    )
    ordered = http.post(path + "/orders", headers=ada.auth, json={"order": "train"})
    assert ordered.status_code == 200 and ordered.json()["answer"]  # obeyed or refused, and why

    quest = http.post(
        f"/v1/tycoon/worlds/{w['id']}/quests",
        headers=ada.auth,
        json={
            "title": "Slay the wyrm",
            "difficulty": 2,
            "duration_minutes": 60,
            "rewards": {"gold": 100, "experience": 50},
        },
    )
    assert quest.status_code == 201, quest.text
    q = quest.json()
    assigned = http.post(
        f"/v1/tycoon/quests/{q['id']}/assignments", headers=ada.auth, json={"hero_ids": [brienne["id"], pod["id"]]}
    )
    assert assigned.status_code == 200, assigned.text
    assert set(assigned.json()["assignments"]) == {brienne["id"], pod["id"]}
    assert all(assigned.json()["answers"].values())
    twice = http.post(f"/v1/tycoon/quests/{q['id']}/assignments", headers=ada.auth, json={"hero_ids": [brienne["id"]]})
    assert_problem(twice, 409, "already_assigned")
    position = assigned.json()["position"]
    assignments = read(http, f"/v1/tycoon/heroes/{brienne['id']}/decisions", ada, position)
    assert assignments.status_code == 200
    assert len(rows(live_server, "SELECT * FROM tycoon.quest_assignments WHERE quest_id = %s", q["id"])) == 2

    announced = http.post(
        f"/v1/tycoon/worlds/{w['id']}/events",
        headers=ada.auth,
        json={"event_type": "festival", "description": "Midsummer", "duration_minutes": 600},
    )
    assert announced.status_code == 201, announced.text
    visit = http.post(f"/v1/tycoon/worlds/{w['id']}/visits", headers=ada.auth)
    assert visit.status_code == 200, visit.text
    report = visit.json()
    assert {h["name"] for h in report["heroes"]} == {"Brienne", "Pod"} and "totals" in report
    assert any(h["by_type"] for h in report["heroes"])  # the gestures and answers at least
    since = http.get(f"/v1/tycoon/worlds/{w['id']}/report", headers=ada.auth, params={"since": "2020-01-01T00:00:00Z"})
    assert since.status_code == 200 and since.json()["heroes"]
    assert rows(live_server, "SELECT count(*) AS n FROM tycoon.world_events WHERE world_id = %s", w["id"])[0]["n"] == 1


def test_bad_input_is_a_problem_that_records_nothing(http, live_server):
    ada, bob = sign_up(http, "Ada"), sign_up(http, "Bob")
    w = found(http, ada)
    brienne = recruit(http, ada, w["id"])
    # Whose a world or hero is comes from the store, not the read model: right at once.
    for path in (f"/v1/tycoon/worlds/{w['id']}/report", f"/v1/tycoon/heroes/{brienne['id']}/decisions"):
        assert http.get(path, headers=bob.auth).status_code == 403
        missing = path.replace(w["id"], str(uuid.uuid4())).replace(brienne["id"], str(uuid.uuid4()))
        assert http.get(missing, headers=ada.auth).status_code == 404
    before = head(live_server)
    hero = f"/v1/tycoon/heroes/{brienne['id']}"
    cases = [
        (http.post("/v1/tycoon/worlds", headers=ada.auth, json={"name": ""}), 422, "validation_failed"),
        (
            http.post("/v1/tycoon/worlds", headers=ada.auth, json={"name": "X", "time_ratio": 0}),
            422,
            "validation_failed",
        ),
        (
            http.post(
                f"/v1/tycoon/worlds/{w['id']}/heroes",
                headers=ada.auth,
                json={"name": "X", "personality": {**BRAVE, "courage": 101}},
            ),
            422,
            "validation_failed",
        ),
        (http.post(f"/v1/tycoon/worlds/{w['id']}/heroes", headers=bob.auth, json={"name": "X"}), 403, "forbidden"),
        (http.post(hero + "/orders", headers=bob.auth, json={"order": "train"}), 403, "forbidden"),
        (http.post(hero + "/orders", headers=ada.auth, json={"order": "dance"}), 422, "validation_failed"),
        (http.post(hero + "/gifts", headers=ada.auth, json={"amount": 1000}), 409, "not_enough_gold"),
        (http.get(hero, headers=bob.auth), 403, "forbidden"),
        (http.get(f"/v1/tycoon/heroes/{uuid4()}", headers=ada.auth), 404, "not_found"),
        (
            http.post(
                f"/v1/tycoon/worlds/{w['id']}/events",
                headers=ada.auth,
                json={"event_type": "plague", "description": "x", "duration_minutes": 5},
            ),
            422,
            "validation_failed",
        ),
        (
            http.post(
                f"/v1/tycoon/worlds/{w['id']}/quests",
                headers=ada.auth,
                json={"title": "x", "difficulty": 11, "duration_minutes": 60, "rewards": {}},
            ),
            422,
            "validation_failed",
        ),
        (http.get(f"/v1/tycoon/worlds/{w['id']}/report", headers=bob.auth), 403, "forbidden"),
        (http.get(f"/v1/tycoon/worlds/{w['id']}/report?since=0.5", headers=ada.auth), 422, "invalid_since"),
    ]
    for response, status, code in cases:
        assert_problem(response, status, code)
    # Reads of one's own hero may write what the hero lived meanwhile; the
    # refusals above wrote nothing beyond that.
    written = rows(
        live_server,
        "SELECT DISTINCT topic FROM lorekeeper_events WHERE notification_id > %s",
        before,
    )
    assert {r["topic"] for r in written} <= {
        "lorekeeper.hero.Decided",
        "lorekeeper.hero.ActivityCompleted",
        "lorekeeper.hero_bond.Created",
        "lorekeeper.hero_bond.Changed",
        "lorekeeper.snapshot",
    }


def test_the_read_tables_check_traits_strengths_and_influence(http, live_server):
    ada = sign_up(http, "Ada")
    w = found(http, ada)
    brienne = recruit(http, ada, w["id"])
    wait_until(
        lambda: rows(live_server, "SELECT 1 FROM tycoon.heroes WHERE id = %s", brienne["id"]), message="the hero"
    )
    bad = [
        ("UPDATE tycoon.heroes SET personality = personality || '{\"courage\": 101}' WHERE id = %s", brienne["id"]),
        ("UPDATE tycoon.master_influence SET trust = -1 WHERE hero_id = %s", brienne["id"]),
        (
            "INSERT INTO tycoon.hero_relationships VALUES (gen_random_uuid(), %s, %s, 'friendship', 0, 1, now(), '[]')",
            brienne["id"],
            brienne["id"],
        ),
    ]
    for sql, *params in bad:
        with pytest.raises(psycopg.errors.CheckViolation), live_server.container.pool.connection() as conn:
            conn.execute(sql, params)


def test_row_level_security_shows_a_player_only_their_own_worlds(http, live_server):
    ada, bob = sign_up(http, "Ada"), sign_up(http, "Bob")
    mine, theirs = found(http, ada), found(http, bob)
    recruit(http, ada, mine["id"])
    recruit(http, bob, theirs["id"], "Bronn")
    quest = {"title": "Q", "difficulty": 1, "duration_minutes": 60, "rewards": {}}
    assert http.post(f"/v1/tycoon/worlds/{mine['id']}/quests", headers=ada.auth, json=quest).status_code == 201
    tables = [
        "worlds",
        "guilds",
        "heroes",
        "master_influence",
        "hero_decisions",
        "activity_log",
        "quests",
    ]
    wait_until(
        lambda: all(rows(live_server, f"SELECT count(*) AS n FROM tycoon.{t}")[0]["n"] for t in tables),
        message="the tables filled",
    )

    def seen(player: str | None) -> dict[str, set]:
        with live_server.container.pool.connection() as conn, conn.transaction():
            conn.execute("SET LOCAL ROLE lorekeeper_player")
            if player is not None:
                conn.execute("SELECT set_config('lorekeeper.player', %s, true)", (player,))
            return {
                t: {
                    r["w"] for r in conn.execute(f"SELECT {'id' if t == 'worlds' else 'world_id'} AS w FROM tycoon.{t}")
                }
                if t not in ("master_influence",)
                else {r["hero_id"] for r in conn.execute("SELECT hero_id FROM tycoon.master_influence")}
                for t in tables
            }

    assert all(not rows_seen for rows_seen in seen(None).values())  # no player set: nothing at all
    as_ada = seen(ada.id)
    assert all(as_ada[t] == {UUID(mine["id"])} for t in tables if t != "master_influence")
    assert len(as_ada["master_influence"]) == 1
    with live_server.container.pool.connection() as conn:  # the owner (projectors, analysts) sees every row
        assert conn.execute("SELECT count(DISTINCT user_id) AS n FROM tycoon.worlds").fetchone()["n"] >= 2
