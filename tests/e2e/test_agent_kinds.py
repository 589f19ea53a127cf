"""The story weaver, the character master and the surveyors over HTTP, on
the real store and read side: a story's first ending is answered by a
sequel a character can enter; two characters falling out are set a quest
together; the world builder grows a settlement where characters crowd (the
read side's census) and the balance keeper dampens the recipe whose product
is everywhere; each change is a log entry that rolls back, and an admin's
world flags and surveys are problems when they are bad, recording nothing."""

from __future__ import annotations

from uuid import uuid4

from tests.e2e.helpers import assert_problem, settled, sign_up
from tests.e2e.test_adventure import character, world
from tests.e2e.test_agents import log_of
from tests.integration.kafka_helpers import wait_until


def agent(http, admin, kind: str, world_id: str, **configuration) -> dict:
    body = {"agent_name": f"{kind} {uuid4().hex[:6]}", "agent_type": kind,
            "configuration": {"worlds": [world_id], **configuration}}  # fmt: skip
    made = http.post("/v1/agents", headers=admin, json=body)
    assert made.status_code == 201, made.text
    return made.json()


def test_a_story_ending_and_a_falling_out_are_answered(http, live_server, admin):
    w = world(http, admin)
    base = f"/v1/worlds/{w['id']}"
    agent(http, admin, "story_weaver", w["id"])
    agent(http, admin, "character_master", w["id"])
    ada = sign_up(http, "Ada")
    me, friend = character(http, ada, w["id"]), character(http, ada, w["id"], "Bo")
    root, leaf = str(uuid4()), str(uuid4())
    tale = {"title": "The Well", "story_type": "side", "branches": [
        {"branch_id": root, "branch_name": "Go down", "content": "Dark."},
        {"branch_id": leaf, "parent_branch_id": root, "branch_name": "Drink", "content": "Cold.",
         "consequences": {"flags": {"drank": True}}}]}  # fmt: skip
    story = http.post(f"{base}/stories", headers=admin, json=tale).json()
    for branch in (root, leaf):
        chose = http.post(f"{base}/characters/{me['id']}/choices", headers=ada.auth,
                          json={"story_id": story["id"], "branch_id": branch})  # fmt: skip
        assert chose.status_code == 201, chose.text
    wait_until(lambda: len(log_of(live_server, w["id"])) == 1, 20, 0.1, "the weaver to write a sequel")
    (entry,) = log_of(live_server, w["id"])
    assert entry["evolution_type"] == "story_sequel" and entry["changes_made"]["title"] == "The Well: Aftermath"
    assert entry["reasoning"]["factors"]["flags"] == {"drank": True}
    sequel = entry["changes_made"]["story_id"]
    tree = http.get(f"{base}/stories/{sequel}/tree", headers=ada.auth).json()
    way_in = next(b for b in tree["items"] if b["parent_branch_id"] is None)
    assert way_in["conditions"] == {"flags": {"drank": True}}
    entered = http.post(f"{base}/characters/{me['id']}/choices", headers=ada.auth,
                        json={"story_id": sequel, "branch_id": way_in["id"]})  # fmt: skip
    assert entered.status_code == 201, entered.text
    refused = http.post(f"{base}/characters/{friend['id']}/choices", headers=ada.auth,
                        json={"story_id": sequel, "branch_id": way_in["id"]})  # fmt: skip
    assert_problem(refused, 409, "choice_refused")  # Bo never drank from the well

    for kind in ("insult", "attack"):  # -50: hostile
        moved = http.post(f"{base}/characters/{me['id']}/interactions", headers=ada.auth,
                          json={"with_character_id": friend["id"], "kind": kind, "delta": -25})  # fmt: skip
        assert moved.status_code == 200, moved.text
    wait_until(lambda: len(log_of(live_server, w["id"])) == 2, 20, 0.1, "the master to answer the falling out")
    rift = log_of(live_server, w["id"])[1]
    assert rift["evolution_type"] == "reconciliation" and rift["reasoning"]["factors"]["hostile_acts"] == 2
    quest = http.get(f"{base}/quests/{rift['changes_made']['quest_id']}", headers=ada.auth).json()
    assert quest["party_max"] == 2 and quest["title"].startswith("Mend the rift: ")

    undone = http.post(f"{base}/evolution/{entry['id']}/rollback", headers=admin, json={"reason": "too soon"})
    assert undone.status_code == 200, undone.text
    assert not http.get(f"{base}/stories/{sequel}", headers=ada.auth).json()["is_active"]
    settled(live_server)
    rolled = next(e for e in log_of(live_server, w["id"]) if e["id"] == entry["id"])
    assert rolled["rollback"]["compensation"] == {"story_closed": sequel}


