"""The tycoon's aggregates and use cases at their boundaries, with the
messages and details clients read: worlds and guilds, heroes living their
time, the master's gestures, orders and quests, bonds, and the timers."""

from __future__ import annotations

import random
from datetime import timedelta
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

import pytest

from domain.kernel.errors import InvalidCommand, NotFound, PermissionDenied
from domain.kernel.timers import CancelTimer, SetTimer
from domain.tycoon import Hero, HeroBond, Quest
from domain.tycoon import decisions as model
from domain.tycoon.bonds import HISTORY_MAX, InvalidBond, bond_id
from domain.tycoon.clock import GameClock
from domain.tycoon.heroes import GIFT_MAX, UNATTENDED_MAX, HeroBusy, InvalidHero
from domain.tycoon.quests import AlreadyAssigned, InvalidQuest, QuestClosed, checked_rewards
from domain.tycoon.turns import HERO_TURN, effects_at, policies
from domain.tycoon.use_cases import BATCH
from domain.tycoon.worlds import (
    HEROES_PER_WORLD,
    RECRUIT_COST,
    STARTING_GOLD,
    WORLDS_PER_PLAYER,
    Guild,
    GuildFull,
    InvalidWorld,
    NotEnoughGold,
    TycoonWorld,
    WorldLimit,
    guild_id,
)
from tests.unit.tycoon.helpers import BRAVE, FOUNDED, recruit, tycoon

EVEN = dict.fromkeys(BRAVE, 50)


def hero(**traits) -> Hero:
    h = Hero.recruit(uuid4(), uuid4(), uuid4(), "Ada", {**EVEN, **traits}, 5, GameClock(FOUNDED, 60), 0)
    h.collect_events()
    return h


def alone(h: Hero, until: int, steps: int = 10_000) -> int:
    return h.advance(until, lambda _: [], lambda _: {}, steps)


# -- worlds and guilds ------------------------------------------------------------


def test_a_world_is_founded_with_a_checked_name_seed_and_ratio():
    owner = uuid4()
    world = TycoonWorld.found(owner, "  Aldmere ", 7, 60, FOUNDED)
    assert world.name == "Aldmere" and world.owner_id == owner and world.last_visit == FOUNDED
    assert world.clock == GameClock(FOUNDED, 60)
    for seed in (True, 2**63, -(2**63) - 1, "7"):
        with pytest.raises(InvalidWorld, match="64-bit"):
            TycoonWorld.found(owner, "A", seed, 60, FOUNDED)
    for ratio in (0, 86_401, True):
        with pytest.raises(InvalidWorld, match=r"1..86400"):
            TycoonWorld.found(owner, "A", 7, ratio, FOUNDED)
    assert TycoonWorld.found(owner, "A", -(2**63), 86_400, FOUNDED).ratio == 86_400


def test_world_events_are_checked_windows_of_game_time():
    world = TycoonWorld.found(uuid4(), "A", 7, 60, FOUNDED)
    world.announce("festival", "Midsummer", 10, 60, uuid4())
    event = world.collect_events()[-1]
    assert (event.starts_minute, event.ends_minute) == (10, 70)
    assert event.starts_at == FOUNDED + timedelta(seconds=10) and event.ends_at == FOUNDED + timedelta(seconds=70)
    assert event.event_data == {"effects": {"socialize": 25, "rest": 5}}
    with pytest.raises(InvalidWorld, match="'plague' is not a world event") as error:
        world.announce("plague", "x", 10, 60, uuid4())
    assert error.value.details["event_types"] == ["festival", "market_day", "monster_sighting", "storm"]
    for minutes in (0, 30 * 24 * 60 + 1):
        with pytest.raises(InvalidWorld, match=r"lasts 1..43200"):
            world.announce("storm", "x", 10, minutes, uuid4())
    world.announce("storm", "x", 10, 30 * 24 * 60, uuid4())
    at = effects_at(world)
    assert (
        at(9) == {}
        and at(10) == {"socialize": 25, "rest": 20, "explore": -30}
        and at(70)
        == {
            "rest": 15,
            "explore": -30,
        }
    )


