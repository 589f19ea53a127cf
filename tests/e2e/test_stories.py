"""Stories (seed 002, part 2) over HTTP: an admin writes a tree of branches
with conditions and consequences; a character walks a path through it, each
choice recording its consequences in one write; the tree and the path are
read back by recursive queries; and every bad input (a cycle, a rule that
does not parse, an unreachable branch, a condition not met, a second choice
of one branch) is a problem that records nothing."""

from __future__ import annotations

from uuid import uuid4

from tests.e2e.helpers import assert_problem, read, rows, settled, sign_up
from tests.e2e.test_adventure import character, world


def tree_of(other_id: str) -> tuple[dict[str, str], list[dict]]:
    """A small story: enter the hall, then bow (flags, items, a friend, the
    world's flag) or draw a sword; after bowing, ask for the seal (needs the
    flag and the token) or leave (needs a strength no one has)."""
    ids = {name: str(uuid4()) for name in ("hall", "bow", "draw", "ask", "leave")}
    branches = [
        {"branch_id": ids["bow"], "parent_branch_id": ids["hall"], "branch_name": "Bow", "branch_order": 1,
         "consequences": {"experience": 150, "flags": {"met_king": True}, "world_flags": {"king": "pleased"},
                          "items": [{"item_type": "trinket", "item_name": "royal_token"}],
                          "relationships": {other_id: 10}, "stats": {"charisma": 2}}},
        {"branch_id": ids["hall"], "branch_name": "Enter the hall", "content": "The doors open."},
        {"branch_id": ids["draw"], "parent_branch_id": ids["hall"], "branch_name": "Draw", "branch_order": 0},
        {"branch_id": ids["ask"], "parent_branch_id": ids["bow"], "branch_name": "Ask for the seal",
         "conditions": {"flags": {"met_king": True}, "items": ["royal_token"], "level": 2},
         "consequences": {"take_items": {"royal_token": 1}, "flags": {"met_king": None, "sealed": "yes"}}},
        {"branch_id": ids["leave"], "parent_branch_id": ids["bow"], "branch_name": "Leave", "branch_order": 1,
         "conditions": {"stats": {"strength": 9999}}},
    ]  # fmt: skip
    return ids, branches


def test_a_character_walks_a_story_and_each_choice_is_one_write(http, live_server, admin):
    ada = sign_up(http, "Ada")
    w = world(http, admin)
    me = character(http, ada, w["id"])
    friend = character(http, sign_up(http, "Bob"), w["id"], "Bob")
    ids, branches = tree_of(friend["id"])
    made = http.post(f"/v1/worlds/{w['id']}/stories", headers=admin, json={"title": "The King", "branches": branches})
    assert made.status_code == 201, made.text
    story = made.json()
    assert story["branch_count"] == 5 and story["added"][1] == ids["hall"]
    assert made.headers["location"] == f"/v1/worlds/{w['id']}/stories/{story['id']}"
    base = f"/v1/worlds/{w['id']}/characters/{me['id']}"
    path = f"{base}/stories/{story['id']}/path"

    start = read(http, path, ada, story["position"]).json()
    assert start["path"] == [] and [c["id"] for c in start["next"]] == [ids["hall"]]

    def choose(branch: str, **extra):
        body = {"story_id": story["id"], "branch_id": branch, **extra}
        return http.post(f"{base}/choices", headers=ada.auth, json=body)

    assert choose(ids["hall"], choice_text="I walk in").status_code == 201
    bowed = choose(ids["bow"], choice_data={"gesture": "deep"})
    assert bowed.status_code == 201, bowed.text
    assert bowed.json()["path"] == [ids["hall"], ids["bow"]] and bowed.json()["flags"] == {"met_king": True}
    here = read(http, path, ada, bowed.json()["position"]).json()
    assert [(b["branch_name"], b["depth"]) for b in here["path"]] == [("Enter the hall", 0), ("Bow", 1)]
    options = {c["branch_name"]: c for c in here["next"]}
    assert options["Ask for the seal"]["open"] and not options["Leave"]["open"]
    assert options["Leave"]["unmet"] == ["strength 9999"]

    me_now = http.get(base, headers=ada.auth).json()
    assert me_now["level"] == 2 and me_now["stats"]["charisma"] == 16
    assert [i["item_name"] for i in me_now["inventory"]] == ["royal_token"]
    asked = choose(ids["ask"])
    assert asked.status_code == 201, asked.text
    assert asked.json()["flags"] == {"sealed": "yes"}
    assert http.get(base, headers=ada.auth).json()["inventory"] == []

    settled(live_server)
    choices = rows(
        live_server,
        "SELECT story_branch_id::text AS b, choice_text, choice_data, consequences FROM adventure.player_choices "
        "WHERE character_id = %s ORDER BY made_at",
        me["id"],
    )
    assert [c["b"] for c in choices] == [ids["hall"], ids["bow"], ids["ask"]]
    assert choices[0]["choice_text"] == "I walk in" and choices[1]["choice_data"] == {"gesture": "deep"}
    assert choices[1]["consequences"]["flags"] == {"met_king": True}
    assert rows(live_server, "SELECT flags FROM adventure.worlds WHERE id = %s", w["id"]) == [
        {"flags": {"king": "pleased"}}
    ]
    bond = rows(
        live_server,
        "SELECT relationship_value FROM adventure.character_relationships WHERE character_id = %s",
        me["id"],
    )
    assert bond == [{"relationship_value": 10}]
    tree = http.get(f"/v1/worlds/{w['id']}/stories/{story['id']}/tree", headers=ada.auth).json()
    assert [(b["branch_name"], b["depth"]) for b in tree["items"]] == [
        ("Enter the hall", 0),
        ("Draw", 1),  # branch_order 0 before 1
        ("Bow", 1),
        ("Ask for the seal", 2),
        ("Leave", 2),
    ]
    assert not tree["truncated"]
    subtree = {"from_branch_id": ids["bow"], "depth": 1}
    shallow = http.get(f"/v1/worlds/{w['id']}/stories/{story['id']}/tree", headers=ada.auth, params=subtree)
    assert [b["branch_name"] for b in shallow.json()["items"]] == ["Bow"]
    listed = http.get(f"/v1/worlds/{w['id']}/stories", headers=ada.auth).json()["items"]
    assert [s["title"] for s in listed] == ["The King"]


