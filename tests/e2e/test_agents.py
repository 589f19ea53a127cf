"""AI agents (seed 002, part 2) over HTTP: registered agents react to the
game (a quest completed, a season begun) with no client asking, through the
use cases an admin uses; each change is one evolution log entry with its
reasoning; rollback undoes one by compensating events, refuses while later
changes depend on it unless cascaded, and refuses a second time; a paused
agent does nothing; bad input is a problem that records nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from domain.adventure import AdventureUseCases
from tests.e2e.helpers import assert_problem, rows, settled, sign_up
from tests.e2e.test_adventure import character, world
from tests.integration.kafka_helpers import wait_until

LOGS = [{"objective_text": "Logs", "requirements": {"kind": "gather", "item_name": "log", "count": 2}}]


def log_of(live_server, world_id) -> list[dict]:
    return rows(
        live_server,
        "SELECT id::text, evolution_type, changes_made, reasoning, is_active, depends_on, rollback "
        "FROM adventure.world_evolution_log WHERE world_id = %s ORDER BY applied_at",
        world_id,
    )


def test_agents_answer_the_game_and_their_changes_roll_back(http, live_server, admin):
    w = world(http, admin)
    base = f"/v1/worlds/{w['id']}"
    ada = sign_up(http, "Ada")
    me = character(http, ada, w["id"])
    server = live_server.token("server")
    name = f"Quill {uuid4().hex[:6]}"
    quill = http.post("/v1/agents", headers=admin, json={"agent_name": name, "agent_type": "quest_generator",
                                                          "configuration": {"worlds": [w["id"]]}})  # fmt: skip
    assert quill.status_code == 201, quill.text
    assert quill.headers["location"] == f"/v1/agents/{quill.json()['id']}"

    def complete(quest_id: str) -> None:
        begun = http.post(f"{base}/characters/{me['id']}/quests", headers=ada.auth, json={"quest_id": quest_id})
        assert begun.status_code == 201, begun.text
        loot = {"item_type": "material", "item_name": "log", "quantity": 10, "reason": "gather"}
        assert http.post(f"{base}/characters/{me['id']}/items", headers=server, json=loot).status_code == 200

    first = http.post(f"{base}/quests", headers=admin, json={"title": "Timber", "objectives": LOGS}).json()
    complete(first["id"])
    wait_until(lambda: len(log_of(live_server, w["id"])) == 1, 20, 0.1, "the agent to post a sequel")
    (sequel,) = log_of(live_server, w["id"])
    assert sequel["evolution_type"] == "quest_sequel" and sequel["changes_made"]["title"] == "Timber II"
    assert sequel["reasoning"]["chosen"] == "sequel" and "party of 1" in sequel["reasoning"]["summary"]
    posted = http.get(f"{base}/quests/{sequel['changes_made']['quest_id']}", headers=ada.auth).json()
    assert posted["objectives"][0]["requirements"]["count"] == 3 and posted["difficulty_level"] == 3
    complete(posted["id"])
    wait_until(lambda: len(log_of(live_server, w["id"])) == 2, 20, 0.1, "the sequel's sequel")
    third = log_of(live_server, w["id"])[1]
    assert third["changes_made"]["title"] == "Timber III" and third["depends_on"] == [sequel["id"]]

    rollback = f"{base}/evolution/{sequel['id']}/rollback"
    refused = assert_problem(http.post(rollback, headers=admin, json={}), 409, "evolution_has_dependents")
    assert refused["dependents"] == [third["id"]]
    assert_problem(http.post(rollback, headers=ada.auth, json={"cascade": True}), 403, "forbidden")
    undone = http.post(rollback, headers=admin, json={"cascade": True, "reason": "too many sequels"})
    assert undone.status_code == 200, undone.text
    assert undone.json()["rolled_back"] == [third["id"], sequel["id"]]
    assert not http.get(f"{base}/quests/{posted['id']}", headers=ada.auth).json()["is_active"]
    assert_problem(http.post(rollback, headers=admin, json={"cascade": True}), 409, "evolution_rolled_back")
    settled(live_server)
    logged = {e["id"]: e for e in log_of(live_server, w["id"])}
    assert not logged[sequel["id"]]["is_active"] and logged[third["id"]]["rollback"]["cascaded_from"] == sequel["id"]
    assert logged[sequel["id"]]["rollback"]["compensation"] == {"quest_closed": posted["id"]}
    listed = http.get(f"{base}/evolution", headers=ada.auth).json()["items"]
    assert [e["agent_name"] for e in listed] == [name, name]
    agent = http.get(f"/v1/agents/{quill.json()['id']}", headers=admin).json()
    assert agent["current_state"] == {"changes": 2, "rolled_back": 2}


def test_a_season_sets_off_the_coordinator_exactly_once_and_a_paused_agent_rests(http, live_server, admin):
    w = world(http, admin)
    base = f"/v1/worlds/{w['id']}"
    herald = http.post("/v1/agents", headers=admin, json={"agent_name": f"Herald {uuid4().hex[:6]}",
        "agent_type": "event_coordinator", "configuration": {"worlds": [w["id"]]}}).json()  # fmt: skip
    now = datetime.now(UTC)
    season = {"event_type": "season", "event_name": "Spring", "start_time": now.isoformat(),
              "end_time": (now + timedelta(hours=4)).isoformat()}  # fmt: skip
    spring = http.post(f"{base}/events", headers=admin, json=season).json()
    wait_until(lambda: len(log_of(live_server, w["id"])) == 1, 20, 0.1, "the coordinator to answer spring")
    (entry,) = log_of(live_server, w["id"])
    assert entry["evolution_type"] in ("season_fair", "season_market")
    fair = http.get(f"{base}/events/{entry['changes_made']['event_id']}", headers=admin).json()
    assert fair["trigger"] == "agent" and fair["triggered_by"] == entry["id"]
    memory = rows(live_server, "SELECT memory_data FROM adventure.agent_memory WHERE world_id = %s", w["id"])
    assert memory == [{"memory_data": {"last_season": spring["id"]}}]
    # The turn taken again (a redelivery): the entry is found, nothing more is made.
    before = settled(live_server)
    game = live_server.container.use(AdventureUseCases)
    game.agents.season_began(spring["id"], now)
    assert settled(live_server) == before and len(log_of(live_server, w["id"])) == 1
    paused = http.patch(f"/v1/agents/{herald['id']}", headers=admin, json={"is_active": False})
    assert paused.status_code == 200 and not paused.json()["is_active"]
    autumn = {**season, "event_name": "Autumn"}
    http.post(f"{base}/events", headers=admin, json=autumn)
    settled(live_server)
    assert len(log_of(live_server, w["id"])) == 1  # paused: autumn passes unanswered
    since = (now - timedelta(minutes=1)).isoformat()
    undone = http.post(f"{base}/agents/{herald['id']}/rollback", headers=admin, json={"since": since})
    assert undone.status_code == 200 and undone.json()["rolled_back"] == [entry["id"]]
    assert http.get(f"{base}/events/{fair['id']}", headers=admin).json()["status"] == "cancelled"


def test_bad_agents_are_problems_that_record_nothing(http, live_server, admin):
    ada = sign_up(http, "Ada")
    taken = f"Quill {uuid4().hex[:6]}"
    made = http.post("/v1/agents", headers=admin, json={"agent_name": taken, "agent_type": "story_weaver"})
    assert made.status_code == 201
    before = settled(live_server)
    for response, status, code in (
        (http.post("/v1/agents", headers=ada.auth, json={"agent_name": "Mine", "agent_type": "story_weaver"}), 403,
         "forbidden"),
        (http.post("/v1/agents", headers=admin, json={"agent_name": "X", "agent_type": "oracle"}), 422,
         "validation_failed"),
        (http.post("/v1/agents", headers=admin, json={"agent_name": taken.upper(), "agent_type": "story_weaver"}),
         409, "agent_name_taken"),
        (http.post("/v1/agents", headers=admin, json={"agent_name": "X", "agent_type": "story_weaver",
                                                      "configuration": {"worlds": ["nope"]}}), 422, "invalid_agent"),
        (http.get(f"/v1/agents/{uuid4()}", headers=admin), 404, "not_found"),
        (http.post(f"/v1/worlds/{uuid4()}/evolution/{uuid4()}/rollback", headers=admin, json={}), 404, "not_found"),
    ):  # fmt: skip
        assert_problem(response, status, code)
    assert settled(live_server) == before
