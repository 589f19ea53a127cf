"""Relationships (one aggregate per pair) and achievements (once per player)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from domain.adventure.achievements import ACHIEVEMENT_CHECK, Achievements, achievements_id, meets_any, policies
from domain.adventure.characters import Adventurer
from domain.adventure.relationships import (
    HISTORY_MAX,
    InvalidInteraction,
    Relationship,
    relationship_id,
    relationship_type,
)
from domain.kernel.errors import InvalidCommand, NotFound, PermissionDenied
from domain.kernel.timers import SetTimer
from tests.unit.adventure.helpers import PLANKS, adventure, rolls


def test_a_pair_has_one_relationship_whoever_acts():
    a, b = uuid4(), uuid4()
    assert relationship_id(a, b) == relationship_id(b, a)
    game, _world_id, player, ada, bob = adventure()
    game.interact(player, ada, bob, "gift", 20)
    written = game.interact(player, bob, ada, "help", 25)
    assert written.aggregate.value == 45 and written.aggregate.id == relationship_id(ada, bob)
    assert game.character(ada).relationships[str(bob)] == game.character(bob).relationships[str(ada)] == 45


def test_values_are_clamped_history_is_bounded_and_types_follow_values():
    game, _, player, ada, bob = adventure()
    for _ in range(HISTORY_MAX + 5):
        written = game.interact(player, ada, bob, "attack", -25)
    assert written.aggregate.value == -100 and len(written.aggregate.history) == HISTORY_MAX
    assert written.aggregate.history[-1]["delta"] == 0  # clamped
    assert [relationship_type(v) for v in (-100, -50, -49, -11, -10, 10, 11, 49, 50)] == [
        "hostile",
        "hostile",
        "unfriendly",
        "unfriendly",
        "neutral",
        "neutral",
        "friendly",
        "friendly",
        "ally",
    ]


def test_bad_interactions_are_refused():
    game, world_id, player, ada, bob = adventure()
    with pytest.raises(InvalidInteraction, match="with itself"):
        game.interact(player, ada, ada, "greet", 1)
    with pytest.raises(InvalidInteraction, match="at most 25"):
        game.interact(player, ada, bob, "greet", 26)
    with pytest.raises(InvalidInteraction, match="not an interaction"):
        game.interact(player, ada, bob, "wave", 1)
    with pytest.raises(PermissionDenied):
        game.interact(uuid4(), ada, bob, "greet", 1)
    other = game.create_world("Elsewhere", "flat", 1, {}, {}).aggregate
    cid = game.create_character(player, other.id, "Cid", "mage", {}, (0, 70, 0)).aggregate.id
    with pytest.raises(InvalidCommand, match="different worlds"):
        game.interact(player, ada, cid, "greet", 1)
    relationship = Relationship.between(ada, bob, world_id)
    with pytest.raises(InvalidInteraction, match="only the two characters"):
        relationship.interact(uuid4(), "greet", 1)


def test_the_policy_checks_a_character_after_each_craft_experience_or_relationship():
    rules = policies(None)
    assert set(rules) == {
        Adventurer.CraftAttempted.TOPIC,
        Adventurer.ExperienceGained.TOPIC,
        Adventurer.RelationshipNoted.TOPIC,
    }
    game, _, _, ada, _ = adventure()
    (event,) = game.grant_experience(ada, 5, "quest").aggregate.collect_events() or [
        e
        for e in game.store.events.get(ada)
        if isinstance(e, Adventurer.ExperienceGained)  # type: ignore[attr-defined]
    ]
    assert list(rules[event.TOPIC](event)) == [SetTimer(ACHIEVEMENT_CHECK, ada, event.timestamp)]


def test_a_character_who_meets_no_rule_leaves_the_players_record_unread():
    game, _, player, ada, _ = adventure()
    assert not meets_any(game.character(ada))
    load, loaded = game.store.load, []
    game.store.load = lambda cls, *args, **kwargs: loaded.append(cls) or load(cls, *args, **kwargs)
    assert game.check_achievements(ada, datetime.now(UTC)) is None
    assert loaded == [Adventurer], "the character alone"
    del game.store.load
    with pytest.raises(NotFound):
        game.store.load(Achievements, achievements_id(player))


def test_achievements_unlock_once_however_often_they_are_checked():
    game, _, player, ada, _ = adventure()
    game.create_recipe(**PLANKS)
    game.give_items(ada, "material", "log", 5, None, "gather")
    game.roll = rolls(0.9, 0.9, 0.9, 0.1).__next__
    for _ in range(4):
        game.craft(player, ada, "Planks")
    now = datetime.now(UTC)
    first = game.check_achievements(ada, now)
    again = game.check_achievements(ada, now)
    assert again is not None and again.position is None  # nothing new to unlock
    achievements = game.store.load(Achievements, achievements_id(player))
    assert achievements.unlocked == {"unlucky": 5, "first_craft": 10} and first.aggregate.id == achievements.id
    assert game.unlocked(player) == {"unlucky": 5, "first_craft": 10}
    assert game.check_achievements(uuid4(), now) is None  # no such character: nothing to do
    game.grant_experience(ada, 8100, "quest")
    game.check_achievements(ada, now)
    assert "level_10" in game.unlocked(player)