def test_a_guild_spends_only_what_it_has_and_knows_who_joined_when():
    world = TycoonWorld.found(uuid4(), "Aldmere", 7, 60, FOUNDED)
    guild = Guild.of(world)
    assert guild.id == guild_id(world.id) and guild.gold == STARTING_GOLD and guild.name == "The Aldmere Guild"
    guild.spend(STARTING_GOLD, "all of it")
    assert guild.gold == 0
    with pytest.raises(NotEnoughGold, match="the guild has 0 gold, 1 needed") as error:
        guild.spend(1, "more")
    assert error.value.details == {"gold": 0, "needed": 1}
    pending = len(guild.pending_events)
    guild.credit(0, 0, "nothing")
    assert len(guild.pending_events) == pending  # nothing changed: nothing recorded
    guild.credit(0, 3, "fame")
    assert guild.reputation == 3
    a, b, c = uuid4(), uuid4(), uuid4()
    guild.enrol(a, 0)
    guild.enrol(b, 10)
    guild.enrol(c, 20)
    assert guild.companions(a, 10) == [] and guild.companions(a, 11) == [str(b)]
    assert guild.companions(a, 21) == sorted([str(b), str(c)]) and guild.companions(c, 21) == sorted([str(a), str(b)])
    for _ in range(HEROES_PER_WORLD - 3):
        guild.enrol(uuid4(), 30)
    with pytest.raises(GuildFull, match="at most 100 heroes"):
        guild.enrol(uuid4(), 30)


def test_a_player_founds_at_most_ten_worlds_each_with_its_guild():
    game, _, player, world_id = tycoon()
    assert game.guild(world_id).world_id == world_id
    for i in range(WORLDS_PER_PLAYER - 1):
        game.found_world(player, f"W{i}", i, None)
    with pytest.raises(WorldLimit, match="at most 10"):
        game.found_world(player, "One more", 1, 60)
    other = game.found_world(uuid4(), "Theirs", None, None).aggregate
    assert other.ratio == 60 and isinstance(other.seed, int)
    with pytest.raises(PermissionDenied):
        game.world(other.id, player)


# -- heroes living their time -----------------------------------------------------


def test_a_hero_decides_on_arrival_and_at_every_actions_end():
    h = hero(curiosity=100, courage=100)
    assert h.current_action == "arriving" and h.due(0) and alone(h, 0) == 1
    decided = h.collect_events()
    assert [type(e).__name__ for e in decided] == ["Decided"]  # arriving completes nothing
    d = decided[0]
    assert d.decision == 1 and d.minute == 0 and d.chosen_option == h.current_action
    assert d.ends_minute == model.ACTIONS[d.chosen_option][0] and d.ends_at == FOUNDED + timedelta(
        seconds=d.ends_minute
    )
    assert d.location == model.LOCATIONS[d.chosen_option] and h.last_decision_minute == 0
    assert not h.due(d.ends_minute - 1) and alone(h, d.ends_minute - 1) == 0
    assert alone(h, d.ends_minute) == 1
    done, nxt = h.collect_events()
    assert isinstance(done, Hero.ActivityCompleted) and done.decision == 1 and done.minute == d.ends_minute
    assert done.activity_type == d.chosen_option and nxt.decision == 2 and nxt.minute == d.ends_minute
    assert done.level == model.level_for(done.experience) and done.real_time == FOUNDED + timedelta(
        seconds=d.ends_minute
    )
    assert alone(h, 10**6, steps=3) == 3  # bounded per call


def test_a_hero_alone_for_too_long_waits_for_the_master_and_wakes_at_a_word():
    h = hero()
    alone(h, 10**7)
    assert h.current_action == "wait" and h.action_ends is None and h.decisions == UNATTENDED_MAX + 1
    assert "waits at the guild hall" in h.collect_events()[-1].reasoning
    assert alone(h, 10**8) == 0
    h.influence("praise", 10**7 + 5, "")
    assert h.action_ends == 10**7 + 5 and alone(h, 10**7 + 5) == 1 and h.current_action != "wait"


def test_the_masters_gestures_move_influence_within_bounds():
    h = hero(greed=100)
    h.influence("praise", 3, "well done")
    assert (h.trust, h.respect, h.fear, h.mood) == (54, 52, 0, 65)
    assert h.influence_history[-1] == {
        "gesture": "praise",
        "minute": 3,
        "changes": {"trust": 4, "respect": 2, "fear": -1, "mood": 5},
        "reason": "well done",
    }
    h.influence("reprimand", 4, "")
    assert (h.trust, h.respect, h.fear, h.mood) == (50, 53, 6, 57)
    h.gift(100, 5, "")
    assert h.gold == 100 and h.trust == 50 + 6 + 4 and h.respect == 54 and h.mood == 57 + 10 + 5
    h.gift(GIFT_MAX, 6, "")
    assert h.trust == 60 + 10 + 4 and h.mood == 72 + 15
    for _ in range(30):
        h.influence("reprimand", 7, "")
    assert h.trust == 0 and h.fear == 100 and h.mood == 0 and len(h.influence_history) == 20
    assert h.answer is None or isinstance(h.answer, str)
    for amount in (0, GIFT_MAX + 1, True, 1.5):
        with pytest.raises(InvalidHero, match=r"a gift is 1..1000 gold"):
            h.gift(amount, 8, "")
    with pytest.raises(InvalidHero, match="'sulk' is not a gesture") as error:
        h.influence("sulk", 8, "")
    assert error.value.details == {"gestures": ["praise", "reprimand"]}


