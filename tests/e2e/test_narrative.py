"""Seed 000's narrative over HTTP: quests and items published by admins, save
sync across two devices with offline stretches, rewards, history and restore."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import assert_problem, new_slot, read, sign_up

ITEMS = [
    {"item_id": "potion", "name": "Potion", "max_stack": 5, "pickup_limit": 2},
    {"item_id": "crown", "name": "Crown", "max_stack": 1, "pickup_limit": 0},
]
QUEST = {
    "quest_id": "audience",
    "title": "An Audience with the King",
    "description": "Be received at court.",
    "required_flags": ["met_herald"],
    "reward_bundle": {"items": {"crown": 1, "potion": 1}, "flags": ["knighted"]},
}


@pytest.fixture
def world(http, live_server):
    admin = live_server.token("admin")
    for item in ITEMS:
        assert http.put(f"/v1/items/{item['item_id']}", headers=admin, json=item).status_code == 200
    r = http.put("/v1/quests/audience", headers=admin, json=QUEST)
    assert r.status_code == 200, r.text
    player = sign_up(http)
    return player, new_slot(http, player, "main", {"chapter": 1}), r.json()["position"]


def sync(http, player, slot_id, base, *changes, key=None):
    headers = {**player.auth, **({"Idempotency-Key": key} if key else {})}
    return http.post(f"/v1/save-slots/{slot_id}/sync", headers=headers, json={"base_version": base, "changes": changes})


def test_admins_publish_quests_and_items_everyone_reads_them(http, live_server, world):
    player, _, position = world
    quests = read(http, "/v1/quests", player, position).json()
    assert quests[0]["quest_id"] == "audience" and quests[0]["required_flags"] == ["met_herald"]
    assert {i["item_id"] for i in read(http, "/v1/items", player).json()} == {"potion", "crown"}
    assert_problem(http.put("/v1/quests/audience", headers=player.auth, json=QUEST), 403, "forbidden")
    bad = {**QUEST, "reward_bundle": {"items": {"dragon": 1}}}
    assert_problem(http.put("/v1/quests/audience", headers=live_server.token(), json=bad), 422, "invalid_command")
    assert_problem(http.put("/v1/quests/other", headers=live_server.token(), json=QUEST), 422, "id_mismatch")


def test_a_quest_opens_by_flags_and_completing_it_grants_the_reward_in_the_same_save(http, world):
    player, slot, _ = world
    sid = slot["slot_id"]
    r = sync(
        http,
        player,
        sid,
        0,
        {"type": "flag_set", "flag": "met_herald"},
        {"type": "node_reached", "node": "court.gate"},
        {"type": "quest_progressed", "quest_id": "audience"},
        {"type": "choice_made", "choice": "bow", "option": "deep"},
        {"type": "item_added", "item_id": "potion", "quantity": 2, "metadata": {"found_in": "cellar"}},
        {"type": "quest_completed", "quest_id": "audience"},
    )
    assert r.status_code == 200, r.text
    state = r.json()
    assert state["progression_version"] == 1
    assert state["quests"] == {"audience": "completed"}
    assert state["inventory"]["crown"]["quantity"] == 1 and state["inventory"]["potion"]["quantity"] == 3
    assert state["narrative_state"] == {
        "chapter": 1,
        "flags": ["knighted", "met_herald"],
        "nodes": ["court.gate"],
        "choices": {"bow": "deep"},
    }
    # The read tables agree once they reach the sync's position.
    pos = state["position"]
    inventory = read(http, f"/v1/save-slots/{sid}/inventory", player, pos).json()
    assert {(i["item_id"], i["quantity"]) for i in inventory} == {("crown", 1), ("potion", 3)}
    assert read(http, f"/v1/save-slots/{sid}/quests", player, pos).json()[0]["status"] == "completed"
    slot_row = read(http, f"/v1/save-slots/{sid}", player, pos).json()
    assert slot_row["narrative_state"] == state["narrative_state"] and slot_row["progression_version"] == 1


def test_the_client_cannot_grant_itself_what_the_rules_do_not_allow(http, world):
    player, slot, _ = world
    sid = slot["slot_id"]
    cases = [
        ({"type": "item_added", "item_id": "crown", "quantity": 1}, "only granted as a quest reward"),
        ({"type": "item_added", "item_id": "potion", "quantity": 3}, "at most 2"),
        ({"type": "item_added", "item_id": "gold", "quantity": 1}, "no item"),
        ({"type": "quest_completed", "quest_id": "audience"}, "not active"),
        ({"type": "item_removed", "item_id": "potion", "quantity": 1}, "cannot spend"),
    ]
    for change, reason in cases:
        body = assert_problem(sync(http, player, sid, 0, change), 422, "invalid_changes")
        found = body.get("refusals") or body.get("conflicts")
        assert reason in found[0]["reason"], body
    r = http.post(
        f"/v1/save-slots/{sid}/sync",
        headers=player.auth,
        json={"base_version": 0, "changes": [{"type": "item_added", "item_id": "potion", "quantity": -1}]},
    )
    assert_problem(r, 422, "validation_failed")
    assert_problem(sync(http, player, sid, 7), 422, "invalid_changes")  # a base from the future
    # Nothing of all that applied.
    assert read(http, f"/v1/save-slots/{sid}", player, slot["position"]).json()["progression_version"] == 0
    assert_problem(
        http.put(
            f"/v1/save-slots/{sid}",
            headers={**player.auth, "If-Match": '"1"'},
            json={"narrative_state": {"flags": ["met_herald"]}},
        ),
        422,
        "invalid_command",
    )


def test_two_devices_offline_rebase_where_they_can_and_conflict_where_they_cannot(http, world):
    player, slot, _ = world
    sid = slot["slot_id"]
    base = sync(http, player, sid, 0, {"type": "item_added", "item_id": "potion", "quantity": 2}).json()
    v = base["progression_version"]
    # The phone plays offline and syncs first.
    phone = sync(
        http,
        player,
        sid,
        v,
        {"type": "item_removed", "item_id": "potion", "quantity": 2},
        {"type": "choice_made", "choice": "ally", "option": "rebels"},
    )
    assert phone.status_code == 200 and phone.json()["progression_version"] == v + 1
    # The laptop, offline from the same base: independent changes are rebased...
    laptop = sync(
        http,
        player,
        sid,
        v,
        {"type": "node_reached", "node": "harbour"},
        {"type": "choice_made", "choice": "ally", "option": "rebels"},
    )
    assert laptop.status_code == 200, laptop.text
    merged = laptop.json()
    assert merged["narrative_state"]["nodes"] == ["harbour"]
    assert merged["narrative_state"]["choices"] == {"ally": "rebels"} and "potion" not in merged["inventory"]
    # ...while spending the potions again, or choosing otherwise, conflicts and applies nothing.
    r = sync(
        http,
        player,
        sid,
        v,
        {"type": "node_reached", "node": "tower"},
        {"type": "item_removed", "item_id": "potion", "quantity": 1},
        {"type": "choice_made", "choice": "ally", "option": "crown"},
    )
    body = assert_problem(r, 409, "sync_conflict")
    assert [c["index"] for c in body["conflicts"]] == [1, 2]
    assert body["server_state"]["progression_version"] == merged["progression_version"]
    after = read(http, f"/v1/save-slots/{sid}", player, merged["position"]).json()
    assert "tower" not in after["narrative_state"]["nodes"]


def test_a_retried_sync_with_its_idempotency_key_applies_once(http, world):
    player, slot, _ = world
    sid = slot["slot_id"]
    change = {"type": "item_added", "item_id": "potion", "quantity": 2}
    first = sync(http, player, sid, 0, change, key="sync-1")
    again = sync(http, player, sid, 0, change, key="sync-1")
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert first.json()["inventory"]["potion"]["quantity"] == 2


def test_history_lists_every_version_and_restore_brings_one_back_as_new_events(http, world):
    player, slot, _ = world
    sid = slot["slot_id"]
    first = sync(
        http,
        player,
        sid,
        0,
        {"type": "item_added", "item_id": "potion", "quantity": 2},
        {"type": "flag_set", "flag": "met_herald"},
    ).json()
    r = http.put(
        f"/v1/save-slots/{sid}",
        headers={**player.auth, "If-Match": f'"{first["version"]}"'},
        json={"narrative_state": {"chapter": 2}},
    )
    assert r.status_code == 200, r.text
    last = sync(http, player, sid, 2, {"type": "item_removed", "item_id": "potion", "quantity": 2}).json()
    history = read(http, f"/v1/save-slots/{sid}/history", player, last["position"]).json()["items"]
    assert [(h["progression_version"], h["kind"]) for h in history] == [
        (3, "synced"),
        (2, "saved"),
        (1, "synced"),
        (0, "created"),
    ]
    r = http.post(f"/v1/save-slots/{sid}/restore", headers=player.auth, json={"progression_version": 1})
    assert r.status_code == 200, r.text
    restored = r.json()
    assert restored["progression_version"] == 4
    assert restored["inventory"]["potion"]["quantity"] == 2
    assert restored["narrative_state"] == {"chapter": 1, "flags": ["met_herald"]}
    history = read(http, f"/v1/save-slots/{sid}/history", player, restored["position"]).json()["items"]
    assert history[0]["kind"] == "restored" and history[0]["detail"] == {"restored_from": 1}
    assert len(history) == 5  # nothing was deleted
    inventory = read(http, f"/v1/save-slots/{sid}/inventory", player, restored["position"]).json()
    assert [(i["item_id"], i["quantity"]) for i in inventory] == [("potion", 2)]
    assert_problem(
        http.post(f"/v1/save-slots/{sid}/restore", headers=player.auth, json={"progression_version": 99}),
        404,
        "not_found",
    )
    other = sign_up(http)
    assert_problem(http.get(f"/v1/save-slots/{sid}/history", headers=other.auth), 403, "forbidden")
    assert_problem(
        http.post(f"/v1/save-slots/{sid}/restore", headers=other.auth, json={"progression_version": 1}),
        403,
        "forbidden",
    )
