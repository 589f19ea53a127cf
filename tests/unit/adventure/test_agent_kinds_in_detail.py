"""The story weaver, the character master and the two surveyors (the world
builder, the balance keeper): their policies at every bound, and their turns
carried out through the use cases, once, and rolled back
(docs/adventure.md, "AI agents")."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from uuid import UUID, uuid4, uuid5

import pytest

from domain.adventure import Agent
from domain.adventure.agent_policies import policies
from domain.adventure.decisions import PostQuest, PostStory, ScheduleEvent, SetWorldFlags, Trigger
from domain.adventure.evolution import EvolutionHasDependents, evolution_id
from domain.adventure.relationships import relationship_id
from domain.adventure.stewardship import NotASurveyor
from domain.adventure.stories import story_made_by
from domain.adventure.storytellers import CharacterMaster, StoryWeaver
from domain.adventure.surveyors import BalanceKeeper, WorldBuilder, settlement_flag, survey_key
from domain.adventure.world_events import craft_bonus
from domain.kernel.errors import InvalidCommand
from tests.unit.adventure.helpers import adventure

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def noise(agent: Agent, key: str) -> float:
    return random.Random(uuid5(agent.id, key).int).uniform(-0.05, 0.05)


# -- story_weaver --------------------------------------------------------------------------


def finished(title: str = "The Well", story_type: str = "side", **metadata):
    root, leaf = str(uuid4()), str(uuid4())
    story = SimpleNamespace(
        id=uuid4(),
        title=title,
        story_type=story_type,
        metadata=metadata,
        branches={
            root: {"name": "Go down", "consequences": {}},
            leaf: {"name": "Drink", "consequences": {"flags": {"drank": True, "gone": None, "mood": "calm"}}},
        },
    )
    return story, SimpleNamespace(name="Ada", level=4), [root, leaf]


def test_the_story_weaver_writes_a_sequel_for_those_who_ended_it_so():
    agent = Agent.register("Weaver", "story_weaver", {})
    story, ada, path = finished()
    key = f"story_end:{story.id}"
    decision = StoryWeaver().decide(agent, Trigger(key=key, world=None, subject=(story, ada, path), now=NOW))
    change = decision.change
    assert isinstance(change, PostStory) and change.title == "The Well: Aftermath" and change.story_type == "side"
    assert change.metadata == {"sequel_of": str(story.id), "sequel_depth": 1, "saga": "The Well"}
    assert change.description == "After The Well, as Ada ended it."
    root, seek, rest = change.branches
    ids = [str(uuid5(agent.id, f"{key}/branch/{n}")) for n in range(3)]
    assert [b["branch_id"] for b in change.branches] == ids
    assert root["conditions"] == {"flags": {"drank": True, "mood": "calm"}} and "parent_branch_id" not in root
    assert root["branch_name"] == "After Drink"
    marker = f"sequel.{story.id.hex[:12]}"
    assert root["consequences"] == {"flags": {marker: "begun"}}
    assert (seek["parent_branch_id"], rest["parent_branch_id"]) == (ids[0], ids[0])
    assert seek["conditions"] == {"level": 5} and seek["consequences"] == {
        "experience": 100,
        "flags": {marker: "sought"},
    }
    assert (seek["branch_order"], rest["branch_order"]) == (0, 1) and rest["consequences"] == {
        "flags": {marker: "rested"}
    }
    assert decision.reasoning == {
        "summary": "Ada reached an ending of 'The Well' ('Drink'): a sequel opens for those who ended it so",
        "factors": {"path_length": 2, "sequel_depth": 0, "max_chain": 2, "flags": {"drank": True, "mood": "calm"}},
        "scores": {"sequel": round(0.65 + noise(agent, key), 3), "rest": 0.35},
        "chosen": "sequel",
    }
    assert decision.remember == {"last_sequel_of": str(story.id), "sequel_depth": 1}
    assert decision == StoryWeaver().decide(agent, Trigger(key=key, world=None, subject=(story, ada, path), now=NOW))


def test_the_story_weaver_names_a_saga_and_stops_it_when_long_enough():
    agent = Agent.register("Weaver", "story_weaver", {})
    story, ada, path = finished("The Well: Aftermath", "seasonal", sequel_depth=1, saga="The Well")
    story.branches[path[-1]]["consequences"] = {}
    decision = StoryWeaver().decide(agent, Trigger(key="k", world=None, subject=(story, ada, path), now=NOW))
    assert decision.change.title == "The Well: Echoes" and decision.change.story_type == "side"
    assert decision.change.branches[0]["conditions"] == {}
    assert decision.change.branches[1]["consequences"]["experience"] == 200
    ended = finished("The Well: Echoes", sequel_depth=2, saga="The Well")
    assert StoryWeaver().decide(agent, Trigger(key="k", world=None, subject=ended, now=NOW)) is None
    longer = Agent.register("Longer", "story_weaver", {"max_chain": 9})  # at most as many as it has names
    story, ada, path = ended
    long_path = (story, ada, path * 3)  # a long path outweighs a deep chain
    third_part = StoryWeaver().decide(longer, Trigger(key="k", world=None, subject=long_path, now=NOW))
    assert third_part.change.title == "The Well: Legacy" and third_part.reasoning["factors"]["max_chain"] == 3
    third = finished("x", sequel_depth=3)
    assert StoryWeaver().decide(longer, Trigger(key="k", world=None, subject=third, now=NOW)) is None


# -- character_master -------------------------------------------------------------------


def soured(*kinds: str):
    relationship = SimpleNamespace(id=uuid4(), value=-60, history=[{"kind": k} for k in kinds])
    return relationship, SimpleNamespace(name="Ada", level=3), SimpleNamespace(name="Bob", level=7)


def test_the_character_master_sets_two_who_fell_out_a_task_together():
    agent = Agent.register("Warden", "character_master", {})
    subject = soured("greet", "quarrel", "attack", "betray")
    decision = CharacterMaster().decide(agent, Trigger(key="h", world=None, subject=subject, now=NOW))
    change = decision.change
    assert isinstance(change, PostQuest) and change.title == "Mend the rift: Ada and Bob"
    assert (change.quest_type, change.party_max, change.difficulty_level, change.requirements) == ("party", 2, 7, {})
    assert change.rewards == {"experience": 120, "flags": {"peacemaker": True}}
    assert change.objectives == [
        {"objective_text": "Build something together", "requirements": {"kind": "build", "count": 8}}
    ]
    assert change.description == "Ada and Bob have fallen out. Building something together may help."
    assert decision.reasoning == {
        "summary": "Ada and Bob turned hostile (-60) after 3 hostile act(s): a task for two may mend it",
        "factors": {"value": -60, "hostile_acts": 3, "mediated_before": False},
        "scores": {"mediate": round(0.6 + noise(agent, "h"), 3), "let_be": 0.4},
        "chosen": "mediate",
    }
    assert decision.remember == {"mediated": True, "value": -60}  # its memory of this pair
    assert decision.remember_for == timedelta(days=7)
    again = Trigger(key="h", world=None, subject=subject, now=NOW, memory={"mediated": True, "value": -60})
    assert CharacterMaster().decide(agent, again) is None  # mediated lately: let it be
    forgotten = Trigger(key="h", world=None, subject=subject, now=NOW, memory={"mediated": "yes"})
    assert CharacterMaster().decide(agent, forgotten) == decision  # only what it remembers itself counts
    calm = soured()  # no hostile acts in its history (they were long ago): scores decide
    scored = CharacterMaster().decide(agent, Trigger(key="c", world=None, subject=calm, now=NOW))
    assert (scored is None) == (round(0.45 + noise(agent, "c"), 3) < 0.4)


# -- the surveyors ------------------------------------------------------------------------


def crowd(x: int, z: int, characters: int) -> dict:
    return {"chunk_x": x, "chunk_z": z, "characters": characters}


def test_the_world_builder_grows_settlements_where_characters_crowd():
    agent = Agent.register("Mason", "world_builder", {})
    world = SimpleNamespace(flags={settlement_flag(1, 1): "village", settlement_flag(2, 2): "town"})
    crowds = [crowd(0, 0, 25), crowd(1, 1, 12), crowd(2, 2, 30), crowd(-3, 4, 5), crowd(5, 5, 4)]
    decision = WorldBuilder().decide(agent, Trigger(key="s", world=world, subject=crowds, now=NOW))
    change = decision.change
    assert isinstance(change, SetWorldFlags) and change.reason == "characters gather here"
    assert change.flags == {"settlement.0.0": "town", "settlement.-3.4": "camp"}  # 1,1 is a village already
    assert decision.reasoning == {
        "summary": "characters crowd 2 place(s): settlement.0.0 becomes a town, settlement.-3.4 becomes a camp",
        "factors": {"crowds": crowds, "crowd": 5},
        "scores": {"settle": 1.0, "wait": 0.3},
        "chosen": "settle",
    }
    assert decision.remember == {"settlements": change.flags} and decision.remember_for == timedelta(days=30)
    one = WorldBuilder().decide(agent, Trigger(key="s", world=world, subject=[crowd(0, 0, 10)], now=NOW))
    assert one.change.flags == {"settlement.0.0": "village"} and one.reasoning["scores"]["settle"] == 0.8
    quiet = [crowd(0, 0, 4), crowd(1, 1, 10), crowd(2, 2, 25)]
    assert WorldBuilder().decide(agent, Trigger(key="s", world=world, subject=quiet, now=NOW)) is None
    many = [crowd(n, n, 5) for n in range(10, 20)]
    assert len(WorldBuilder().decide(agent, Trigger(key="s", world=world, subject=many, now=NOW)).change.flags) == 8
    picky = Agent.register("Picky", "world_builder", {"crowd": 50})
    assert WorldBuilder().decide(picky, Trigger(key="s", world=world, subject=crowds, now=NOW)) is None
    odd = Agent.register("Odd", "world_builder", {"crowd": True})  # not a number: the usual 5
    assert WorldBuilder().decide(odd, Trigger(key="s", world=world, subject=crowds, now=NOW)) == decision


def held(name: str, kind: str, quantity: int) -> dict:
    return {"recipe_name": name, "recipe_type": kind, "quantity": quantity}


def test_the_balance_keeper_dampens_a_recipe_made_far_more_than_the_rest():
    agent = Agent.register("Scales", "balance_keeper", {})
    world = SimpleNamespace(active_events={})
    products = [held("Planks", "woodcutting", 60), held("Iron Sword", "smithing", 10), held("Bread", "cooking", 20)]
    decision = BalanceKeeper().decide(agent, Trigger(key="s", world=world, subject=products, now=NOW))
    change = decision.change
    assert isinstance(change, ScheduleEvent) and (change.event_type, change.event_name) == ("agent", "Planks shortage")
    assert change.effects == {"craft_odds": -0.1, "recipe_types": ["woodcutting"]}
    assert (change.start_time, change.end_time) == (NOW, NOW + timedelta(hours=6))
    assert change.description == "So much Planks is about that woodcutting goes worse for a while."
    assert decision.reasoning == {
        "summary": "characters hold 4.0x as much of 'Planks' as of the other products on average: "
        "woodcutting crafts go 10% worse for 6 h",
        "factors": {"products": products, "total": 90, "dominance": 4.0, "ratio": 3},
        "scores": {"shortage": 0.667, "watch": 0.5},
        "chosen": "shortage",
    }
    end = (NOW + timedelta(hours=6)).isoformat()
    assert decision.remember == {"dampened": "Planks", "until": end} and decision.remember_for == timedelta(hours=6)

    def decide(given=products, memory=None, active=None, **configuration):
        keeper = Agent.register("K", "balance_keeper", configuration)
        seen = SimpleNamespace(active_events=active or {})
        return BalanceKeeper().decide(keeper, Trigger(key="s", world=seen, subject=given, now=NOW, memory=memory or {}))

    assert decide(products[:1]) is None  # nothing to compare it with
    assert decide([held("Planks", "woodcutting", 44), *products[1:]]) is None  # 2.93x: under 3
    assert decide(ratio=5) is None and decide(min_total=91) is None and decide(min_total=90) is not None
    assert decide(hours=1).change.end_time == NOW + timedelta(hours=1)
    assert decide(memory={"dampened": "Planks", "until": end}) is None  # dampened already
    assert decide(memory={"dampened": "Planks", "until": NOW.isoformat()}) is not None  # that one is over
    assert decide(memory={"dampened": "Bread", "until": end}) is not None
    assert decide(active={"e": {"craft_odds": -0.1, "recipe_types": ["woodcutting"]}}) is None
    assert decide(active={"e": {"craft_odds": -0.1, "recipe_types": ["smithing"]}}) is not None
    assert (
        decide([held("Planks", "woodcutting", 21), held("Bread", "cooking", 0)]).reasoning["factors"]["dominance"] == 21
    )


# -- the turns' timers ----------------------------------------------------------------------


def test_the_policies_set_the_new_agents_turns():
    made = policies(None)
    chosen = SimpleNamespace(originator_id=uuid4(), timestamp=NOW)
    (turn,) = made["lorekeeper.adventure_character.BranchChosen"](chosen)
    assert (turn.kind, turn.subject, turn.due) == ("adventure.agent_story_weaver", chosen.originator_id, NOW)
    interacted = made["lorekeeper.relationship.Interacted"]

    def moved(value: int, delta: int):
        return list(
            interacted(SimpleNamespace(originator_id=chosen.originator_id, timestamp=NOW, value=value, delta=delta))
        )

    assert [t.kind for t in moved(-50, -1)] == ["adventure.agent_character_master"]  # -49 to -50: turned
    assert moved(-49, -25) == [] and moved(-60, -5) == [] and moved(-50, 0) == []  # not yet, or hostile already
    registered = made["lorekeeper.agent.Created"]
    created = {"originator_id": uuid4(), "timestamp": NOW, "agent_name": "M", "configuration": {}}
    (first,) = registered(SimpleNamespace(**created, agent_type="world_builder"))
    assert (first.kind, first.due) == ("adventure.agent_survey", NOW + timedelta(hours=1))
    (soon,) = registered(
        SimpleNamespace(**{**created, "configuration": {"survey_minutes": 5}}, agent_type="balance_keeper")
    )
    assert soon.due == NOW + timedelta(minutes=5)
    assert list(registered(SimpleNamespace(**created, agent_type="story_weaver"))) == []
    (next_one,) = made["lorekeeper.agent.Surveyed"](SimpleNamespace(originator_id=uuid4(), next_survey=NOW))
    assert (next_one.kind, next_one.due) == ("adventure.agent_survey", NOW)


@pytest.mark.parametrize(
    ("minutes", "interval"),
    [(None, 60), (5, 5), (4, 60), (1440, 1440), (1441, 60), (True, 60), ("30", 60), (30.0, 60)],
)
def test_a_surveyor_looks_every_so_many_minutes(minutes, interval):
    agent = Agent.register("Mason", "world_builder", {"survey_minutes": minutes})
    assert agent.survey_interval() == timedelta(minutes=interval)
    agent.surveyed(NOW, NOW - timedelta(minutes=1))
    assert agent.next_survey == NOW + timedelta(minutes=interval)
    agent.surveyed(NOW, NOW + timedelta(hours=30))  # late: one interval from now
    assert agent.next_survey == NOW + timedelta(hours=30, minutes=interval)


# -- carried out, once, and rolled back ------------------------------------------------------


class Census:
    """What the read side would answer (a port's stand-in: the real one is tested end to end)."""

    def __init__(self, world_id: UUID, crowds=(), products=()):
        self.world_id, self.seen_crowds, self.seen_products = world_id, list(crowds), list(products)

    def worlds(self) -> list[UUID]:
        return [self.world_id]

    def crowds(self, world_id: UUID) -> list[dict]:
        return self.seen_crowds if world_id == self.world_id else []

    def products(self, world_id: UUID) -> list[dict]:
        return self.seen_products if world_id == self.world_id else []


def test_a_story_ending_is_answered_once_by_a_sequel_the_rollback_closes():
    game, world_id, player, ada, bob = adventure()
    weaver = game.agents.register("Weaver", "story_weaver", {}).aggregate
    root, leaf = uuid4(), uuid4()
    story = game.stories.create_story(
        world_id,
        "The Well",
        "",
        "side",
        {},
        [
            {"branch_id": str(root), "branch_name": "Go down", "content": ""},
            {
                "branch_id": str(leaf),
                "parent_branch_id": str(root),
                "branch_name": "Drink",
                "content": "",
                "consequences": {"flags": {"drank": True}},
            },
        ],
    ).aggregate
    game.stories.choose(player, ada, story.id, root)
    assert game.agents.branch_chosen(ada, NOW) == []  # not at an ending
    game.stories.choose(player, ada, story.id, leaf)
    (written,) = game.agents.branch_chosen(ada, NOW)
    entry = written.aggregate
    assert entry.id == evolution_id(weaver.id, f"story_end:{story.id}") and entry.evolution_type == "story_sequel"
    sequel = game.stories.story(story_made_by(entry.id))
    assert entry.changes_made == {"kind": "story_written", "story_id": str(sequel.id), "title": "The Well: Aftermath"}
    assert sequel.metadata["evolution_id"] == str(entry.id) and len(sequel.branches) == 3
    (again,) = game.agents.branch_chosen(ada, NOW)
    assert again.position is None  # answered already
    game.stories.choose(player, bob, story.id, root)
    game.stories.choose(player, bob, story.id, leaf)
    assert [w.position for w in game.agents.branch_chosen(bob, NOW)] == [None]  # the story's ending: answered once
    sequel_root = next(k for k, b in sequel.branches.items() if b["parent"] is None)
    game.stories.choose(player, ada, sequel.id, UUID(sequel_root))
    rest = next(k for k, b in sequel.branches.items() if b["name"] == "Let it rest")
    game.stories.choose(player, ada, sequel.id, UUID(rest))
    *_, child = game.agents.branch_chosen(ada, NOW)  # the first story's ending again, and the sequel's
    assert child.aggregate.depends_on == [str(entry.id)]
    undone = game.agents.roll_back(entry.id, cascade=True)
    assert list(undone) == [child.aggregate.id, entry.id]
    assert not game.stories.story(sequel.id).is_active
    last = [e for e in game.store.events.get(entry.id) if type(e).__name__ == "RolledBack"][-1]
    assert last.compensation == {"story_closed": str(sequel.id)}
    game.stories.set_story_active(story.id, False)
    assert game.agents.branch_chosen(bob, NOW) == []  # an inactive story is not answered
    assert game.agents.branch_chosen(uuid4(), NOW) == []  # no such character (erased)


def test_a_relationship_turning_hostile_is_answered_once_per_turning():
    game, _, player, ada, bob = adventure()
    warden = game.agents.register("Warden", "character_master", {}).aggregate
    pair = relationship_id(ada, bob)
    game.interact(player, ada, bob, "quarrel", -25)
    assert game.agents.relationship_soured(pair, NOW) == []  # unfriendly, not hostile
    for kind in ("insult", "attack"):
        game.interact(player, ada, bob, kind, -25)
    (written,) = game.agents.relationship_soured(pair, NOW)  # three hostile acts: mediate scores 0.6 +- 0.05
    entry = written.aggregate
    assert entry.id == evolution_id(warden.id, f"hostile:{pair}:{NOW.isoformat()}")
    quest = game.quests.quest(UUID(entry.changes_made["quest_id"]))
    assert (
        quest.title in ("Mend the rift: Ada and Bob", "Mend the rift: Bob and Ada")
        and quest.party_max == 2
        and quest.origin == entry.id
    )
    (again,) = game.agents.relationship_soured(pair, NOW)
    assert again.position is None
    game.agents.roll_back(entry.id)
    assert not game.quests.quest(quest.id).is_active
    for _ in range(4):
        game.interact(player, ada, bob, "help", 25)
    assert game.agents.relationship_soured(pair, NOW + timedelta(hours=1)) == []  # friends again


def test_a_survey_settles_crowded_places_once_and_the_rollback_restores_the_flags():
    game, world_id, *_ = adventure()
    mason = game.agents.register("Mason", "world_builder", {}).aggregate
    game.agents.census = Census(world_id, crowds=[crowd(0, 0, 12), crowd(3, 3, 5)])
    game.set_world_flags(world_id, {"settlement.3.3": "camp"}, "an admin's camp")
    first = NOW
    written = game.agents.survey(mason.id, first)
    entry = written[0].aggregate
    assert entry.id == evolution_id(mason.id, survey_key(world_id, first))
    assert entry.changes_made == {
        "kind": "flags_set",
        "flags": {"settlement.0.0": "village"},
        "previous": {"settlement.0.0": None},
        "built_on": {},
    }
    world = game.world(world_id)
    assert world.flags == {"settlement.0.0": "village", "settlement.3.3": "camp"}
    agent = game.agents.agent(mason.id)
    assert agent.next_survey >= first + timedelta(hours=1)
    assert game.agents.survey(mason.id, first) == []  # taken already: its schedule moved on
    game.agents.roll_back(entry.id)
    assert game.world(world_id).flags == {"settlement.3.3": "camp"}
    last = [e for e in game.store.events.get(entry.id) if type(e).__name__ == "RolledBack"][-1]
    assert last.compensation == {"flags_restored": {"settlement.0.0": None}}
    # A flag that moved on after the change is another's: the rollback leaves it.
    game.agents.census = Census(world_id, crowds=[crowd(0, 0, 30)])
    (later,) = game.agents.survey_now(mason.id)  # an admin's: no schedule to keep
    game.set_world_flags(world_id, {"settlement.0.0": "ruin"}, "an admin")
    game.agents.roll_back(later.aggregate.id)
    assert game.world(world_id).flags["settlement.0.0"] == "ruin"
    assert game.agents.agent(mason.id).next_survey == agent.next_survey  # an admin's survey keeps the schedule
    weaver = game.agents.register("Weaver", "story_weaver", {}).aggregate
    with pytest.raises(
        NotASurveyor, match=r"^a story_weaver answers events; only \['balance_keeper', 'world_builder'\] survey$"
    ):
        game.agents.survey_now(weaver.id)


def test_a_survey_of_products_schedules_a_shortage_crafts_feel():
    game, world_id, *_ = adventure()
    scales = game.agents.register("Scales", "balance_keeper", {}).aggregate
    game.agents.census = Census(world_id, products=[held("Planks", "woodcutting", 90), held("Bread", "cooking", 10)])
    now = datetime.now(UTC)
    written, scheduled = game.agents.survey(scales.id, now)
    event = game.seasons.event(UUID(written.aggregate.changes_made["event_id"]))
    assert (event.event_type, event.trigger, event.triggered_by) == ("agent", "agent", written.aggregate.id)
    assert type(scheduled.aggregate).__name__ == "Agent"
    game.seasons.start(event.id, now)
    assert craft_bonus(game.world(world_id).active_events, "woodcutting") == pytest.approx(-0.1)
    game.agents.roll_back(written.aggregate.id)
    assert game.seasons.event(event.id).status == "cancelled"
    assert craft_bonus(game.world(world_id).active_events, "woodcutting") == 0


def test_a_survey_does_nothing_paused_without_a_census_or_for_others():
    game, world_id, *_ = adventure()
    mason = game.agents.register("Mason", "world_builder", {}).aggregate
    now = datetime.now(UTC)
    (only,) = game.agents.survey(mason.id, now)  # no census: it only keeps its schedule
    assert type(only.aggregate).__name__ == "Agent"
    game.agents.census = Census(world_id, crowds=[crowd(0, 0, 12)])
    game.agents.configure(mason.id, None, False)
    (paused,) = game.agents.survey(mason.id, now + timedelta(hours=2))
    assert type(paused.aggregate).__name__ == "Agent" and game.world(world_id).flags == {}
    game.agents.configure(mason.id, {"worlds": [str(uuid4())]}, True)  # serves a world the store lacks
    (elsewhere, _) = game.agents.survey(mason.id, now + timedelta(hours=4))
    assert elsewhere.position is None and game.world(world_id).flags == {}
    weaver = game.agents.register("Weaver", "story_weaver", {}).aggregate
    assert game.agents.survey(weaver.id, NOW) == []  # not a surveyor
    with pytest.raises(InvalidCommand, match="flags"):
        game.set_world_flags(world_id, {"Bad Name": 1}, "")
    assert game.set_world_flags(world_id, {"a": 1}, "").aggregate.flags == {"a": 1}
    assert [e.reason for e in game.store.events.get(world_id) if type(e).__name__ == "FlagsSet"] == ["set by an admin"]


def test_a_settlement_grown_again_depends_on_the_change_that_founded_it():
    game, world_id, *_ = adventure()
    mason = game.agents.register("Mason", "world_builder", {}).aggregate
    game.agents.census = Census(world_id, crowds=[crowd(0, 0, 5)])
    (founded,) = game.agents.survey_now(mason.id)
    assert game.world(world_id).flag_origins == {"settlement.0.0": str(founded.aggregate.id)}
    game.agents.census = Census(world_id, crowds=[crowd(0, 0, 10), crowd(1, 0, 5)])
    (grown,) = game.agents.survey_now(mason.id)
    assert grown.aggregate.depends_on == [str(founded.aggregate.id)]
    assert grown.aggregate.changes_made["previous"] == {"settlement.0.0": "camp", "settlement.1.0": None}
    assert grown.aggregate.changes_made["built_on"] == {"settlement.0.0": str(founded.aggregate.id)}
    head = game.store.recorder.max_notification_id()
    with pytest.raises(EvolutionHasDependents):
        game.agents.roll_back(founded.aggregate.id)
    assert game.store.recorder.max_notification_id() == head
    game.agents.roll_back(grown.aggregate.id)  # the village undone: the camp is back, the founder's again
    world = game.world(world_id)
    assert world.flags == {"settlement.0.0": "camp"}
    assert world.flag_origins == {"settlement.0.0": str(founded.aggregate.id)}
    game.agents.roll_back(founded.aggregate.id)
    world = game.world(world_id)
    assert world.flags == {} and world.flag_origins == {}
    last = [e for e in game.store.events.get(grown.aggregate.id) if type(e).__name__ == "RolledBack"][-1]
    assert last.compensation == {"flags_restored": {"settlement.0.0": "camp", "settlement.1.0": None}}


@pytest.mark.parametrize(
    ("configuration", "crowded", "settles"),
    [({"crowd": 2}, 2, True), ({"crowd": 1}, 2, False), ({"crowd": 1000}, 1000, True), ({"crowd": 1001}, 5, True),
     ({}, 4, False), ({}, 5, True)],
)  # fmt: skip
def test_the_world_builders_crowd_is_configured_within_bounds(configuration, crowded, settles):
    agent = Agent.register("Mason", "world_builder", configuration)
    world = SimpleNamespace(flags={})
    made = WorldBuilder().decide(agent, Trigger(key="s", world=world, subject=[crowd(0, 0, crowded)], now=NOW))
    assert (made is not None) == settles
    if made:
        assert made.change.flags == {"settlement.0.0": "camp"}


@pytest.mark.parametrize(
    ("configuration", "products", "end"),
    [
        ({"ratio": 2}, [held("A", "cooking", 20), held("B", "cooking", 10)], 6),
        ({"ratio": 1}, [held("A", "cooking", 20), held("B", "cooking", 10)], None),  # out of bounds: the usual 3
        ({"ratio": 100}, [held("A", "cooking", 1000), held("B", "cooking", 10)], 6),
        ({"ratio": 101}, [held("A", "cooking", 30), held("B", "cooking", 10)], 6),  # the usual 3
        ({}, [held("A", "cooking", 15), held("B", "cooking", 5)], 6),  # 20 in all: enough
        ({}, [held("A", "cooking", 15), held("B", "cooking", 4)], None),  # 19: too few to judge
        ({"hours": 168}, [held("A", "cooking", 30), held("B", "cooking", 10)], 168),
        ({"hours": 169}, [held("A", "cooking", 30), held("B", "cooking", 10)], 6),
    ],
)
def test_the_balance_keepers_settings_are_configured_within_bounds(configuration, products, end):
    agent = Agent.register("Scales", "balance_keeper", configuration)
    world = SimpleNamespace(active_events={})
    made = BalanceKeeper().decide(agent, Trigger(key="s", world=world, subject=products, now=NOW))
    assert (made.change.end_time if made else None) == (NOW + timedelta(hours=end) if end else None)


def test_dominance_is_rounded_to_three_places():
    agent = Agent.register("Scales", "balance_keeper", {})
    products = [held("A", "cooking", 70), held("B", "cooking", 9), held("C", "cooking", 12)]
    made = BalanceKeeper().decide(
        agent, Trigger(key="s", world=SimpleNamespace(active_events={}), subject=products, now=NOW)
    )
    assert made.reasoning["factors"]["dominance"] == 6.667 and made.reasoning["scores"]["shortage"] == 1.0


def test_a_sequel_is_exactly_its_rules_for_a_long_path_and_a_long_title():
    agent = Agent.register("Weaver", "story_weaver", {"max_chain": 3})
    story, ada, (root, leaf) = finished("T" * 120, "main", sequel_depth=1)
    middle = str(uuid4())
    story.branches[middle] = {"name": "Wait", "consequences": {}}
    flags = {f"f{n}": n for n in range(9)}
    story.branches[leaf] = {"name": "N" * 130, "consequences": {"flags": flags}}
    ada.level = 100
    path = [root, middle, *[middle] * 5, leaf]  # eight choices: the path's length counts up to six
    key = "story_end:x"
    made = StoryWeaver().decide(agent, Trigger(key=key, world=None, subject=(story, ada, path), now=NOW))
    ids = [str(uuid5(agent.id, f"{key}/branch/{n}")) for n in range(3)]
    marker = f"sequel.{story.id.hex[:12]}"
    assert made.change.title == "T" * 100 + ": Echoes" and made.change.story_type == "main"
    assert made.change.metadata == {"sequel_of": str(story.id), "sequel_depth": 2, "saga": "T" * 100}
    assert made.change.branches == [
        {
            "branch_id": ids[0],
            "branch_name": ("After " + "N" * 130)[:128],
            "content": f"Word of how {story.title} ended spreads through the world.",
            "conditions": {"flags": {f"f{n}": n for n in range(8)}},  # the first eight of nine
            "consequences": {"flags": {marker: "begun"}},
            "branch_order": 0,
        },
        {
            "branch_id": ids[1],
            "parent_branch_id": ids[0],
            "branch_name": "Seek out what remains",
            "content": "Old roads, new trouble.",
            "conditions": {"level": 100},
            "consequences": {"experience": 200, "flags": {marker: "sought"}},
            "branch_order": 0,
        },
        {
            "branch_id": ids[2],
            "parent_branch_id": ids[0],
            "branch_name": "Let it rest",
            "content": "Some stories are better left finished.",
            "conditions": {},
            "consequences": {"flags": {marker: "rested"}},
            "branch_order": 1,
        },
    ]
    assert made.reasoning["scores"] == {"sequel": round(0.55 + 0.3 - 0.1 + noise(agent, key), 3), "rest": 0.45}
    assert made.reasoning["factors"]["path_length"] == 8 and made.evolution_type == "story_sequel"
    deep = finished("x", sequel_depth=2)
    deep_scores = StoryWeaver().decide(
        Agent.register("W", "story_weaver", {"max_chain": 3}),
        Trigger(key="d", world=None, subject=(deep[0], deep[1], deep[2] * 3), now=NOW),
    )
    assert deep_scores.reasoning["scores"]["rest"] == 0.55  # 0.35 + 0.1 a sequel deep


def test_the_character_master_scores_and_caps_exactly():
    agent = Agent.register("Warden", "character_master", {})
    relationship, first, second = soured(*["attack"] * 8)
    first.name, second.level = "A" * 120, 150
    made = CharacterMaster().decide(agent, Trigger(key="k", world=None, subject=(relationship, first, second), now=NOW))
    assert made.reasoning["scores"] == {"mediate": round(0.45 + 0.3 + noise(agent, "k"), 3), "let_be": 0.4}
    assert made.evolution_type == "reconciliation" and made.change.title == f"Mend the rift: {'A' * 120} and Bob"[:128]
    assert made.change.difficulty_level == 100 and made.change.rewards["experience"] == 1050
    weak = SimpleNamespace(name="W", level=0)  # a level below one (never in play): difficulty at least 1
    low = CharacterMaster().decide(agent, Trigger(key="k", world=None, subject=(relationship, weak, weak), now=NOW))
    assert low.change.difficulty_level == 1 and low.change.rewards["experience"] == 50
    again = Trigger(key="k", world=None, subject=(relationship, first, second), now=NOW,
                    memory={"mediated": True})  # fmt: skip
    with_memory = CharacterMaster().decide(Agent.register("W2", "character_master", {}), again)
    assert with_memory is None  # let be (0.9) outscores any mediation (at most 0.8)


def test_every_turn_is_set_for_what_set_it_off():
    made = policies(None)
    subject = uuid4()
    cases = [
        ("lorekeeper.world_event.Started", {"timestamp": NOW}, NOW),
        ("lorekeeper.agent_memory.Remembered", {"expires_at": NOW}, NOW),
        ("lorekeeper.relationship.Interacted", {"timestamp": NOW, "value": -50, "delta": -25}, NOW),
        ("lorekeeper.agent.Surveyed", {"next_survey": NOW}, NOW),
        ("lorekeeper.agent.Created", {"timestamp": NOW, "agent_type": "world_builder", "agent_name": "M",
                                      "configuration": {}}, NOW + timedelta(hours=1)),
    ]  # fmt: skip
    for topic, fields, due in cases:
        (timer,) = made[topic](SimpleNamespace(originator_id=subject, **fields))
        assert (timer.subject, timer.due) == (subject, due), topic


def test_an_entry_records_the_seed_its_decision_was_made_with():
    import random

    game, world_id, *_ = adventure()
    mason = game.agents.register("Mason", "world_builder", {}).aggregate.id
    game.agents.census = Census(world_id, crowds=[crowd(0, 0, 5)])
    (written,) = game.agents.survey_now(mason)
    entry = written.aggregate
    seed = int(entry.reasoning["seed"])
    assert seed == uuid5(mason, entry.trigger).int
    trigger = Trigger(key=entry.trigger, world=None, subject=None, now=NOW)
    assert trigger.rng(mason).random() == random.Random(seed).random()  # the dice, replayed from the entry
    assert {k: v for k, v in entry.reasoning.items() if k != "seed"}["chosen"] == "settle"


def test_a_choice_with_no_story_weaver_reads_no_story():
    game, world_id, player, ada, _ = adventure()
    root = uuid4()
    story = game.stories.create_story(
        world_id, "Short", "", "side", {}, [{"branch_id": str(root), "branch_name": "Only", "content": ""}]
    ).aggregate
    game.stories.choose(player, ada, story.id, root)  # an ending, at once
    read = []
    load = game.store.load
    game.store.load = lambda cls, *args, **kwargs: read.append(cls.__name__) or load(cls, *args, **kwargs)
    assert game.agents.branch_chosen(ada, NOW) == []
    assert "Story" not in read and "Adventurer" not in read