def test_an_order_is_obeyed_or_refused_by_readiness_and_done_next():
    loyal = hero(loyalty=100)
    loyal.trust = loyal.respect = 100
    assert loyal.answer_order("work", 0) is True and loyal.order == "work"
    assert loyal.answer.startswith("Ada will work next")
    alone(loyal, 0)
    decided = loyal.collect_events()[-1]
    assert decided.chosen_option == "work" and decided.context["ordered"] == "work" and loyal.order is None
    assert decided.reasoning == "Ada does as the master ordered: work."
    rebel = hero(loyalty=0)
    rebel.trust, rebel.respect = 0, 10
    assert rebel.answer_order("train", 0) is False and rebel.order is None
    assert "refuses to train: too little trust (0)" in rebel.answer and "< 50" in rebel.answer
    tired = hero(loyalty=100)
    tired.trust = tired.respect = 100
    tired.energy = model.EXHAUSTED - 1
    assert tired.answer_order("train", 0) is False and tired.answer == "Ada is too exhausted to train."
    assert tired.answer_order("rest", 0) is True
    with pytest.raises(InvalidHero, match="'dance' is not an order") as error:
        tired.answer_order("dance", 0)
    assert error.value.details == {"orders": list(model.ACTIONS)}


def test_a_quest_is_accepted_or_refused_and_a_busy_hero_takes_no_other():
    terms = {
        "quest_id": str(uuid4()),
        "title": "Slay",
        "difficulty": 1,
        "duration_minutes": 60,
        "rewards": {"gold": 9},
        "party": 1,
    }
    bold = hero(courage=100, loyalty=100, ambition=100)
    assert bold.answer_quest(terms, 0) is True and bold.quest == terms and bold.answer.startswith("Ada accepts 'Slay'")
    with pytest.raises(HeroBusy, match="already committed"):
        bold.answer_quest(terms, 0)
    with pytest.raises(HeroBusy, match="committed to a quest"):
        bold.answer_order("rest", 0)
    alone(bold, 0)
    started = bold.collect_events()[-1]
    assert (
        started.chosen_option == "quest" and started.ends_minute == 60 and started.context["quest"]["title"] == "Slay"
    )
    assert bold.quest["started"] == 0
    alone(bold, 60)
    back = [e for e in bold.collect_events() if isinstance(e, Hero.ActivityCompleted)][-1]
    assert back.activity_type == "quest" and "success" in back.activity_data and bold.quest is None
    timid = hero(courage=0, loyalty=0, ambition=0, greed=0)
    timid.trust = 0
    assert timid.answer_quest({**terms, "difficulty": 10}, 0) is False and timid.quest is None
    assert "turns down 'Slay': difficulty 10 at level 1" in timid.answer


def test_an_order_put_off_by_a_quest_is_forgotten_and_said_so():
    h = hero(courage=100, loyalty=100, ambition=100)
    h.trust = h.respect = 100
    h.answer_order("train", 0)
    terms = {
        "quest_id": str(uuid4()),
        "title": "Slay",
        "difficulty": 1,
        "duration_minutes": 60,
        "rewards": {},
        "party": 1,
    }
    h.answer_quest(terms, 0)
    alone(h, 0)
    decided = h.collect_events()[-1]
    assert decided.chosen_option == "quest" and decided.reasoning.endswith("The order to train is put aside.")
    assert h.order is None


# -- bonds ------------------------------------------------------------------------


