"""Quests and their runs at every bound (docs/adventure.md, "Quests")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from uuid import uuid4

import pytest

from domain.adventure import Quest, QuestProgress
from domain.adventure.quest_counting import contribution, counted, policies
from domain.adventure.quest_runs import scale_for
from domain.adventure.quests import COUNT_MAX, OBJECTIVES_MAX, PARTY_MAX, InvalidQuest, QuestClosed, QuestRefused
from domain.adventure.rules import InvalidRule
from domain.kernel.errors import PermissionDenied
from tests.unit.adventure.helpers import PLANKS, adventure

GATHER = {"objective_text": "Logs", "requirements": {"kind": "gather", "item_name": "log", "count": 10}}
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def quest(**changes) -> Quest:
    base = {
        "world_id": uuid4(),
        "title": "The Mill",
        "description": "",
        "quest_type": "side",
        "requirements": {},
        "rewards": {"experience": 100},
        "difficulty_level": 5,
        "objectives": [GATHER],
        "party_max": 2,
        "expires_at": None,
        "now": NOW,
    }
    return Quest.create(**{**base, **changes})


def objective(**requirements) -> dict:
    return {"objective_text": "Do it", "requirements": requirements}


def test_a_quest_is_checked_when_posted():
    made = quest(objectives=[GATHER, objective(kind="reach_level", level=100)], expires_at=NOW + timedelta(hours=1))
    assert [o["order_index"] for o in made.objectives] == [0, 1]
    assert made.objectives[1]["requirements"] == {"kind": "reach_level", "level": 100}
    assert len({o["objective_id"] for o in made.objectives}) == 2 and made.is_active
    assert quest(party_max=PARTY_MAX, difficulty_level=100).party_max == PARTY_MAX


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"quest_type": "saga"}, "'saga' is not a quest type"),
        ({"description": "x" * 8_001}, "^description is a text of at most 8000 characters$"),
        ({"description": 5}, "^description is a text"),
        ({"difficulty_level": 0}, "^difficulty_level is 1 to 100$"),
        ({"difficulty_level": 101}, "^difficulty_level is 1 to 100$"),
        ({"difficulty_level": True}, "^difficulty_level"),
        ({"party_max": 0}, f"^party_max is 1 to {PARTY_MAX}$"),
        ({"party_max": PARTY_MAX + 1}, "^party_max"),
        ({"objectives": []}, f"^a quest has 1 to {OBJECTIVES_MAX} objectives$"),
        ({"objectives": [GATHER] * (OBJECTIVES_MAX + 1)}, "^a quest has 1 to"),
        ({"objectives": {}}, "^a quest has 1 to"),
        ({"rewards": {"take_items": {"log": 1}}}, r"^rewards are of \['experience'"),
        ({"rewards": {"relationships": {str(uuid4()): 1}}}, r"^rewards are of"),
        ({"expires_at": NOW}, "^expires_at is in the future$"),
        ({"objectives": ["x"]}, r"^objectives\[0\] is an object$"),
        ({"objectives": [{"requirements": {"kind": "build"}}]}, r"^objectives\[0\].objective_text is 1 to 128"),
        ({"objectives": [{"objective_text": "x" * 129, "requirements": {"kind": "build"}}]}, "objective_text"),
        ({"objectives": [objective(kind="dance")]}, r"^objectives\[0\].requirements.kind is one of"),
        ({"objectives": [{"objective_text": "x"}]}, "requirements.kind is one of"),
        ({"objectives": [objective(kind="build", item_name="log")]}, r"requirements of a build objective are"),
        ({"objectives": [objective(kind="gather", item_name="")]}, r"requirements.item_name is 1 to 64"),
        ({"objectives": [objective(kind="craft", recipe_name=5)]}, r"requirements.recipe_name is 1 to 64"),
        ({"objectives": [objective(kind="build", count=0)]}, f"requirements.count is 1 to {COUNT_MAX}$"),
        ({"objectives": [objective(kind="build", count=COUNT_MAX + 1)]}, "requirements.count"),
        ({"objectives": [objective(kind="reach_branch", branch_id="nope")]}, "requirements.branch_id is a story"),
        ({"objectives": [objective(kind="reach_branch")]}, "requirements.branch_id"),
        ({"objectives": [objective(kind="reach_level", level=0)]}, r"requirements.level is 1 to 100$"),
        ({"objectives": [objective(kind="reach_level")]}, r"requirements.level"),
    ],
)
def test_a_bad_quest_is_refused(changes, message):
    with pytest.raises(InvalidQuest, match=message):
        quest(**changes)


def test_rules_inside_a_quest_are_the_rule_language():
    with pytest.raises(InvalidRule, match=r"^requirements.level is 1 to 100$"):
        quest(requirements={"level": 0})
    with pytest.raises(InvalidRule, match=r"^objectives\[0\].requirements.unlock.flags"):
        quest(objectives=[objective(kind="build", unlock={"flags": []})])
    with pytest.raises(InvalidRule, match=r"^rewards.experience"):
        quest(rewards={"experience": 0})
    made = quest(objectives=[objective(kind="build", unlock={"level": 2})])
    assert made.objectives[0]["requirements"] == {"kind": "build", "count": 1, "unlock": {"level": 2}}


def test_difficulty_scales_with_the_level_within_bounds():
    assert scale_for(5, 5) == 1.0
    assert scale_for(6, 5) == 1.1 and scale_for(4, 5) == 0.9
    assert scale_for(1, 100) == 0.5 and scale_for(100, 1) == 2.0
    assert scale_for(1, 6) == 0.5 and scale_for(15, 5) == 2.0


def test_a_quest_is_open_until_closed_or_expired():
    made = quest(expires_at=NOW + timedelta(minutes=5))
    made.check_open(NOW)
    with pytest.raises(QuestClosed, match=r"^the quest 'The Mill' is closed$"):
        made.check_open(NOW + timedelta(minutes=5))
    made.set_active(False)
    made.set_active(False)
    assert sum(isinstance(e, Quest.ActivityChanged) for e in made.pending_events) == 1
    with pytest.raises(QuestClosed):
        made.check_open(NOW)
    assert made.pending_events[-1].expired is False


def event(name: str, **fields):
    return type(name, (), {})() if not fields else type(name, (SimpleNamespace,), {})(**fields)


def test_each_kind_counts_its_own_events():
    log = {"kind": "gather", "item_name": "log", "count": 5}
    assert contribution(log, event("ItemsFound", item_name="log", quantity=3)) == 3
    assert contribution(log, event("ItemsFound", item_name="ore", quantity=3)) == 0
    assert contribution(log, event("SlotChanged", item_name="log", quantity=3)) == 0
    planks = {"kind": "craft", "recipe_name": "Planks", "count": 2}
    assert contribution(planks, event("CraftAttempted", succeeded=True, recipe_name="Planks")) == 1
    assert contribution(planks, event("CraftAttempted", succeeded=False, recipe_name="Planks")) == 0
    assert contribution(planks, event("CraftAttempted", succeeded=True, recipe_name="Sword")) == 0
    build = {"kind": "build", "count": 5}
    assert contribution(build, event("SkillExperienceGained", skill="building", amount=6)) == 3
    assert contribution(build, event("SkillExperienceGained", skill="mining", amount=6)) == 0
    branch = uuid4()
    reach = {"kind": "reach_branch", "branch_id": str(branch)}
    assert contribution(reach, event("BranchChosen", branch_id=branch)) == 1
    assert contribution(reach, event("BranchChosen", branch_id=uuid4())) == 0
    level = {"kind": "reach_level", "level": 3}
    assert contribution(level, event("ExperienceGained", level=2)) == 2
    assert contribution(level, event("ItemsFound", item_name="log", quantity=1)) == 0


def leader(level: int = 1, **extra):
    return SimpleNamespace(
        id=uuid4(), level=level, version=4, stats={}, inventory={}, skill_levels=dict, flags={}, **extra
    )


def test_counting_goes_in_order_stops_at_a_locked_objective_and_completes_levels_held():
    made = quest(
        objectives=[
            objective(kind="gather", item_name="log", count=2),
            objective(kind="reach_level", level=1),
            objective(kind="gather", item_name="log", count=2, unlock={"level": 3}),
        ],
        difficulty_level=1,
    )
    hero = leader()
    run = QuestProgress.begin(made, hero)
    assert (run.scale, run.targets, run.members) == (1.0, [2, 1, 2], {str(hero.id): 4})
    logs = [event("ItemsFound", item_name="log", quantity=1) for _ in range(5)]
    assert counted(made, run, hero, logs) == ([2, 1, 0], 2)  # the level is held; the third waits for level 3
    hero.level = 3
    assert counted(made, run, hero, logs) == ([2, 1, 2], 3)
    assert counted(made, run, hero, []) == ([0, 0, 0], 0)
    run.counts, run.current = [2, 1, 2], 3
    assert run.done and counted(made, run, hero, logs) == ([2, 1, 2], 3)


def test_a_party_has_room_for_party_max_and_each_character_once():
    made = quest(party_max=2)
    hero = leader(level=7)
    run = QuestProgress.begin(made, hero)
    assert run.scale == 1.2 and run.targets == [12]
    with pytest.raises(QuestRefused, match=r"^the character is in this party already$"):
        run.join(hero, made.party_max)
    friend = leader()
    run.join(friend, made.party_max)
    joined = run.pending_events[-1]
    assert (joined.leader_id, joined.targets, joined.scale, joined.seen) == (hero.id, [12], 1.2, 4)
    with pytest.raises(QuestRefused, match=r"^the party is full \(2\)$"):
        run.join(leader(), made.party_max)
    run.advance(hero.id, 4, [0], 0)
    assert not isinstance(run.pending_events[-1], QuestProgress.Advanced)  # nothing new: nothing recorded
    run.advance(hero.id, 9, [5], 0)
    advanced = run.pending_events[-1]
    assert (advanced.seen, advanced.counts, advanced.completed) == (9, [5], [])
    run.advance(friend.id, 6, [12], 1)
    assert run.pending_events[-1].completed == [0] and run.done
    run.end("completed", {"experience": 120})
    with pytest.raises(QuestRefused, match=r"^the run of this quest has completed$"):
        run.end("expired")
    with pytest.raises(QuestRefused):
        run.join(leader(), 5)


def test_the_policies_set_the_quests_timers():
    made = policies(None)
    assert len(made) == 8
    character = SimpleNamespace(originator_id=uuid4(), timestamp=NOW, expires_at=None)
    (progress,) = made["lorekeeper.adventure_character.ItemsFound"](character)
    assert (progress.kind, progress.subject, progress.due) == ("adventure.quest_progress", character.originator_id, NOW)
    assert list(made["lorekeeper.quest.Created"](character)) == []
    timed = SimpleNamespace(originator_id=uuid4(), timestamp=NOW, expires_at=NOW + timedelta(hours=1))
    (closing,) = made["lorekeeper.quest.Created"](timed)
    (expiry,) = made["lorekeeper.quest_progress.Created"](timed)
    assert (closing.kind, closing.due) == ("adventure.quest_closing", NOW + timedelta(hours=1))
    assert (expiry.kind, expiry.subject) == ("adventure.quest_expiry", timed.originator_id)


def test_runs_begin_join_abandon_expire_and_close_through_the_use_cases():
    game, world_id, player, ada, bob = adventure()
    stranger_player = uuid4()
    stranger = game.create_character(stranger_player, world_id, "Cid", "mage", {}, (0, 70, 0)).aggregate.id
    game.create_recipe(**PLANKS)
    soon = datetime.now(UTC) + timedelta(hours=1)
    made = game.quests.create_quest(world_id, "Mill", "", "party", {}, {}, 1, [GATHER], 2, soon).aggregate
    run = game.quests.begin(player, ada, made.id).aggregate
    with pytest.raises(QuestRefused, match=r"^the character has this quest under way$"):
        game.quests.begin(player, ada, made.id)
    with pytest.raises(QuestRefused, match=r"^that party is on another quest$"):
        other = game.quests.create_quest(world_id, "Other", "", "side", {}, {}, 1, [GATHER]).aggregate
        game.quests.join(player, bob, other.id, run.id)
    game.quests.join(stranger_player, stranger, made.id, run.id)
    with pytest.raises(PermissionDenied):
        game.quests.abandon(stranger_player, stranger, made.id)
    assert game.quests.expire(run.id, datetime.now(UTC)) is None  # not yet
    assert game.quests.close(made.id, datetime.now(UTC)) is None
    assert game.quests.expire(uuid4(), datetime.now(UTC)) is None and game.quests.close(uuid4(), soon) is None
    expired = game.quests.expire(run.id, soon)
    assert expired.aggregate.status == "expired"
    assert game.character(ada).quests == {} and game.character(stranger).quests == {}
    assert game.quests.expire(run.id, soon).position is None  # ended already: nothing more
    closed = game.quests.close(made.id, soon)
    assert closed.aggregate.is_active is False and closed.aggregate.pending_events == []
    with pytest.raises(QuestRefused, match=r"^the character has begun this quest before$"):
        game.quests.begin(player, ada, other.id) and game.quests.abandon(player, ada, other.id)
        game.quests.begin(player, ada, other.id)
    with pytest.raises(QuestRefused, match=r"^the character has no run of this quest under way$"):
        game.quests.abandon(player, bob, made.id)
    elsewhere = game.create_world("Far", "flat", 3, {}, {}).aggregate.id
    far = game.quests.create_quest(elsewhere, "Far", "", "side", {"level": 1}, {}, 1, [GATHER]).aggregate
    with pytest.raises(QuestRefused, match=r"^the quest is in another world than the character$"):
        game.quests.begin(player, bob, far.id)
    elite = game.quests.create_quest(world_id, "Elite", "", "side", {"level": 9}, {}, 1, [GATHER]).aggregate
    with pytest.raises(QuestRefused, match=r"^'Elite' needs level 9$") as refused:
        game.quests.begin(player, bob, elite.id)
    assert refused.value.details["unmet"] == ["level 9"]
    assert game.quests.advance(uuid4(), soon) == []


def test_every_kind_of_objective_at_its_bounds_and_what_a_run_aims_for():
    branch = uuid4()
    made = quest(
        description="x" * 8_000,
        objectives=[
            {"objective_text": "x" * 128, "requirements": {"kind": "gather", "item_name": "l" * 64, "count": 10_000}},
            objective(kind="craft", recipe_name="P", count=3, unlock={"level": 2}),
            objective(kind="build", count=7, unlock={"level": 2}),
            objective(kind="reach_branch", branch_id=str(branch).upper(), unlock={"level": 2}),
            objective(kind="reach_level", level=5, unlock={"level": 2}),
        ]
        + [objective(kind="build")] * 5,
    )
    assert len(made.objectives) == OBJECTIVES_MAX and made.party_max == 2
    assert made.objectives[3]["requirements"] == {
        "kind": "reach_branch",
        "branch_id": str(branch),
        "unlock": {"level": 2},
    }
    assert Quest.create(uuid4(), "Q", "", "side", {}, {}, 1, [GATHER]).party_max == 1
    run = QuestProgress.begin(made, leader(level=7))  # difficulty 5: x1.2
    assert run.targets[:5] == [12_000, 4, 8, 1, 5] and run.rewards_earned == {} and run.status == "active"
    for wrong, message in (
        ({"item_name": "l" * 65}, "item_name is 1 to 64"),
        ({"item_name": "l", "count": 10_001}, "count is 1 to 10000"),
    ):
        with pytest.raises(InvalidQuest, match=message):
            quest(objectives=[objective(kind="gather", **wrong)])
    with pytest.raises(InvalidQuest) as kinds:
        quest(objectives=[objective(kind="dance")])
    assert kinds.value.details == {"kinds": ["gather", "craft", "build", "reach_branch", "reach_level"]}
    with pytest.raises(InvalidQuest) as types:
        quest(quest_type="saga")
    assert types.value.details == {"quest_types": ["main", "side", "daily", "party", "event"]}
    with pytest.raises(InvalidQuest, match=r"^objectives\[0\].objective_text"):
        quest(objectives=[{"objective_text": "", "requirements": {"kind": "build"}}])
    closed = quest(expires_at=NOW + timedelta(minutes=1))
    with pytest.raises(QuestClosed) as gone:
        closed.check_open(NOW + timedelta(minutes=1))
    assert gone.value.details == {"quest_id": str(closed.id)}
    assert (made.description, made.title) == ("x" * 8_000, "The Mill")


def test_the_quest_use_cases_check_owners_name_the_quest_and_reward_the_world():
    from domain.adventure.achievements import Achievements
    from domain.kernel.errors import VersionConflict

    game, world_id, player, ada, bob = adventure()
    rewards = {"world_flags": {"mill": "open"}, "experience": 10}
    mill = game.quests.create_quest(
        world_id, "Mill", "", "side", {"achievements": ["first_craft"]}, rewards, 1, [GATHER]
    )
    quest = mill.aggregate
    assert quest.party_max == 1 and quest.expires_at is None
    with pytest.raises(VersionConflict):
        game.quests.set_quest_active(quest.id, False, expected_version=9)
    with pytest.raises(QuestRefused, match=r"^'Mill' needs achievement first_craft$"):
        game.quests.begin(player, ada, quest.id)
    unlocked = Achievements(owner=player)
    unlocked.trigger_event(Achievements.Unlocked, owner=player, achievement_name="first_craft", description="",
                           points=10, unlock_data={}, hidden=False)  # fmt: skip
    game.store.write(unlocked)
    with pytest.raises(PermissionDenied):
        game.quests.begin(uuid4(), ada, quest.id)  # another player's character
    run = game.quests.begin(player, ada, quest.id).aggregate
    for refused, details in (
        (lambda: game.quests.begin(player, ada, quest.id), {"quest_id": str(quest.id)}),
        (lambda: game.quests.abandon(player, bob, quest.id), {"quest_id": str(quest.id)}),
    ):
        with pytest.raises(QuestRefused) as raised:
            refused()
        assert raised.value.details == details
    with pytest.raises(PermissionDenied):
        game.quests.join(uuid4(), bob, quest.id, run.id)
    with pytest.raises(PermissionDenied):
        game.quests.abandon(uuid4(), ada, quest.id)
    other = game.quests.create_quest(world_id, "Other", "", "side", {}, {}, 1, [GATHER]).aggregate
    with pytest.raises(QuestRefused) as wrong_party:
        game.quests.join(player, bob, other.id, run.id)
    assert wrong_party.value.details == {"party_id": str(run.id)}
    game.give_items(ada, "material", "log", 10, None, "gather")
    (done,) = game.quests.advance(ada, datetime.now(UTC))
    assert done.aggregate.status == "completed" and done.aggregate.id == run.id
    assert game.world(world_id).flags == {"mill": "open"}
    flags = [e for e in game.store.events.get(world_id) if type(e).__name__ == "FlagsSet"]
    assert flags[-1].reason == f"quest:{quest.id}"
    assert game.quests.begin(player, ada, other.id).aggregate.leader_id == ada
    with pytest.raises(QuestRefused, match=r"^the character has begun this quest before$") as again:
        game.quests.abandon(player, ada, other.id)
        game.quests.begin(player, ada, other.id)
    assert again.value.details == {"quest_id": str(other.id)}
    far = game.create_world("Far", "flat", 9, {}, {}).aggregate.id
    elsewhere = game.quests.create_quest(far, "Far", "", "side", {}, {}, 1, [GATHER]).aggregate
    with pytest.raises(QuestRefused) as away:
        game.quests.begin(player, bob, elsewhere.id)
    assert away.value.details == {"quest_id": str(elsewhere.id)}
