"""Magic Adventure (seed 002, part 1) over HTTP: worlds, chunks (generated,
edited with If-Match, read by area, restored), characters with their items,
trades, crafting, relationships and achievements; every bad input a 4xx
problem that records nothing; and the read tables the seed names."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from domain.adventure import AdventureUseCases
from tests.e2e.helpers import assert_problem, head, read, rows, settled, sign_up
from tests.integration.kafka_helpers import wait_until

SWORD = {
    "recipe_name": "Iron Sword",
    "ingredients": [{"item_name": "iron_ingot", "quantity": 2}],
    "result_item": {"item_type": "weapon", "item_name": "iron_sword", "item_data": {"durability": 250}},
    "recipe_type": "carpentry",
}
PLANKS = {
    "recipe_name": "Planks",
    "ingredients": [{"item_name": "log", "quantity": 1}],
    "result_item": {"item_type": "block", "item_name": "planks", "quantity": 4},
    "recipe_type": "woodcutting",
}


@pytest.fixture
def server(live_server):
    return live_server.token("server")


def world(http, admin, name=None) -> dict:
    body = {"name": name or f"Eldoria {uuid4().hex[:8]}", "seed": 20250904, "settings": {"characters_per_player": 3}}
    r = http.post("/v1/worlds", headers=admin, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def character(http, player, world_id, name="Ada", position=(8.0, 70.0, 8.0)) -> dict:
    x, y, z = position
    body = {"name": name, "character_class": "artisan", "position": {"x": x, "y": y, "z": z}}
    r = http.post(f"/v1/worlds/{world_id}/characters", headers=player.auth, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_a_chunk_is_generated_edited_with_if_match_read_by_area_and_restored(http, live_server, admin):
    ada = sign_up(http, "Ada")
    w = world(http, admin)
    me = character(http, ada, w["id"])
    path = f"/v1/worlds/{w['id']}/chunks/0/4/0"
    generated = http.get(path, headers=ada.auth)
    assert generated.status_code == 200 and generated.headers["etag"] == '"0"'
    assert generated.json()["block_data"]["blocks"]  # ground at y = 64..79
    body = {"changes": {"1,2,3": {"type": "brick"}, "0,0,0": {"type": "air"}}, "character_id": me["id"]}
    edited = http.patch(path, headers={**ada.auth, "If-Match": '"0"'}, json=body)
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == 2 and edited.json()["changes"] == {
        "0,0,0": {"type": "air", "metadata": {}},
        "1,2,3": {"type": "brick", "metadata": {}},
    }
    read_back = http.get(path, headers=ada.auth).json()["block_data"]["blocks"]
    assert read_back["1,2,3"]["type"] == "brick" and "0,0,0" not in read_back
    stale = http.patch(path, headers={**ada.auth, "If-Match": '"0"'}, json=body)
    assert_problem(stale, 412, "version_conflict")
    again = http.patch(
        path, headers={**ada.auth, "If-Match": '"2"'}, json={**body, "changes": {"5,5,5": {"type": "torch"}}}
    )
    assert again.status_code == 200, again.text
    box = {"x0": -1, "y0": 4, "z0": -1, "x1": 1, "y1": 4, "z1": 1, "min_position": again.json()["position"]}
    area = http.get(f"/v1/worlds/{w['id']}/area", headers=ada.auth, params=box)
    assert area.status_code == 200 and len(area.json()["chunks"]) == 9
    chunks = {(c["chunk_x"], c["chunk_z"]): c for c in area.json()["chunks"]}
    assert chunks[(0, 0)]["version"] == 3
    assert chunks[(0, 0)]["block_data"] == http.get(path, headers=ada.auth).json()["block_data"]
    neighbour = http.get(f"/v1/worlds/{w['id']}/chunks/1/4/1", headers=ada.auth).json()
    assert chunks[(1, 1)]["block_data"] == neighbour["block_data"] and chunks[(1, 1)]["version"] == 0
    nowhere = http.get(f"/v1/worlds/{uuid4()}/area", headers=ada.auth, params=box)
    assert_problem(nowhere, 404, "not_found")  # no world, no terrain: nothing generated, nothing kept
    assert_problem(http.post(f"{path}/restore", headers=ada.auth, json={"version": 2}), 403, "forbidden")
    restored = http.post(f"{path}/restore", headers=admin, json={"version": 2})
    assert restored.status_code == 200, restored.text
    assert restored.json()["version"] == 4 and "5,5,5" not in restored.json()["block_data"]["blocks"]
    position = restored.json()["position"]
    wait_until(
        lambda: (
            rows(live_server, "SELECT version FROM adventure.world_chunks WHERE world_id = %s", w["id"])
            == [{"version": 4}]
        ),
        10,
    )
    (row,) = rows(live_server, "SELECT block_data FROM adventure.world_chunks WHERE world_id = %s", w["id"])
    assert row["block_data"]["blocks"] == restored.json()["block_data"]["blocks"] and position
    # An area read before kept the chunk's answer at version 3: the restore's version is read anew,
    # and the answer is the same JSON whatever encoding the client takes.
    answers = {}
    for accept in ("identity", "gzip", "deflate", "gzip, deflate", "br;q=1, gzip;q=0.5"):
        again = http.get(f"/v1/worlds/{w['id']}/area", headers={**ada.auth, "Accept-Encoding": accept}, params=box)
        assert again.status_code == 200 and again.headers["vary"] == "Accept-Encoding"
        answers[again.headers.get("content-encoding")] = again.json()
    assert set(answers) == {None, "gzip", "deflate"}
    assert answers[None] == answers["gzip"] == answers["deflate"]
    chunk = next(c for c in answers[None]["chunks"] if (c["chunk_x"], c["chunk_z"]) == (0, 0))
    assert chunk["version"] == 4 and chunk["block_data"]["blocks"] == restored.json()["block_data"]["blocks"]


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"16,0,0": {"type": "stone"}}, 422, "invalid_edit"),
        ({"0,0,0": {"type": "lava"}}, 422, "invalid_edit"),
        ({"0,0,0": {"type": "stone", "glow": True}}, 422, "validation_failed"),
        ({f"{i % 16},{i // 16 % 16},{i // 256}": {"type": "stone"} for i in range(257)}, 422, "validation_failed"),
        ({}, 422, "validation_failed"),
    ],
)
def test_a_bad_edit_is_a_problem_that_records_nothing(http, live_server, admin, changes, status, code):
    ada = sign_up(http, "Ada")
    w = world(http, admin)
    me = character(http, ada, w["id"])
    before = settled(live_server)
    r = http.patch(
        f"/v1/worlds/{w['id']}/chunks/0/4/0", headers=ada.auth, json={"changes": changes, "character_id": me["id"]}
    )
    assert_problem(r, status, code)
    assert head(live_server) == before


def test_characters_trade_craft_relate_and_unlock_achievements(http, live_server, admin, server):
    ada, bob = sign_up(http, "Ada"), sign_up(http, "Bob")
    w = world(http, admin)
    a, b = character(http, ada, w["id"], "Ada"), character(http, bob, w["id"], "Bob", (9.0, 70.0, 9.0))
    base = f"/v1/worlds/{w['id']}/characters"
    for body in (PLANKS, SWORD):
        r = http.post("/v1/recipes", headers=admin, json=body)
        assert r.status_code == 201, r.text
    assert_problem(http.post("/v1/recipes", headers=admin, json=PLANKS), 409, "recipe_exists")
    assert_problem(
        http.post(
            f"{base}/{a['id']}/items",
            headers=ada.auth,
            json={"item_type": "material", "item_name": "log", "quantity": 5},
        ),
        403,
        "forbidden",
    )
    loot = http.post(
        f"{base}/{a['id']}/items", headers=server, json={"item_type": "material", "item_name": "log", "quantity": 5}
    )
    assert loot.status_code == 200, loot.text
    traded = http.post(
        f"{base}/{a['id']}/trade",
        headers=ada.auth,
        json={"to_character_id": b["id"], "item_name": "log", "quantity": 2},
    )
    assert traded.status_code == 200, traded.text
    assert traded.json()["interaction_history"][-1]["kind"] == "trade"
    before = settled(live_server)
    for bad, status, code in (
        (
            http.post(
                f"{base}/{a['id']}/trade",
                headers=ada.auth,
                json={"to_character_id": b["id"], "item_name": "log", "quantity": 99},
            ),
            409,
            "insufficient_items",
        ),
        (
            http.post(f"{base}/{a['id']}/items/drop", headers=ada.auth, json={"item_name": "log", "quantity": -1}),
            422,
            "validation_failed",
        ),
        (http.post(f"{base}/{b['id']}/move", headers=ada.auth, json={"x": 1.0, "y": 70.0, "z": 1.0}), 403, "forbidden"),
        (
            http.post(f"{base}/{a['id']}/craft", headers=ada.auth, json={"recipe_name": "Iron Sword"}),
            409,
            "craft_refused",
        ),
        (http.post(f"{base}/{a['id']}/craft", headers=ada.auth, json={"recipe_name": "Nope"}), 404, "not_found"),
        (
            http.post(
                f"{base}/{a['id']}/interactions",
                headers=ada.auth,
                json={"with_character_id": a["id"], "kind": "greet", "delta": 1},
            ),
            422,
            "invalid_interaction",
        ),
    ):
        assert_problem(bad, status, code)
    assert head(live_server) == before
    for _ in range(3):
        crafted = http.post(f"{base}/{a['id']}/craft", headers=ada.auth, json={"recipe_name": "Planks"})
        assert crafted.status_code == 200, crafted.text
    assert crafted.json()["recipes"] == ["Planks"]
    assert sum(s["quantity"] for s in crafted.json()["inventory"] if s["item_name"] == "log") == 0
    for _ in range(5):
        r = http.post(
            f"{base}/{b['id']}/interactions",
            headers=bob.auth,
            json={"with_character_id": a["id"], "kind": "help", "delta": 20},
        )
    assert r.json()["relationship_value"] == 100  # clamped
    position = r.json()["position"]
    wait_until(
        lambda: (
            len(
                rows(
                    live_server,
                    "SELECT * FROM adventure.character_relationships "
                    "WHERE relationship_value = 100 AND character_id IN (%s, %s)",
                    a["id"],
                    b["id"],
                )
            )
            == 2
        ),
        10,
    )
    for player in (ada, bob):
        assert read(http, f"{base}/{a['id'] if player is ada else b['id']}", player, position).status_code == 200
    mine = http.get(f"/v1/players/{ada.id}/achievements", headers=ada.auth)
    assert mine.status_code == 200
    assert_problem(http.get(f"/v1/players/{ada.id}/achievements", headers=bob.auth), 403, "forbidden")
    names = {i["achievement_name"] for i in mine.json()["items"]}
    assert "unlucky" not in names or any(
        i["unlocked_at"] for i in mine.json()["items"] if i["achievement_name"] == "unlucky"
    )
    near = http.get(
        f"/v1/worlds/{w['id']}/characters",
        headers=ada.auth,
        params={"x": 8, "y": 70, "z": 8, "radius": 5, "min_position": position},
    )
    assert [c["name"] for c in near.json()["items"]] == ["Ada", "Bob"]
    rows_now = {
        t: rows(live_server, f"SELECT count(*) AS n FROM adventure.{t}")[0]["n"]
        for t in ("inventory", "character_skills", "crafting_recipes")
    }
    assert all(rows_now.values()), rows_now


def test_achievements_are_unlocked_by_the_policy_once(http, live_server, admin, server):
    ada = sign_up(http, "Ada")
    w = world(http, admin)
    a = character(http, ada, w["id"])
    r = http.post(
        f"/v1/worlds/{w['id']}/characters/{a['id']}/experience",
        headers=server,
        json={"amount": 8100, "reason": "quest"},
    )
    assert r.status_code == 200 and r.json()["level"] == 10
    adventure = live_server.container.use(AdventureUseCases)
    wait_until(lambda: "level_10" in adventure.unlocked(UUID(ada.id)), 20, message="the policy unlocks level_10")
    r = http.post(
        f"/v1/worlds/{w['id']}/characters/{a['id']}/experience", headers=server, json={"amount": 10, "reason": "quest"}
    )
    wait_until(
        lambda: (
            rows(live_server, "SELECT count(*) AS n FROM adventure.achievements WHERE user_id = %s", ada.id)[0]["n"]
            == 1
        ),
        10,
    )
    items = http.get(f"/v1/players/{ada.id}/achievements", headers=ada.auth).json()
    assert (
        items["points"] == 50 and next(i for i in items["items"] if i["unlocked_at"])["achievement_name"] == "level_10"
    )
    assert "unlucky" not in {i["achievement_name"] for i in items["items"]}  # hidden until unlocked


def test_worlds_recipes_and_slots_answer_as_documented(http, live_server, admin, server):
    ada = sign_up(http, "Ada")
    w = world(http, admin)
    path = f"/v1/worlds/{w['id']}"
    got = http.get(path, headers=ada.auth)
    assert got.status_code == 200 and got.headers["etag"] == '"1"' and got.json()["name"] == w["name"]
    assert_problem(
        http.post("/v1/worlds", headers=admin, json={"name": w["name"].upper(), "seed": 1}), 409, "world_name_taken"
    )
    assert_problem(http.patch(path, headers=ada.auth, json={"is_active": False}), 403, "forbidden")
    assert_problem(
        http.patch(path, headers={**admin, "If-Match": '"7"'}, json={"is_active": False}), 412, "version_conflict"
    )
    patched = http.patch(path, headers={**admin, "If-Match": '"1"'}, json={"metadata": {"season": "winter"}})
    assert patched.status_code == 200 and patched.json()["metadata"] == {"season": "winter"}
    a = character(http, ada, w["id"])
    base = f"{path}/characters/{a['id']}"
    assert http.get(base, headers=ada.auth).json()["stats"]["health"] == 100
    assert_problem(http.get(base, headers=sign_up(http, "Eve").auth), 403, "forbidden")
    assert_problem(http.get(f"/v1/worlds/{uuid4()}/characters/{a['id']}", headers=ada.auth), 404, "not_found")
    pickaxe = {"item_type": "tool", "item_name": "pickaxe", "quantity": 1, "item_data": {"durability": 90}}
    assert http.post(f"{base}/items", headers=server, json=pickaxe).status_code == 200
    equipped = http.post(f"{base}/items/move", headers=ada.auth, json={"from_slot": 0, "to_slot": 104})
    assert equipped.status_code == 200 and equipped.json()["inventory"][0]["slot_position"] == 104
    assert_problem(
        http.post(f"{base}/items/move", headers=ada.auth, json={"from_slot": 104, "to_slot": 100}), 422, "invalid_item"
    )
    logs = {"item_type": "material", "item_name": "log", "quantity": 70}
    assert http.post(f"{base}/items", headers=server, json=logs).status_code == 200
    dropped = http.post(f"{base}/items/drop", headers=ada.auth, json={"item_name": "log", "quantity": 65})
    assert dropped.status_code == 200
    assert [(s["item_name"], s["quantity"]) for s in dropped.json()["inventory"]] == [("log", 5), ("pickaxe", 1)]
    too_big = {"item_type": "material", "item_name": "stone_chip", "quantity": 10_000}
    assert_problem(http.post(f"{base}/items", headers=server, json=too_big), 409, "inventory_full")
    assert_problem(
        http.post(f"{base}/items", headers=server, json={**logs, "item_name": "Bad Name"}), 422, "invalid_item"
    )
    moved = http.post(f"{base}/move", headers=ada.auth, json={"x": 100.0, "y": 90.0, "z": -5.0})
    assert (moved.json()["position_x"], moved.json()["position_z"]) == (100.0, -5.0)
    assert_problem(
        http.post(f"{base}/move", headers=ada.auth, json={"x": 1.0, "y": 300.0, "z": 1.0}), 422, "validation_failed"
    )
    http.post("/v1/recipes", headers=admin, json=PLANKS)
    recipe = http.get("/v1/recipes/planks", headers=ada.auth)  # names are case-insensitive
    assert recipe.status_code == 200 and recipe.json()["recipe_name"] == "Planks"
    bad = {**PLANKS, "recipe_name": "Juggling", "recipe_type": "juggling"}
    assert_problem(http.post("/v1/recipes", headers=admin, json=bad), 422, "invalid_recipe")
    assert_problem(http.post("/v1/recipes", headers=ada.auth, json=PLANKS), 403, "forbidden")
    area = http.get(f"{path}/area", headers=ada.auth, params={"x0": 0, "y0": 0, "z0": 0, "x1": 8, "y1": 0, "z1": 7})
    assert_problem(area, 422, "invalid_edit")
    assert_problem(http.get(f"{path}/chunks/0/16/0", headers=ada.auth), 422, "validation_failed")
    closed = http.patch(path, headers=admin, json={"is_active": False})
    assert closed.status_code == 200
    edit = {"changes": {"0,0,0": {"type": "stone"}}, "character_id": a["id"]}
    assert_problem(http.patch(f"{path}/chunks/0/4/0", headers=ada.auth, json=edit), 409, "world_inactive")