def test_surveyors_see_the_read_side_and_their_changes_roll_back(http, live_server, admin):
    w = world(http, admin)
    base = f"/v1/worlds/{w['id']}"
    mason = agent(http, admin, "world_builder", w["id"], crowd=2)
    scales = agent(http, admin, "balance_keeper", w["id"], min_total=10, hours=2)
    ada, bo = sign_up(http, "Ada"), sign_up(http, "Bo")
    crowd = [character(http, player, w["id"], name, (5.0, 70.0, 9.0)) for player in (ada, bo) for name in ("A", "B")]
    server = live_server.token("server")
    tag = uuid4().hex[:6]
    for name, kind, held in (("planks", "woodcutting", 40), ("sword", "smithing", 5), ("bread", "cooking", 5)):
        recipe = {"recipe_name": f"{name} {tag}", "recipe_type": kind,
                  "ingredients": [{"item_name": "log", "quantity": 1}],
                  "result_item": {"item_type": "material", "item_name": f"{name}_{tag}", "quantity": 1}}  # fmt: skip
        assert http.post("/v1/recipes", headers=admin, json=recipe).status_code == 201
        loot = {"item_type": "material", "item_name": f"{name}_{tag}", "quantity": held, "reason": "loot"}
        assert http.post(f"{base}/characters/{crowd[0]['id']}/items", headers=server, json=loot).status_code == 200
    settled(live_server)  # the census reads the read side

    surveyed = http.post(f"/v1/agents/{mason['id']}/survey", headers=admin)
    assert surveyed.status_code == 200, surveyed.text
    (grew,) = surveyed.json()["evolution"]
    assert http.get(base, headers=ada.auth).json()["flags"] == {"settlement.0.0": "village"}  # 4 >= 2 x 2
    again = http.post(f"/v1/agents/{scales['id']}/survey", headers=admin)
    (shortage,) = again.json()["evolution"]
    settled(live_server)
    entries = {e["id"]: e for e in log_of(live_server, w["id"])}
    assert entries[grew]["reasoning"]["factors"]["crowds"] == [{"chunk_x": 0, "chunk_z": 0, "characters": 4}]
    dampened = entries[shortage]
    assert dampened["evolution_type"] == "recipe_shortage" and dampened["reasoning"]["factors"]["dominance"] == 8.0
    event = http.get(f"{base}/events/{dampened['changes_made']['event_id']}", headers=admin).json()
    assert event["effects"] == {"craft_odds": -0.1, "recipe_types": ["woodcutting"]} and event["trigger"] == "agent"
    agents = http.get(f"/v1/agents/{mason['id']}", headers=admin).json()
    assert agents["current_state"] == {"changes": 1, "rolled_back": 0}

    undone = http.post(f"{base}/evolution/{grew}/rollback", headers=admin, json={})
    assert undone.status_code == 200, undone.text
    assert http.get(base, headers=ada.auth).json()["flags"] == {}
    weaver = agent(http, admin, "story_weaver", w["id"])
    assert_problem(http.post(f"/v1/agents/{weaver['id']}/survey", headers=admin), 409, "not_a_surveyor")


def test_world_flags_are_an_admins_and_bad_ones_record_nothing(http, live_server, admin):
    w = world(http, admin)
    base = f"/v1/worlds/{w['id']}"
    ada = sign_up(http, "Ada")
    opened = http.post(f"{base}/flags", headers=admin, json={"flags": {"gate": "open", "bridge": True}})
    assert opened.status_code == 200 and opened.json()["flags"] == {"gate": "open", "bridge": True}
    version = opened.headers["etag"]
    cleared = http.post(f"{base}/flags", headers={**admin, "If-Match": version}, json={"flags": {"bridge": None}})
    assert cleared.status_code == 200 and cleared.json()["flags"] == {"gate": "open"}
    before = settled(live_server)
    for response, status, code in (
        (http.post(f"{base}/flags", headers=ada.auth, json={"flags": {"gate": "shut"}}), 403, "forbidden"),
        (http.post(f"{base}/flags", headers=admin, json={"flags": {"Bad Name": 1}}), 422, "invalid_rule"),
        (http.post(f"{base}/flags", headers=admin, json={"flags": {f"f{n}": 1 for n in range(9)}}), 422,
         "invalid_rule"),
        (http.post(f"{base}/flags", headers=admin, json={"flags": {"gate": [1]}}), 422, "invalid_rule"),
        (http.post(f"{base}/flags", headers={**admin, "If-Match": version}, json={"flags": {"gate": 1}}), 412,
         "version_conflict"),
        (http.post(f"/v1/worlds/{uuid4()}/flags", headers=admin, json={"flags": {"gate": 1}}), 404, "not_found"),
        (http.post(f"/v1/agents/{uuid4()}/survey", headers=admin), 404, "not_found"),
        (http.post(f"/v1/agents/{uuid4()}/survey", headers=ada.auth), 403, "forbidden"),
    ):  # fmt: skip
        assert_problem(response, status, code)
    assert settled(live_server) == before
