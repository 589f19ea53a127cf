"""AI agents, their policies, the evolution log and rollback at every bound
(docs/adventure.md, "AI agents")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from uuid import UUID, uuid4

import pytest

from domain.adventure import Agent, AgentMemory
from domain.adventure.agent_policies import POLICIES, EventCoordinator, QuestGenerator, policies
from domain.adventure.agents import AGENT_TYPES, AgentNameTaken, InvalidAgent, agent_id, memory_id
from domain.adventure.decisions import PostQuest, ScheduleEvent, Trigger
from domain.adventure.evolution import EvolutionHasDependents, EvolutionRolledBack, evolution_id
from domain.kernel.errors import InvalidCommand
from tests.unit.adventure.helpers import adventure

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
LOGS = [{"objective_text": "Logs", "requirements": {"kind": "gather", "item_name": "log", "count": 2}}]


def test_an_agent_is_checked_when_registered_and_configured():
    agent = Agent.register("  Quill ", "quest_generator", {"worlds": [str(uuid4()).upper()], "max_chain": 2})
    assert agent.agent_name == "Quill" and agent.id == agent_id("quill")
    assert agent.configuration["worlds"][0] == agent.configuration["worlds"][0].lower()
    assert agent.is_active and agent.next_survey is None
    with pytest.raises(InvalidAgent, match="'oracle' is not an agent type") as kind:
        Agent.register("X", "oracle", {})
    assert kind.value.details == {"agent_types": list(AGENT_TYPES)}
    with pytest.raises(InvalidAgent, match=r"^configuration.worlds is a list of world ids$"):
        Agent.register("X", "story_weaver", {"worlds": ["nope"]})
    with pytest.raises(InvalidAgent, match=r"^configuration.worlds"):
        Agent.register("X", "story_weaver", {"worlds": 5})
    with pytest.raises(InvalidCommand, match=r"^configuration must be a JSON object$"):
        Agent.register("X", "story_weaver", [])
    world = UUID(agent.configuration["worlds"][0])
    assert agent.serves(world) and not agent.serves(uuid4())
    agent.configure({"worlds": []}, None)
    assert agent.serves(uuid4())
    agent.configure({"worlds": []}, False)
    assert len(agent.pending_events) == 3 and not agent.serves(world)  # the same configuration: no event
    agent.configure(None, False)
    assert len(agent.pending_events) == 3


def test_memory_is_recalled_until_it_expires_and_then_forgotten():
    memory = AgentMemory(agent_id=uuid4(), world_id=uuid4(), memory_type="event_coordinator")
    assert memory.recall(NOW) == {}
    memory.remember({"last_season": "s"}, NOW + timedelta(hours=1))
    assert memory.recall(NOW) == {"last_season": "s"} and memory.recall(NOW + timedelta(hours=1)) == {}
    memory.forget(NOW)
    assert memory.memory_data == {"last_season": "s"}  # not yet
    memory.forget(NOW + timedelta(hours=1))
    assert (memory.memory_data, memory.expires_at) == ({}, None)
    memory.forget(NOW + timedelta(hours=2))
    assert sum(type(e).__name__ == "Forgotten" for e in memory.pending_events) == 1


def quest_and_run(title: str = "Timber", members: int = 1, **quest):
    made = SimpleNamespace(
        id=uuid4(),
        title=title,
        objectives=[{"objective_text": "Logs", "requirements": {"kind": "gather", "item_name": "log", "count": 3}}],
        rewards={"experience": 100},
        requirements={},
        quest_type="side",
        difficulty_level=99,
        party_max=2,
        **quest,
    )
    run = SimpleNamespace(members={str(uuid4()): 1 for _ in range(members)}, scale=1.0)
    return made, run


def test_the_quest_generator_writes_harder_sequels_until_the_chain_is_long_enough():
    agent = Agent.register("Quill", "quest_generator", {})
    quest, run = quest_and_run()
    trigger = Trigger(key=f"quest:{quest.id}", world=None, subject=(quest, run), now=NOW)
    decision = QuestGenerator().decide(agent, trigger)
    change = decision.change
    assert isinstance(change, PostQuest) and change.title == "Timber II" and change.difficulty_level == 100
    assert change.objectives[0]["requirements"]["count"] == 5 and change.rewards["experience"] == 150
    assert decision.reasoning["chosen"] == "sequel" and decision.reasoning["factors"]["chain_depth"] == 0
    assert decision == QuestGenerator().decide(agent, trigger)  # the same trigger decides the same
    third = QuestGenerator().decide(agent, Trigger(key="k", world=None, subject=quest_and_run("Timber II"), now=NOW))
    assert third.change.title == "Timber III"
    assert (
        QuestGenerator().decide(agent, Trigger(key="k", world=None, subject=quest_and_run("Timber IV"), now=NOW))
        is None
    )
    short = Agent.register("Brief", "quest_generator", {"max_chain": 1})
    assert QuestGenerator().decide(short, Trigger(key="k", world=None, subject=quest_and_run("T II"), now=NOW)) is None


def test_the_event_coordinator_holds_something_in_the_middle_of_a_season():
    agent = Agent.register("Herald", "event_coordinator", {"weights": {"market": 0}})
    season = SimpleNamespace(id=uuid4(), event_name="Spring", start_time=NOW, end_time=NOW + timedelta(hours=4))
    world = SimpleNamespace(active_events={})
    decision = EventCoordinator().decide(agent, Trigger(key="s", world=world, subject=season, now=NOW))
    change = decision.change
    assert isinstance(change, ScheduleEvent) and change.event_name == "Spring Fair"
    assert (change.start_time, change.end_time) == (NOW + timedelta(hours=1), NOW + timedelta(hours=3))
    assert change.effects == {"quest_experience": 1.25} and decision.remember == {"last_season": str(season.id)}
    late = EventCoordinator().decide(agent, Trigger(key="s", world=world, subject=season, now=NOW + timedelta(hours=2)))
    assert late.change.start_time == NOW + timedelta(hours=2) and late.change.end_time == NOW + timedelta(hours=4)
    over = EventCoordinator().decide(agent, Trigger(key="s", world=world, subject=season, now=NOW + timedelta(hours=4)))
    assert over is None
    short = SimpleNamespace(id=uuid4(), event_name="Blink", start_time=NOW, end_time=NOW + timedelta(minutes=3))
    assert EventCoordinator().decide(agent, Trigger(key="s", world=world, subject=short, now=NOW)) is None
    idle = Agent.register("Idle", "event_coordinator", {"weights": {"market": 0, "fair": 0}})
    assert EventCoordinator().decide(idle, Trigger(key="s", world=world, subject=season, now=NOW)) is None
    assert set(POLICIES) == set(AGENT_TYPES)  # every agent type has a built-in policy


def test_the_policies_set_the_agents_turns():
    made = policies(None)
    ended = SimpleNamespace(originator_id=uuid4(), timestamp=NOW, status="completed")
    (turn,) = made["lorekeeper.quest_progress.Ended"](ended)
    assert (turn.kind, turn.subject, turn.due) == ("adventure.agent_quest_generator", ended.originator_id, NOW)
    assert list(made["lorekeeper.quest_progress.Ended"](SimpleNamespace(**{**vars(ended), "status": "expired"}))) == []
    (opened,) = made["lorekeeper.world_event.Started"](ended)
    assert opened.kind == "adventure.agent_event_coordinator"
    kept = SimpleNamespace(originator_id=uuid4(), expires_at=NOW + timedelta(days=1))
    (expiry,) = made["lorekeeper.agent_memory.Remembered"](kept)
    assert (expiry.kind, expiry.due) == ("adventure.agent_memory_expiry", NOW + timedelta(days=1))


def complete(game, player, character, quest_id) -> UUID:
    run = game.quests.begin(player, character, quest_id).aggregate.id
    game.give_items(character, "material", "log", 10, None, "gather")
    game.quests.advance(character, datetime.now(UTC))
    return run


def test_an_agent_acts_once_per_trigger_and_its_chain_rolls_back_dependents_first():
    game, world_id, player, ada, bob = adventure()
    quill = game.agents.register("Quill", "quest_generator", {}).aggregate
    with pytest.raises(AgentNameTaken):
        game.agents.register("QUILL", "event_coordinator", {})
    first = game.quests.create_quest(world_id, "Timber", "", "side", {}, {}, 1, LOGS).aggregate.id
    run = complete(game, player, ada, first)
    (once,) = game.agents.quest_completed(run, NOW)
    (again,) = game.agents.quest_completed(run, NOW)
    entry = once.aggregate
    assert entry.id == evolution_id(quill.id, f"quest:{first}") and again.position is None
    sequel = UUID(entry.changes_made["quest_id"])
    assert game.quests.quest(sequel).origin == entry.id
    second_run = complete(game, player, bob, sequel)
    (child,) = game.agents.quest_completed(second_run, NOW)
    assert child.aggregate.depends_on == [str(entry.id)] and game.agents.entry(entry.id).dependents == [
        str(child.aggregate.id)
    ]
    head = game.store.recorder.max_notification_id()
    with pytest.raises(EvolutionHasDependents) as refused:
        game.agents.roll_back(entry.id)
    assert refused.value.details == {"dependents": [str(child.aggregate.id)]}
    assert game.store.recorder.max_notification_id() == head
    undone = game.agents.roll_back(entry.id, cascade=True, reason="too hard")
    assert list(undone) == [child.aggregate.id, entry.id] and undone.position is not None
    rolled = game.agents.entry(entry.id)
    assert not rolled.is_active and not game.quests.quest(sequel).is_active
    last = [e for e in game.store.events.get(entry.id) if type(e).__name__ == "RolledBack"][-1]
    assert (last.reason, last.compensation, last.cascaded_from) == ("too hard", {"quest_closed": str(sequel)}, None)
    with pytest.raises(EvolutionRolledBack):
        game.agents.roll_back(entry.id, cascade=True)
    assert game.agents.agent(quill.id).version == 1  # its changes are the log's: the agent is not written
    # Paused, it rests; not serving this world, it rests.
    game.agents.configure(quill.id, None, False)
    third = game.quests.create_quest(world_id, "Stone", "", "side", {}, {}, 1, LOGS).aggregate.id
    assert [
        type(w.aggregate).__name__ for w in game.agents.quest_completed(complete(game, player, ada, third), NOW)
    ] == ["Agent"]


def test_a_season_is_answered_once_and_everything_since_rolls_back():
    game, world_id, *_ = adventure()
    herald = game.agents.register("Herald", "event_coordinator", {"weights": {"market": 0}}).aggregate
    game.agents.register("Weaver", "story_weaver", {})  # another type: a season is not its to answer
    now = datetime.now(UTC)
    season = game.seasons.schedule(world_id, "season", "Spring", "", {}, now, now + timedelta(hours=4)).aggregate
    assert game.agents.season_began(season.id, now) == []  # not open yet: nothing to answer
    game.seasons.start(season.id, now)
    (answered,) = game.agents.season_began(season.id, now)
    fair = UUID(answered.aggregate.changes_made["event_id"])
    assert game.seasons.event(fair).triggered_by == answered.aggregate.id
    memory = game.store.load(AgentMemory, memory_id(herald.id, world_id, "event_coordinator"))
    assert memory.recall(now) == {"last_season": str(season.id)}
    assert game.agents.forget(memory.id, now).position is None  # not expired yet
    assert game.agents.forget(uuid4(), now) is None
    festival = game.seasons.schedule(world_id, "festival", "Fete", "", {}, now, now + timedelta(hours=1)).aggregate
    game.seasons.start(festival.id, now)
    assert game.agents.season_began(festival.id, now) == []  # not a season
    entries = [answered.aggregate.id, answered.aggregate.id]  # named twice: undone once
    undone = game.agents.roll_back_since(herald.id, world_id, now - timedelta(minutes=1), entries, False, "")
    assert list(undone) == [answered.aggregate.id]
    assert game.seasons.event(fair).status == "cancelled"
    assert list(game.agents.roll_back_since(herald.id, world_id, now, [answered.aggregate.id], False, "")) == []


def test_what_a_rolled_back_change_set_off_is_not_answered():
    game, world_id, player, ada, bob = adventure()
    game.agents.register("Quill", "quest_generator", {})
    first = game.quests.create_quest(world_id, "Timber", "", "side", {}, {}, 1, LOGS).aggregate.id
    (entry,) = game.agents.quest_completed(complete(game, player, ada, first), NOW)
    sequel = UUID(entry.aggregate.changes_made["quest_id"])
    run = game.quests.begin(player, bob, sequel).aggregate.id  # under way before the rollback
    game.agents.roll_back(entry.aggregate.id)
    game.give_items(bob, "material", "log", 10, None, "gather")
    game.quests.advance(bob, datetime.now(UTC))
    assert game.quests.run(run).status == "completed"  # a run under way finishes; closing stops new ones
    (answer,) = game.agents.quest_completed(run, NOW)
    assert type(answer.aggregate).__name__ == "Agent" and answer.position is None
    assert game.agents.entry(entry.aggregate.id).dependents == []


def test_a_decision_is_exactly_its_policys_rules_and_dice():
    import random
    from uuid import uuid5

    agent = Agent.register("Quill", "quest_generator", {})
    quest, run = quest_and_run("Timber II", members=2)
    quest.rewards = {"experience": 99_999}
    quest.title = "x" * 125 + " II"
    key = f"quest:{quest.id}"
    noise = random.Random(uuid5(agent.id, key).int).uniform(-0.05, 0.05)
    decision = QuestGenerator().decide(agent, Trigger(key=key, world=None, subject=(quest, run), now=NOW))
    assert decision.evolution_type == "quest_sequel"
    assert decision.reasoning == {
        "summary": f"{quest.title!r} was completed by a party of 2: a harder sequel keeps them going",
        "factors": {"chain_depth": 1, "max_chain": 3, "party_size": 2, "scale": 1.0},
        "scores": {"sequel": round(0.6 + 0.2 - 0.15 + noise, 3), "rest": 0.5},
        "chosen": "sequel",
    }
    assert decision.remember == {"last_sequel_of": str(quest.id), "chain_depth": 2}
    change = decision.change
    assert change.title == "x" * 120 + " III" and change.rewards["experience"] == 100_000
    assert (change.party_max, change.quest_type, change.difficulty_level) == (2, "side", 100)
    assert change.description == f"After {quest.title}: the same road, harder."
    herald = Agent.register("Herald", "event_coordinator", {})
    season = SimpleNamespace(id=uuid4(), event_name="Spring", start_time=NOW, end_time=NOW + timedelta(hours=8))
    world = SimpleNamespace(active_events={"a": {}, "b": {}})
    dice = random.Random(uuid5(herald.id, "s").int)
    fair, market = round(0.5 + dice.random() * 0.5 - 0.2, 3), round(0.5 + dice.random() * 0.5 - 0.2, 3)
    made = EventCoordinator().decide(herald, Trigger(key="s", world=world, subject=season, now=NOW))
    assert made.reasoning["scores"] == {"fair": fair, "market": market, "nothing": 0.2}
    chosen = "fair" if fair >= market else "market"
    assert made.reasoning == {
        "summary": f"Spring began: a {chosen} in its middle half gives players a reason to gather",
        "factors": {"season_hours": 8.0, "events_active": 2},
        "scores": {"fair": fair, "market": market, "nothing": 0.2},
        "chosen": chosen,
    }
    assert made.evolution_type == f"season_{chosen}" and made.remember_for == timedelta(hours=8)
    assert made.change.event_type == ("festival" if chosen == "fair" else "market")
    assert made.change.description == "Held in the middle of Spring."
    assert made.change.effects == ({"quest_experience": 1.25} if chosen == "fair" else {"craft_odds": 0.1})


def test_an_entry_keeps_what_it_was_given_and_names_itself_when_refusing():
    from domain.adventure.evolution import Evolution

    parent = uuid4()
    entry = Evolution(
        world_id=uuid4(),
        agent_id=uuid4(),
        trigger="quest:x",
        evolution_type="quest_sequel",
        changes_made={"kind": "quest_posted"},
        reasoning={"chosen": "sequel"},
        depends_on=[parent],
    )
    assert (entry.trigger, entry.evolution_type, entry.reasoning, entry.depends_on) == (
        "quest:x",
        "quest_sequel",
        {"chosen": "sequel"},
        [str(parent)],
    )
    child = uuid4()
    entry.add_dependent(child)
    entry.add_dependent(child)
    assert entry.dependents == [str(child)] and len(entry.pending_events) == 2
    entry.roll_back("why", {"quest_closed": "q"}, parent)
    rolled = entry.pending_events[-1]
    assert (rolled.reason, rolled.compensation, rolled.cascaded_from) == ("why", {"quest_closed": "q"}, parent)
    with pytest.raises(EvolutionRolledBack, match=r"^this change was rolled back already$") as again:
        entry.roll_back("again", {})
    assert again.value.details == {"evolution_id": str(entry.id)}
