"""The tycoon's pure rules, number by number: the game clock, personalities and
the text written from them, world generation, and the utility model (scores,
choices, reasoning, outcomes, bonds, readiness to obey and to quest)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.tycoon import decisions as model
from domain.tycoon.clock import GameClock, describe
from domain.tycoon.personality import (
    MOTIVES,
    TRAITS,
    InvalidPersonality,
    backstory,
    checked,
    motivation,
    ranked,
    rolled,
)
from domain.tycoon.worlds import BIOMES, LANDMARKS, MAP_SIZE, world_data
from tests.unit.tycoon.helpers import BRAVE

T0 = datetime(2026, 1, 1, tzinfo=UTC)
EVEN = dict.fromkeys(TRAITS, 50)


class Draw(random.Random):
    """A random source that always draws the middle (uniform), the low end
    (randint), ``value`` (random) and the first choice: outcomes by hand."""

    def __init__(self, value: float = 0.5) -> None:
        super().__init__(0)
        self.value = value

    def uniform(self, a, b):
        return (a + b) / 2

    def randint(self, a, b):
        self.seen.append(("randint", a, b))
        return a

    def random(self):
        return self.value

    def choice(self, seq):
        self.seen.append(("choice", tuple(seq)))
        return seq[0]

    @property
    def seen(self) -> list:
        self.__dict__.setdefault("_seen", [])
        return self.__dict__["_seen"]


def situation(**changes) -> model.Situation:
    base = {
        "personality": dict(EVEN),
        "energy": 80,
        "mood": 60,
        "gold": 100,
        "level": 3,
        "respect": 50,
        "fear": 10,
        "effects": {},
    }
    return model.Situation(**{**base, **changes})


# -- the clock ----------------------------------------------------------------------


def test_the_clock_counts_game_minutes_at_its_ratio_both_ways():
    clock = GameClock(T0, 60)
    assert clock.minute(T0) == 0
    assert clock.minute(T0 + timedelta(seconds=59)) == 59
    assert (
        clock.minute(T0 + timedelta(seconds=59.9)) == 59
        and isinstance(clock.minute(T0 + timedelta(seconds=59.9)), int)
        and isinstance(clock.minute(T0 + timedelta(seconds=59.9)), int)
    )
    assert clock.minute(T0 + timedelta(seconds=59.9)) == 59
    assert clock.minute(T0 + timedelta(minutes=2)) == 120
    assert clock.minute(T0 - timedelta(hours=1)) == 0  # nothing before the founding
    assert clock.real(120) == T0 + timedelta(minutes=2)
    fast = GameClock(T0, 3600)
    assert fast.minute(T0 + timedelta(seconds=1)) == 60
    assert fast.real(90) == T0 + timedelta(seconds=1.5)
    assert GameClock(T0, 1).minute(T0 + timedelta(seconds=119)) == 1
    assert describe(0) == "day 1, 00:00" and describe(24 * 60 + 61) == "day 2, 01:01"
    assert describe(60) == "day 1, 01:00" and describe(24 * 60 - 1) == "day 1, 23:59"


@given(st.integers(0, 10**7), st.integers(1, 86_400))
def test_a_minute_begins_exactly_at_its_real_instant(minute, ratio):
    """A hero's turn is due at ``real(m)``: the clock must read ``m`` there, and
    ``m - 1`` a microsecond before (floats once rounded that instant a minute short)."""
    clock = GameClock(T0, ratio)
    assert clock.minute(clock.real(minute)) == minute
    if minute:
        assert clock.minute(clock.real(minute) - timedelta(microseconds=1)) == minute - 1
    assert GameClock(T0, 7).minute(GameClock(T0, 7).real(1)) == 1


# -- personality ------------------------------------------------------------------


def test_a_personality_is_exactly_the_seven_traits_each_0_to_100():
    assert checked(BRAVE) == BRAVE and list(checked(BRAVE)) == list(TRAITS)
    assert checked({**BRAVE, "courage": 0})["courage"] == 0 and checked({**BRAVE, "courage": 100})["courage"] == 100
    for bad in (
        {**BRAVE, "courage": 101},
        {**BRAVE, "greed": -1},
        {**BRAVE, "loyalty": True},
        {**BRAVE, "empathy": 5.0},
    ):
        with pytest.raises(InvalidPersonality, match=r"^\w+ must be a whole number 0\.\.100$") as error:
            checked(bad)
        changed = next(t for t in TRAITS if bad[t] != BRAVE[t] or type(bad[t]) is not int)
        assert error.value.details == {"trait": changed}
    for bad in ({k: v for k, v in BRAVE.items() if k != "greed"}, {**BRAVE, "charm": 5}, [], None):
        with pytest.raises(InvalidPersonality, match=r"^a personality has exactly the seven traits$") as error:
            checked(bad)
        assert error.value.details == {"traits": list(TRAITS)}


def test_rolled_traits_stay_inside_10_to_90_and_follow_the_seed():
    drawn = [rolled(random.Random(seed)) for seed in range(200)]
    assert all(10 <= v <= 90 for p in drawn for v in p.values())
    assert min(v for p in drawn for v in p.values()) == 10 and max(v for p in drawn for v in p.values()) == 90
    assert rolled(random.Random(3)) == rolled(random.Random(3))


def test_the_backstory_and_motivation_come_from_the_strongest_and_weakest_traits():
    p = {**EVEN, "curiosity": 90, "patience": 5}
    assert ranked(p)[0] == "curiosity" and ranked(p)[-1] == "patience"
    assert ranked(EVEN) == list(TRAITS)  # ties in the seed's order
    story = backstory("Arya", p, 1)
    assert (
        story.startswith("Arya ") and "cannot pass a ruin without going in" in story and "acts before thinking" in story
    )
    assert backstory("Arya", p, 1) == story  # the same hero always reads the same
    assert len({backstory("Arya", p, seed) for seed in range(50)}) > 1  # the seed picks the origin
    assert motivation(p) == f"Wants {MOTIVES['curiosity']}."


# -- worlds -----------------------------------------------------------------------


def test_world_data_is_biomes_tiling_the_map_and_landmarks_from_the_seed_alone():
    data = world_data(42)
    assert data == world_data(42) and data != world_data(43)
    assert len(data["biomes"]) == 16
    assert {(b["location"]["x"], b["location"]["y"]) for b in data["biomes"]} == {
        (x, y) for x in range(0, MAP_SIZE, 100) for y in range(0, MAP_SIZE, 100)
    }
    for biome in data["biomes"]:
        resources, monsters = BIOMES[biome["type"]]
        assert set(biome["resources"]) <= set(resources) and biome["resources"]
        assert set(biome["monsters"]) <= set(monsters) and biome["monsters"]
        assert 1 <= biome["difficulty"] <= 10 and biome["location"]["width"] == biome["location"]["height"] == 100
    assert 3 <= len(data["landmarks"]) <= 6
    known = {name: (kind, effects) for name, kind, effects in LANDMARKS}
    for landmark in data["landmarks"]:
        assert known[landmark["name"]] == (landmark["type"], landmark["effects"])
        assert 0 <= landmark["location"]["x"] < MAP_SIZE and 0 <= landmark["location"]["y"] < MAP_SIZE
    sizes = {len(world_data(seed)["landmarks"]) for seed in range(60)}
    assert sizes == {3, 4, 5, 6}


# -- the utility model ------------------------------------------------------------


def test_levels_follow_fifty_times_the_square():
    assert [model.level_for(x) for x in (0, 49, 50, 199, 200, 449, 450, 4049, 4050)] == [1, 1, 2, 2, 3, 3, 4, 9, 10]


def test_needs_and_influence_by_action():
    s = situation(energy=30, mood=40, gold=50, respect=70, fear=20)
    assert model.needs("rest", s) == pytest.approx(70 * 0.8 + 60 * 0.1)
    assert model.needs("work", s) == pytest.approx(150 * 0.15)
    assert model.needs("work", situation(gold=500)) == 0
    assert model.needs("socialize", s) == pytest.approx(60 * 0.4)
    assert model.needs("train", s) == pytest.approx(30 * 0.2)
    assert model.needs("explore", s) == pytest.approx(30 * 0.25)
    assert model.influence("work", s) == pytest.approx(2.0)
    assert model.influence("train", s) == pytest.approx(7.0)
    assert model.influence("rest", s) == model.influence("explore", s) == model.influence("socialize", s) == 0


def test_every_option_is_the_sum_of_its_recorded_parts():
    s = situation(personality={**EVEN, "ambition": 80}, effects={"train": 15})
    scored = model.options(s, Draw())
    assert [o["action"] for o in scored] == list(model.ACTIONS)
    train = scored[1]
    assert train["by_trait"] == {"ambition": 40.0, "courage": 12.5, "patience": 5.0}
    assert train["traits"] == 57.5 and train["needs"] == 16.0 and train["influence"] == 5.0
    assert train["world"] == 15 and train["noise"] == 0.0
    assert train["score"] == pytest.approx(57.5 + 16 + 5 + 15)
    for option in scored:
        parts = option["traits"] + option["needs"] + option["influence"] + option["world"] + option["noise"]
        assert option["score"] == pytest.approx(parts) and option["available"]
    noisy = model.options(s, random.Random(1))
    assert all(-model.NOISE <= o["noise"] <= model.NOISE for o in noisy)
    assert len({o["noise"] for o in noisy}) > 1


def test_below_exhaustion_only_rest_is_available_and_chosen():
    scored = model.options(situation(energy=model.EXHAUSTED - 1, personality={**EVEN, "ambition": 100}), Draw())
    assert [o["action"] for o in scored if o["available"]] == ["rest"]
    assert model.Utility().choose(scored)["action"] == "rest"
    assert all(o["available"] for o in model.options(situation(energy=model.EXHAUSTED), Draw()))


def test_the_built_in_policy_takes_the_best_available_option_and_says_why():
    scored = model.options(situation(personality={**EVEN, "curiosity": 100, "courage": 90}), Draw())
    chosen = model.Utility().choose(scored)
    assert chosen["action"] == "explore" and chosen["score"] == max(o["score"] for o in scored)
    text = model.reasoning("Arya", chosen, scored)
    assert text.startswith(f"Arya chose to explore (score {chosen['score']:.0f}: traits +")
    assert "most of all curiosity" in text and "next best was" in text and text.endswith(").")
    tired = model.options(situation(energy=5), Draw())
    assert model.reasoning("Arya", tired[0], tired).endswith("too tired for anything but rest.")
    quiet = {
        "action": "rest",
        "available": True,
        "score": 0,
        "traits": 0,
        "needs": 0,
        "influence": 0,
        "world": 0,
        "by_trait": {},
    }
    assert "nothing pressing" in model.reasoning("Arya", quiet, [quiet])


def test_satisfaction_rewards_doing_what_the_hero_is_and_follows_mood():
    brave = {**EVEN, "courage": 90, "ambition": 80}
    assert model.satisfaction("train", brave, 0) == 65  # the calling of the two strongest traits
    assert model.satisfaction("work", brave, 0) == 50
    assert model.satisfaction("work", brave, 10) == 70
    assert model.satisfaction("work", brave, -30) == 0 and model.satisfaction("train", brave, 40) == 100


def test_what_each_action_brings():
    s = situation(personality={**EVEN, "ambition": 80, "curiosity": 90, "greed": 70, "empathy": 60})
    rest = model.outcome("rest", s, 480, Draw(), None)
    assert rest["energy_change"] == 96 and rest["mood_impact"] == 4 and rest["gold_change"] == 0
    assert rest["activity_data"] == {"action": "rest", "duration_minutes": 480, "effectiveness": 70}
    train = model.outcome("train", s, 120, Draw(), None)
    assert train["experience_change"] == int((20 + 80 / 5) * 70 / 50) and train["energy_change"] == -10
    assert train["mood_impact"] == 2 and train["activity_data"]["skill_trained"] == "sword_fighting"
    assert model.outcome("train", situation(), 120, Draw(), None)["mood_impact"] == -2  # ambition 50
    assert (
        model.outcome("train", situation(personality={**EVEN, "ambition": 51}), 120, Draw(), None)["mood_impact"] == 2
    )
    trained = Draw()
    model.outcome("train", s, 120, trained, None)
    assert ("choice", ("sword_fighting", "archery", "spellcraft", "shield_work")) in trained.seen
    found = Draw(0.3)
    model.outcome("explore", s, 240, found, None)
    assert ("randint", 0, 30) in found.seen and ("choice", ("herbs", "relic", "map_fragment", "gemstone")) in found.seen
    assert model.outcome("rest", s, 600, Draw(), None)["energy_change"] == 100  # a long rest fills up, no more
    idle = model.outcome("quest", s, 60, Draw(), None)  # a quest with no terms brings nothing
    assert (idle["gold_change"], idle["experience_change"], idle["mood_impact"], idle["items_changed"]) == (0, 0, 0, {})
    assert idle["energy_change"] == -5
    explore = model.outcome("explore", s, 240, Draw(0.3), None)
    assert explore["gold_change"] == 0 and explore["experience_change"] == 17 and explore["mood_impact"] == 5
    assert explore["items_changed"] == {"herbs": 1} and explore["energy_change"] == -20
    assert model.outcome("explore", s, 240, Draw(0.4), None)["items_changed"] == {}
    work = model.outcome("work", s, 180, Draw(), None)
    assert work["gold_change"] == 10 + 14 + 7 and work["mood_impact"] == 1
    social = model.outcome("socialize", s, 90, Draw(), None)
    assert social["mood_impact"] == 9 and social["energy_change"] == -8
    weak = model.outcome("rest", situation(energy=0), 480, Draw(), None)
    assert weak["activity_data"]["effectiveness"] == 50
    floor = model.outcome(
        "rest", situation(energy=0), 480, type("Low", (Draw,), {"uniform": lambda self, a, b: a})(), None
    )
    assert floor["activity_data"]["effectiveness"] == 30
    ceiling = model.outcome(
        "rest", situation(energy=100), 480, type("Hi", (Draw,), {"uniform": lambda self, a, b: b})(), None
    )
    assert ceiling["activity_data"]["effectiveness"] == 95


QUEST = {
    "quest_id": "q",
    "title": "Slay the wyrm",
    "difficulty": 3,
    "duration_minutes": 300,
    "party": 2,
    "rewards": {"gold": 120, "experience": 90, "items": {"trophy": 1}},
}


def test_a_quest_succeeds_by_level_courage_energy_and_party_and_hurts_when_it_fails():
    s = situation(level=5, energy=80, personality={**EVEN, "courage": 80})
    s = situation(level=3, energy=40, personality={**EVEN, "courage": 40})
    chance = 0.5 + 0 + 40 / 400 + 40 / 400 + 0.05
    won = model.outcome("quest", s, 300, Draw(chance - 0.001), QUEST)
    assert won["activity_data"]["success"] is True and won["activity_data"]["chance"] == round(chance, 3)
    assert model.outcome("quest", s, 300, Draw(chance), QUEST)["activity_data"]["success"] is False
    assert won["gold_change"] == 120 and won["experience_change"] == 90 and won["items_changed"] == {"trophy": 1}
    assert won["mood_impact"] == 10
    lost = model.outcome("quest", situation(level=1, energy=20), 300, Draw(0.94), QUEST)
    assert lost["activity_data"]["success"] is False and lost["gold_change"] == 0
    assert lost["activity_data"]["injury"] == 10 + 5 * 2 and lost["energy_change"] == -25 - 20
    assert lost["mood_impact"] == -10
    hopeless = model.outcome(
        "quest",
        situation(level=1, energy=0, personality={**EVEN, "courage": 0}),
        300,
        Draw(0.04),
        {**QUEST, "difficulty": 10, "party": 1},
    )
    assert hopeless["activity_data"]["chance"] == 0.05 and hopeless["activity_data"]["success"]
    sure = model.outcome("quest", situation(level=20, energy=100), 300, Draw(0.949), QUEST)
    assert sure["activity_data"]["chance"] == 0.95 and sure["activity_data"]["success"]
    even = model.outcome(
        "quest", situation(level=3, energy=0, personality={**EVEN, "courage": 0}), 300, Draw(0.5), {**QUEST, "party": 1}
    )
    assert even["activity_data"]["chance"] == 0.5 and not even["activity_data"]["success"]


def test_meeting_a_companion_moves_bonds_by_the_heros_own_traits():
    assert model.companion(Draw(), []) is None and model.companion(Draw(), ["b", "c"]) == "b"
    kind = {**EVEN, "empathy": 70, "ambition": 70}
    changes = model.bond_changes(kind, 5, Draw(0.01))
    assert changes == [
        {"relationship_type": "friendship", "delta": 3 - 2},
        {"relationship_type": "rivalry", "delta": 2},
        {"relationship_type": "romantic", "delta": 5},
        {"relationship_type": "mentor", "delta": 3},
    ]
    assert model.bond_changes(kind, 4, Draw(0.01))[-1]["relationship_type"] == "romantic"
    assert [c["relationship_type"] for c in model.bond_changes(kind, 5, Draw(0.1))] == [
        "friendship",
        "rivalry",
        "mentor",
    ]
    assert [c["relationship_type"] for c in model.bond_changes(kind, 5, Draw(0.2))] == ["friendship", "rivalry"]
    assert model.bond_changes(kind, 5, Draw(0.0499))[2]["relationship_type"] == "romantic"
    assert "romantic" not in [c["relationship_type"] for c in model.bond_changes(kind, 5, Draw(0.05))]
    level = {**EVEN, "empathy": 60, "ambition": 61}
    assert model.bond_changes(level, 5, Draw(0.01)) == [
        {"relationship_type": "rivalry", "delta": 1},
        {"relationship_type": "mentor", "delta": 3},
    ]
    met = Draw()
    model.bond_changes(kind, 1, met)
    assert met.seen == [("randint", -2, 3)]
    assert model.bond_changes({**EVEN, "empathy": 60, "ambition": 60}, 1, Draw(0.01)) == []  # 2 - 2 = 0: no change
    cold = model.bond_changes({**EVEN, "empathy": 0}, 1, Draw())
    assert cold == [{"relationship_type": "friendship", "delta": -4 - 2}]


def test_readiness_to_obey_and_to_take_a_quest():
    assert model.compliance(100, 100, 100, 100) == pytest.approx(100)
    assert model.compliance(50, 50, 0, 80) == pytest.approx(15 + 12.5 + 0 + 20)
    assert model.compliance(0, 0, 100, 0) == pytest.approx(20)
    p = {**EVEN, "courage": 80, "ambition": 60, "greed": 40, "loyalty": 90}
    assert model.willingness(p, 50, 3, 3) == pytest.approx(24 + 12 + 6 + 7.5 + 18)
    assert model.willingness(p, 50, 1, 4) == pytest.approx(24 + 12 + 6 + 7.5 + 18 - 18)


def test_recorded_numbers_are_rounded_as_stored():
    real = random.Random(11)
    for option in model.options(situation(energy=33, mood=47, gold=71), real):
        for part in ("traits", "needs", "influence", "noise", "score"):
            assert round(option[part], 2) == option[part]
        assert option["world"] == 0  # no world event: nothing added
    quest = model.outcome("quest", situation(level=4, energy=37), 300, random.Random(3), {**QUEST, "rewards": {}})
    data = quest["activity_data"]
    assert len(repr(data["roll"]).split(".")[1]) <= 4 and len(repr(data["chance"]).split(".")[1]) <= 3
    assert set(data) == {"action", "duration_minutes", "effectiveness", "quest_id", "chance", "roll", "success"}
    assert data["quest_id"] == "q"
    if data["success"]:
        assert (quest["gold_change"], quest["experience_change"], quest["items_changed"]) == (0, 0, {})


def test_a_quests_chance_weighs_each_level_and_an_even_fight_still_hurts():
    terms = {**QUEST, "difficulty": 2, "party": 1}
    coward = {**EVEN, "courage": 0}
    up = model.outcome("quest", situation(level=3, energy=0, personality=coward), 60, Draw(0.0), terms)
    assert up["activity_data"]["chance"] == 0.58
    lost = model.outcome("quest", situation(level=2, energy=0, personality=coward), 60, Draw(0.9), terms)
    assert lost["activity_data"]["injury"] == 10 and lost["energy_change"] == -5 - 10
    nothing = model.outcome("quest", situation(level=2), 60, Draw(0.0), {**terms, "rewards": {}})
    assert (nothing["gold_change"], nothing["experience_change"], nothing["items_changed"]) == (0, 0, {})
    social = model.outcome("socialize", situation(), 90, Draw(), QUEST)  # a quest accepted, not yet begun
    assert "quest_id" not in social["activity_data"] and social["mood_impact"] == 8
    assert model.outcome("rest", situation(), 481, Draw(), None)["energy_change"] == 96
    assert isinstance(model.outcome("rest", situation(), 481, Draw(), None)["energy_change"], int)


def test_the_reasoning_names_the_three_largest_parts_the_strongest_trait_and_the_runner_up():
    def option(action, score, **parts):
        base = {"traits": 0, "needs": 0, "influence": 0, "world": 0, "by_trait": {}, "available": True}
        return {"action": action, "score": score, **base, **parts}

    chosen = option("work", 80, traits=40, needs=-30, influence=5, world=20, by_trait={"greed": 30.0, "patience": 10.0})
    scored = [option("rest", 10), chosen, option("train", 60), option("explore", 20, available=False)]
    assert model.reasoning("Bo", chosen, scored) == (
        "Bo chose to work (score 80: traits +40, needs -30, world +20; most of all greed); next best was train (60); "
        "too tired for anything but rest."
    )
    alone = option("rest", 5)
    assert model.reasoning("Bo", alone, [alone]) == "Bo chose to rest (score 5: nothing pressing)."