def test_a_bond_is_one_per_pair_with_every_type_clamped_and_a_bounded_history():
    a, b = uuid4(), uuid4()
    with pytest.raises(InvalidBond, match=r"^a hero has no relationship with themself$"):
        HeroBond.between(a, a, uuid4())
    first, second = sorted((a, b), key=str)
    assert bond_id(a, b) == uuid5(NAMESPACE_URL, f"lorekeeper:/tycoon/bonds/{first}/{second}")
    bond = HeroBond.between(b, a, uuid4())
    assert bond.id == bond_id(a, b) == bond_id(b, a) and {bond.first_id, bond.second_id} == {a, b}
    for _ in range(30):
        bond.change(a, "friendship", 9, FOUNDED, 1, "met")
    assert bond.strength("friendship") == 100 and bond.bonds["friendship"]["count"] == 30
    assert len(bond.bonds["friendship"]["history"]) == HISTORY_MAX
    assert bond.collect_events()[-1].delta == 0  # clamped
    bond.change(b, "rivalry", -150, FOUNDED, 2, "met")
    assert bond.strength("rivalry") == -100 and bond.strength("mentor") == 0
    with pytest.raises(InvalidBond, match=r"^only the two heroes of a bond change it$"):
        bond.change(uuid4(), "friendship", 1, FOUNDED, 3, "met")
    with pytest.raises(InvalidBond, match=r"^'enemy' is not a relationship type$") as error:
        bond.change(a, "enemy", 1, FOUNDED, 3, "met")
    assert error.value.details == {"types": ["friendship", "rivalry", "romantic", "mentor"]}


# -- quests -----------------------------------------------------------------------


def test_a_quest_is_checked_when_posted():
    def post(**kw):
        terms = {"title": "Q", "description": "", "difficulty": 1, "duration_minutes": 30, "rewards": {}, **kw}
        return Quest.post(uuid4(), uuid4(), **terms)

    assert post().rewards == {"gold": 0, "experience": 0, "items": {}} and post().status == "open"
    assert post(difficulty=10, duration_minutes=7 * 24 * 60).difficulty == 10
    for bad, message in (
        ({"difficulty": 0}, "difficulty is 1..10"),
        ({"difficulty": 11}, "difficulty is 1..10"),
        ({"difficulty": True}, "difficulty is 1..10"),
        ({"duration_minutes": 29}, "30..10080"),
        ({"duration_minutes": 10081}, "30..10080"),
        ({"description": "x" * 1001}, "at most 1000 characters"),
        ({"description": "a\x00b"}, "at most 1000 characters"),
    ):
        with pytest.raises(InvalidQuest, match=message):
            post(**bad)
    assert post(description="x" * 1000).description == "x" * 1000
    assert checked_rewards({"gold": 10_000, "experience": 10_000, "items": {"gem": 100}})["items"] == {"gem": 100}
    for bad in (
        [],
        {"coins": 1},
        {"gold": -1},
        {"gold": 10_001},
        {"experience": True},
        {"items": []},
        {"items": {f"i{n}": 1 for n in range(11)}},
        {"items": {"": 1}},
        {"items": {"gem": 0}},
        {"items": {"gem": 101}},
        {"items": {"x" * 65: 1}},
    ):
        with pytest.raises(InvalidQuest):
            checked_rewards(bad)


def test_a_quest_takes_each_hero_once_in_parties_of_four_and_follows_them_home():
    quest = Quest.post(uuid4(), uuid4(), "Q", "", 1, 30, {})
    heroes = [uuid4() for _ in range(5)]
    with pytest.raises(InvalidQuest, match=r"assign 1..4 different heroes"):
        quest.check_assignable(heroes)
    with pytest.raises(InvalidQuest, match=r"assign 1..4 different heroes"):
        quest.check_assignable([heroes[0], heroes[0]])
    with pytest.raises(InvalidQuest):
        quest.check_assignable([])
    quest.assign(heroes[0], False, "no")
    assert quest.status == "open"
    quest.assign(heroes[1], True, "yes")
    assert quest.status == "in_progress"
    quest.assign(heroes[2], False, "no")
    assert quest.status == "in_progress"
    with pytest.raises(AlreadyAssigned, match="assigned to a quest once") as error:
        quest.check_assignable([heroes[1]])
    assert error.value.details == {"hero_ids": [str(heroes[1])]}
    quest.check_assignable(heroes[3:5])
    quest.assign(heroes[3], True, "yes")
    quest.assign(heroes[4], True, "yes")
    with pytest.raises(InvalidQuest, match="at most 4 heroes"):
        quest.check_assignable([uuid4(), uuid4()])
    quest.start(heroes[1], FOUNDED)
    assert quest.assignments[str(heroes[1])] == "started"
    quest.finish(heroes[1], False, {}, FOUNDED)
    quest.finish(heroes[3], False, {}, FOUNDED)
    assert quest.status == "in_progress"
    quest.finish(heroes[4], True, {}, FOUNDED)
    assert quest.status == "completed"
    with pytest.raises(QuestClosed, match="the quest is completed"):
        quest.check_assignable([uuid4()])
    failed = Quest.post(uuid4(), uuid4(), "Q", "", 1, 30, {})
    failed.assign(heroes[0], True, "")
    failed.finish(heroes[0], False, {}, FOUNDED)
    assert failed.status == "failed"