def test_bad_stories_and_refused_choices_are_problems_that_record_nothing(http, live_server, admin):
    ada = sign_up(http, "Ada")
    w = world(http, admin)
    me = character(http, ada, w["id"])
    ids, branches = tree_of(me["id"])
    stories = f"/v1/worlds/{w['id']}/stories"
    story = http.post(stories, headers=admin, json={"title": "The King", "branches": branches[1:3]}).json()
    base = f"/v1/worlds/{w['id']}/characters/{me['id']}"
    a, b = str(uuid4()), str(uuid4())
    before = settled(live_server)
    for response, status, code in (
        (http.post(stories, headers=ada.auth, json={"title": "Mine"}), 403, "forbidden"),
        (
            http.post(
                f"{stories}/{story['id']}/branches",
                headers=admin,
                json={"branches": [
                    {"branch_id": a, "parent_branch_id": b, "branch_name": "A"},
                    {"branch_id": b, "parent_branch_id": a, "branch_name": "B"},
                ]},
            ),
            422,
            "branch_cycle",
        ),
        (
            http.post(
                f"{stories}/{story['id']}/branches",
                headers=admin,
                json={"branches": [{"branch_id": a, "parent_branch_id": a, "branch_name": "A"}]},
            ),
            422,
            "branch_cycle",
        ),
        (
            http.post(stories, headers=admin, json={"title": "T", "branches": [
                {"branch_name": "A", "conditions": {"level": "high"}}]}),
            422,
            "invalid_rule",
        ),
        (
            http.post(stories, headers=admin, json={"title": "T", "branches": [
                {"branch_name": "A", "conditions": {"any": [{"moon": 1}]}}]}),
            422,
            "invalid_rule",
        ),
        (
            http.post(stories, headers=admin, json={"title": "T", "branches": [
                {"branch_name": "A", "consequences": {"relationships": {str(uuid4()): 5}}}]}),
            422,
            "invalid_story",
        ),
        (
            http.post(f"{stories}/{story['id']}/branches", headers=admin,
                      json={"branches": [{"branch_id": ids["hall"], "branch_name": "Again"}]}),
            409,
            "branch_exists",
        ),
        (
            http.post(f"{stories}/{story['id']}/branches", headers=admin,
                      json={"branches": [{"parent_branch_id": str(uuid4()), "branch_name": "Orphan"}]}),
            422,
            "invalid_story",
        ),
        (http.post(f"{base}/choices", headers=ada.auth, json={"story_id": story["id"], "branch_id": ids["draw"]}),
         409, "branch_unreachable"),
        (http.post(f"{base}/choices", headers=ada.auth, json={"story_id": story["id"], "branch_id": ids["ask"]}),
         422, "invalid_story"),
        (http.post(f"{base}/choices", headers=ada.auth, json={"story_id": str(uuid4()), "branch_id": ids["hall"]}),
         404, "not_found"),
    ):  # fmt: skip
        assert_problem(response, status, code)
    assert settled(live_server) == before
    entered = http.post(f"{base}/choices", headers=ada.auth, json={"story_id": story["id"], "branch_id": ids["hall"]})
    assert entered.status_code == 201
    guarded = http.post(
        f"{stories}/{story['id']}/branches",
        headers=admin,
        json={"branches": [{"parent_branch_id": ids["draw"], "branch_name": "Duel", "conditions": {"level": 50}}]},
    )
    assert guarded.status_code == 200, guarded.text
    duel = guarded.json()["added"][0]
    drew = http.post(f"{base}/choices", headers=ada.auth, json={"story_id": story["id"], "branch_id": ids["draw"]})
    assert drew.status_code == 201
    before = settled(live_server)
    again = http.post(f"{base}/choices", headers=ada.auth, json={"story_id": story["id"], "branch_id": ids["draw"]})
    assert_problem(again, 409, "branch_unreachable")
    refused = assert_problem(
        http.post(f"{base}/choices", headers=ada.auth, json={"story_id": story["id"], "branch_id": duel}),
        409,
        "choice_refused",
    )
    assert refused["unmet"] == ["level 50"]
    assert settled(live_server) == before
    closed = http.patch(f"{stories}/{story['id']}", headers=admin, json={"is_active": False})
    assert closed.status_code == 200 and not closed.json()["is_active"]
    before = settled(live_server)
    assert_problem(
        http.post(f"{base}/choices", headers=ada.auth, json={"story_id": story["id"], "branch_id": duel}),
        409,
        "story_inactive",
    )
    assert settled(live_server) == before