# -- use cases ----------------------------------------------------------------------


def test_recruiting_costs_the_guild_and_writes_hero_guild_and_holdings_at_once():
    game, clock, player, world_id = tycoon()
    clock.forward(seconds=90)
    hero_id = recruit(game, player, world_id)
    h = game.hero(hero_id)
    assert h.personality == BRAVE and h.seed == 1 and h.action_started == 90
    guild = game.guild(world_id)
    assert guild.gold == STARTING_GOLD - RECRUIT_COST and guild.members == {str(hero_id): 90}
    assert str(hero_id) in game.store.holdings(player).owned
    rolled = game.recruit(player, world_id, "Pod", None, 3).aggregate
    assert all(10 <= v <= 90 for v in rolled.personality.values())
    with pytest.raises(PermissionDenied):
        game.recruit(uuid4(), world_id, "Thief", None, None)
    for i in range(STARTING_GOLD // RECRUIT_COST - 2):
        recruit(game, player, world_id, f"H{i}", i)
    with pytest.raises(NotEnoughGold):
        recruit(game, player, world_id, "Broke")


def test_commands_live_the_heros_time_first_and_refusals_write_nothing():
    game, clock, player, world_id = tycoon()
    hero_id = recruit(game, player, world_id)
    clock.forward(hours=2)
    game.influence(player, hero_id, "praise", "")
    h = game.hero(hero_id)
    assert h.decisions > 10 and h.trust == 54
    assert next(e for e in game.store.events.get(hero_id) if isinstance(e, Hero.Influenced)).minute == 120 * 60
    with pytest.raises(PermissionDenied):
        game.influence(uuid4(), hero_id, "praise", "")
    position = game.store.recorder.max_notification_id()
    clock.forward(hours=2)
    for refused in (
        lambda: game.influence(player, hero_id, "sulk", ""),
        lambda: game.gift(player, hero_id, 0, ""),
        lambda: game.gift(player, hero_id, 950, ""),
        lambda: game.order(player, hero_id, "dance"),
    ):
        with pytest.raises((InvalidHero, NotEnoughGold)):
            refused()
    assert game.store.recorder.max_notification_id() == position
    gifted = game.gift(player, hero_id, 100, "").aggregate
    assert gifted.gold >= 100 and game.guild(world_id).gold == STARTING_GOLD - RECRUIT_COST - 100


def test_a_catch_up_is_written_in_bounded_batches():
    game, clock, player, world_id = tycoon()
    hero_id = recruit(game, player, world_id)
    clock.forward(days=30)
    writes = []
    save = game.store.write
    game.store.write = lambda *a: writes.append(sum(len(x.pending_events) for x in a)) or save(*a)
    game.live(hero_id)
    assert len(writes) == 2 and max(writes) <= 2 * BATCH  # the offline cap (101 decisions) in two bounded writes
    assert game.hero(hero_id).current_action == "wait"
    assert game.hero_turn(hero_id, clock()).position is None  # nothing more to live
    assert game.hero_turn(uuid4(), clock()) is None


def test_a_turn_lives_the_hero_up_to_its_due_instant_and_taken_again_writes_nothing():
    game, clock, player, world_id = tycoon()
    hero_id = recruit(game, player, world_id)
    assert game.hero(hero_id).decisions == 0
    first = game.hero_turn(hero_id, clock()).aggregate  # the recruit's first turn: on arrival
    assert first.decisions == 1
    due = first.clock.real(first.action_ends)  # the timer's instant: the action ends
    clock.forward(days=2)  # the turn is taken late (a queue, a redelivery): it lives up to ``due`` only
    turn = game.hero_turn(hero_id, due)
    assert turn is not None and turn.position is not None
    assert turn.aggregate.decisions == 2 and turn.aggregate.last_decision_minute == first.action_ends
    assert game.hero_turn(hero_id, due).position is None, "taken again, it writes nothing"
    unchanged = game.live(hero_id, due)
    assert unchanged.position is None and unchanged.aggregate.id == hero_id  # nothing to live: the hero as it is


def test_assigning_lives_the_heroes_first_and_refuses_strangers():
    game, clock, player, world_id = tycoon()
    a, b = recruit(game, player, world_id, "A", 1), recruit(game, player, world_id, "B", 2)
    other_world = game.found_world(player, "Elsewhere", 9, 60).aggregate.id
    c = recruit(game, player, other_world, "C", 3)
    quest = game.post_quest(player, world_id, "Q", "", 1, 60, {"gold": 10}).aggregate.id
    with pytest.raises(NotFound, match="not in the quest's world"):
        game.assign(player, quest, [c])
    with pytest.raises(PermissionDenied):
        game.assign(uuid4(), quest, [a])
    with pytest.raises(PermissionDenied):
        game.post_quest(uuid4(), world_id, "Q", "", 1, 60, {})
    clock.forward(minutes=5)
    written = game.assign(player, quest, [a, b])
    assert set(written.aggregate.assignments) == {str(a), str(b)}
    with pytest.raises(AlreadyAssigned):
        game.assign(player, quest, [a])


def test_a_visit_reports_since_the_previous_one():
    game, clock, player, world_id = tycoon()
    recruit(game, player, world_id)
    clock.forward(hours=1)
    written, since = game.visit(player, world_id)
    assert since == FOUNDED and written.aggregate.last_visit == clock()
    first = clock()
    clock.forward(hours=1)
    assert game.visit(player, world_id)[1] == first
    with pytest.raises(PermissionDenied):
        game.visit(uuid4(), world_id)


def test_a_heros_timer_follows_what_they_do():
    rules = policies(None)
    h = hero()
    alone(h, 0)
    decided = h.collect_events()[-1]
    assert list(rules[Hero.Decided.TOPIC](decided)) == [SetTimer(HERO_TURN, h.id, decided.ends_at)]
    waiting = decided.model_copy(update={"ends_at": None, "ends_minute": None})
    assert list(rules[Hero.Decided.TOPIC](waiting)) == [CancelTimer(HERO_TURN, h.id)]
    created = Hero.recruit(uuid4(), uuid4(), uuid4(), "B", EVEN, 1, GameClock(FOUNDED, 60), 0).collect_events()[0]
    assert list(rules[Hero.Created.TOPIC](created)) == [SetTimer(HERO_TURN, created.originator_id, created.timestamp)]


def test_catching_up_a_world_lives_every_hero_of_the_player_up_to_now():
    game, clock, player, world_id = tycoon()
    heroes = [recruit(game, player, world_id, name, seed) for seed, name in enumerate(("A", "B", "C"))]
    assert game.catch_up(player, world_id) is not None  # their first decisions, on arrival
    clock.forward(hours=3)
    before = game.store.recorder.max_notification_id()
    position = game.catch_up(player, world_id)
    assert position == game.store.recorder.max_notification_id() > before
    for hero_id in heroes:
        h = game.hero(hero_id)
        assert not h.due(h.clock.minute(clock())) and h.decisions > 5
    assert game.catch_up(player, world_id) is None  # nothing more to live
    with pytest.raises(PermissionDenied):
        game.catch_up(uuid4(), world_id)


def expected_roll(seed: int, purpose: str, number: int) -> float:
    return round(random.Random(f"{seed}:{purpose}:{number}").uniform(-15, 15), 2)


def test_every_order_answer_follows_readiness_plus_the_recorded_draw():
    obeyed_some = refused_some = False
    for seed in range(60):
        h = Hero.recruit(
            uuid4(), uuid4(), uuid4(), "Ada", {**EVEN, "loyalty": seed % 100}, seed, GameClock(FOUNDED, 60), 0
        )
        h.trust, h.respect, h.fear = 30 + seed % 41, 20 + seed % 53, seed % 31
        for number, order in enumerate(("train", "work")):
            score = model.compliance(h.trust, h.respect, h.fear, h.personality["loyalty"])
            roll = expected_roll(seed, "order", number)
            obeyed = h.answer_order(order, 5)
            event = h.pending_events[-1]
            assert (event.roll, event.compliance, event.obeyed) == (roll, round(score, 2), score + roll >= 50)
            assert obeyed == event.obeyed and h.orders == number + 1 and event.minute == 5
            if obeyed:
                obeyed_some = True
                assert event.reason == f"Ada will {order} next (readiness {score:.0f}{roll:+.0f})." and h.order == order
            else:
                refused_some = True
                weakest = min(
                    (("trust", h.trust), ("respect", h.respect), ("loyalty", h.personality["loyalty"])),
                    key=lambda kv: kv[1],
                )
                assert event.reason == (
                    f"Ada refuses to {order}: too little {weakest[0]} ({weakest[1]}); "
                    f"readiness {score:.0f}{roll:+.0f} < 50."
                )
    assert obeyed_some and refused_some
    spent = hero()
    spent.trust = spent.respect = spent.fear = 100
    spent.energy = model.EXHAUSTED
    assert spent.answer_order("train", 0) is True  # at the threshold: not yet exhausted
    spent.energy = model.EXHAUSTED - 1
    assert spent.answer_order("rest", 0) is True and spent.answer_order("work", 0) is False
    busy = hero()
    busy.quest = {"quest_id": "q7"}
    with pytest.raises(HeroBusy) as error:
        busy.answer_order("rest", 0)
    assert error.value.details == {"quest_id": "q7"}


def test_every_quest_answer_follows_willingness_plus_the_recorded_draw():
    for seed in range(40):
        h = Hero.recruit(
            uuid4(), uuid4(), uuid4(), "Ada", {**EVEN, "courage": seed * 2}, seed, GameClock(FOUNDED, 60), 0
        )
        terms = {
            "quest_id": str(uuid4()),
            "title": "Q",
            "difficulty": 1 + seed % 10,
            "duration_minutes": 60,
            "rewards": {},
            "party": 1,
        }
        score = model.willingness(h.personality, h.trust, h.level, terms["difficulty"])
        roll = expected_roll(seed, "quest", 0)
        accepted = h.answer_quest(terms, 9)
        event = h.pending_events[-1]
        assert (event.roll, event.willingness, event.accepted) == (roll, round(score, 2), score + roll >= 40)
        assert accepted == event.accepted and event.quest == terms and event.quest_id == UUID(terms["quest_id"])
        assert (h.quest == terms) is accepted


def test_assigning_asks_each_of_the_players_heroes_with_the_partys_size():
    game, _, player, world_id = tycoon()
    heroes = [recruit(game, player, world_id, name, seed, courage=100, loyalty=100) for seed, name in enumerate("ABC")]
    quest = game.post_quest(player, world_id, "Q", "", 1, 60, {"gold": 10}).aggregate.id
    theirs = game.found_world(uuid4(), "Theirs", 1, 60).aggregate
    with pytest.raises(PermissionDenied):
        game.assign(player, quest, [recruit(game, theirs.owner, theirs.id, "T", 9)])
    game.assign(player, quest, heroes[:2])
    assert [game.hero(h).quest["party"] for h in heroes[:2]] == [2, 2]
    game.assign(player, quest, heroes[2:])
    assert game.hero(heroes[2]).quest["party"] == 3
    other = game.post_quest(player, world_id, "R", "", 10, 60, {}).aggregate.id
    timid = recruit(game, player, world_id, "D", 7, courage=0, loyalty=0, ambition=0, greed=0)
    game.store.command(Hero, timid, lambda h: setattr(h, "trust", 0))
    game.assign(player, other, [timid])  # refused: does not count in a party
    assert game.quest(other).assignments == {str(timid): "refused"}
    brave = recruit(game, player, world_id, "E", 8, courage=100, loyalty=100, ambition=100)
    game.assign(player, other, [brave])
    assert game.hero(brave).quest is None or game.hero(brave).quest["party"] == 1
    stranger = recruit(game, player, game.found_world(player, "Far", 3, 60).aggregate.id, "F", 4)
    with pytest.raises(NotFound, match="is not in the quest's world") as error:
        game.assign(player, other, [stranger])
    assert error.value.details == {"id": str(stranger)}


def test_a_world_event_starts_after_it_is_announced_and_is_checked():
    game, clock, player, world_id = tycoon()
    clock.forward(minutes=2)  # game minute 120
    game.announce(player, world_id, "market_day", "Fair", 0, 60)
    game.announce(player, world_id, "storm", "Gale", 30, 1)
    first, second = game.world(world_id).events
    assert (first["event_type"], first["starts"], first["ends"]) == ("market_day", 121, 181)
    assert (second["event_type"], second["starts"], second["ends"]) == ("storm", 150, 151)
    with pytest.raises(PermissionDenied):
        game.announce(uuid4(), world_id, "storm", "Gale", 1, 1)
    world = game.world(world_id)
    with pytest.raises(InvalidWorld, match=r"lasts 1\.\.43200"):
        world.announce("storm", "x", 0, 0, uuid4())
    world.announce("storm", "x" * 200, 0, 1, uuid4())
    with pytest.raises(InvalidCommand):
        world.announce("storm", "x" * 201, 0, 1, uuid4())


def test_rewards_and_parties_at_their_bounds():
    top = {"gold": 10_000, "experience": 10_000, "items": {f"i{n}": 100 for n in range(10)}}
    assert checked_rewards(top) == top
    assert checked_rewards({"items": {"x" * 64: 1, "y": 1}})["items"] == {"x" * 64: 1, "y": 1}
    with pytest.raises(InvalidQuest, match=r"^rewards is an object of gold, experience and items$"):
        checked_rewards({"coins": 1})
    with pytest.raises(InvalidQuest, match=r"^rewards\.gold is a whole number 0\.\.10000$"):
        checked_rewards({"gold": 10_001})
    with pytest.raises(InvalidQuest, match=r"^rewards\.experience is a whole number 0\.\.10000$"):
        checked_rewards({"experience": -1})
    with pytest.raises(InvalidQuest, match=r"^rewards\.items maps at most 10 item names to counts$"):
        checked_rewards({"items": {f"i{n}": 1 for n in range(11)}})
    with pytest.raises(InvalidQuest, match=r"^an item reward is a name \(1\.\.64 characters\) and a count 1\.\.100$"):
        checked_rewards({"items": {"gem": True}})
    with pytest.raises(InvalidQuest):
        checked_rewards({"items": {"a\x00": 1}})
    quest = Quest.post(uuid4(), uuid4(), "Q", "", 1, 30, {})
    quest.check_assignable([uuid4() for _ in range(4)])  # a full party at once
    quest.assign(uuid4(), True, "")
    quest.assign(uuid4(), True, "")
    quest.check_assignable([uuid4(), uuid4()])  # 2 + 2 = 4
    with pytest.raises(QuestClosed) as error:
        failed = Quest.post(uuid4(), uuid4(), "Q", "", 1, 30, {})
        lone = uuid4()
        failed.assign(lone, True, "")
        failed.finish(lone, False, {}, FOUNDED)
        failed.check_assignable([uuid4()])
    assert error.value.details == {"status": "failed"} and str(error.value) == "the quest is failed"
    with pytest.raises(AlreadyAssigned, match=r"^a hero is assigned to a quest once$"):
        quest.check_assignable([next(iter(UUID(h) for h in quest.assignments))])
    late = Quest.post(uuid4(), uuid4(), "Q", "", 1, 30, {})
    late.assign(uuid4(), True, "")
    late.assign(uuid4(), False, "")
    assert late.status == "in_progress"  # a refusal after an acceptance keeps it going


def test_a_quest_ends_in_one_write_of_hero_quest_and_guild_share():
    game, clock, player, world_id = tycoon()
    heroes = [recruit(game, player, world_id, n, s, courage=100, loyalty=100, ambition=100) for s, n in enumerate("AB")]
    quest = game.post_quest(
        player, world_id, "Wolves", "", 1, 60, {"gold": 100, "experience": 30, "items": {"pelt": 2}}
    )
    game.assign(player, quest.aggregate.id, heroes)
    gold, reputation = game.guild(world_id).gold, game.guild(world_id).reputation
    clock.forward(hours=1)
    for hero_id in heroes:
        game.live(hero_id)
    finished = [e for e in game.store.events.get(quest.aggregate.id) if isinstance(e, Quest.Finished)]
    assert {e.hero_id for e in finished} == set(heroes)
    successes = 0
    for event in finished:
        back = next(
            e
            for e in game.store.events.get(event.hero_id)
            if isinstance(e, Hero.ActivityCompleted) and e.activity_type == "quest"
        )
        assert event.success == back.activity_data["success"]
        assert event.outcome == {
            "success": event.success,
            "gold": back.gold_change,
            "experience": back.experience_change,
            "items": back.items_changed,
            "injury": back.activity_data.get("injury", 0),
        }
        assert event.completed_at == back.real_time
        if event.success:
            successes += 1
            assert (
                event.outcome["gold"] == 100 and event.outcome["items"] == {"pelt": 2} and event.outcome["injury"] == 0
            )
        else:
            assert event.outcome["injury"] > 0
    guild = game.guild(world_id)
    assert guild.gold == gold + successes * 20 and guild.reputation == reputation + successes * 2
    assert game.quest(quest.aggregate.id).status == ("completed" if successes else "failed")


def test_meeting_a_guildmate_changes_their_bond_in_the_same_write():
    game, clock, player, world_id = tycoon()
    a = recruit(game, player, world_id, "A", 1, empathy=100, curiosity=0, ambition=0, greed=0, courage=0, patience=0)
    b = recruit(game, player, world_id, "B", 2)
    clock.forward(hours=2)
    game.live(a)
    met = [e for e in game.store.events.get(a) if isinstance(e, Hero.ActivityCompleted) and e.companion_id is not None]
    assert met and all(e.companion_id == b for e in met)
    changes = [e for e in game.store.events.get(bond_id(a, b)) if isinstance(e, HeroBond.Changed)]
    assert len(changes) == sum(len(e.bond_changes) for e in met)
    assert all(c.actor_id == a and c.cause == "met" for c in changes)
    assert [(c.relationship_type, c.minute, c.at) for c in changes] == [
        (change["relationship_type"], e.minute, e.real_time) for e in met for change in e.bond_changes
    ]
