"""World events at every bound (docs/adventure.md, "World events")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from uuid import uuid4

import pytest

from domain.adventure import WorldEvent
from domain.adventure.world_events import (
    InvalidWorldEvent,
    WorldEventRefused,
    check_effects,
    craft_bonus,
    policies,
    quest_experience,
)
from domain.kernel.errors import NotFound, PermissionDenied
from tests.unit.adventure.helpers import PLANKS, adventure

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def event(**changes) -> WorldEvent:
    base = {
        "world_id": uuid4(),
        "event_type": "festival",
        "event_name": "Fair",
        "description": "",
        "effects": {},
        "start_time": NOW,
        "end_time": NOW + timedelta(hours=1),
    }
    return WorldEvent.create(**{**base, **changes})


@pytest.mark.parametrize(
    ("effects", "message"),
    [
        ([], "^effects is an object of craft_odds, recipe_types, quest_experience$"),
        ({"rain": 1}, "^effects is an object"),
        ({"craft_odds": 0.51}, r"^effects.craft_odds is -0.5 to 0.5$"),
        ({"craft_odds": -0.51}, r"^effects.craft_odds"),
        ({"craft_odds": "0.1"}, r"^effects.craft_odds"),
        ({"recipe_types": ["juggling"]}, r"^effects.recipe_types names recipe types"),
        ({"recipe_types": "smithing"}, r"^effects.recipe_types"),
        ({"quest_experience": 0.4}, r"^effects.quest_experience is 0.5 to 3.0$"),
        ({"quest_experience": 3.1}, r"^effects.quest_experience"),
        ({"quest_experience": True}, r"^effects.quest_experience"),
    ],
)
def test_effects_that_do_not_parse_are_refused(effects, message):
    with pytest.raises(InvalidWorldEvent, match=message):
        check_effects(effects)


def test_effects_at_their_bounds_and_what_they_add_up_to():
    kept = {"craft_odds": -0.5, "recipe_types": ["smithing"], "quest_experience": 0.5}
    assert check_effects(kept) == kept and check_effects({"craft_odds": 0.5, "quest_experience": 3}) is not None
    active = {
        "a": {"craft_odds": 0.2, "recipe_types": ["smithing"]},
        "b": {"craft_odds": 0.1},  # every type
        "c": {"quest_experience": 1.5},
        "d": {"quest_experience": 2, "craft_odds": -0.05, "recipe_types": ["woodcutting"]},
    }
    assert craft_bonus(active, "smithing") == pytest.approx(0.3)
    assert craft_bonus(active, "woodcutting") == pytest.approx(0.05)
    assert craft_bonus({}, "smithing") == 0
    assert quest_experience(active) == 3.0 and quest_experience({}) == 1.0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"event_type": "party"}, "'party' is not an event type"),
        ({"trigger": "god"}, "'god' is not a trigger"),
        ({"description": "x" * 8_001}, "^description is a text of at most 8000"),
        ({"end_time": NOW}, "^an event ends after it starts, at most 90 days later$"),
        ({"end_time": NOW + timedelta(days=90, seconds=1)}, "at most 90 days later"),
        ({"every_seconds": 3_599}, "^every_seconds is at least the window and a minute, at most a year$"),
        ({"every_seconds": 366 * 86_400 + 1}, "every_seconds"),
        ({"every_seconds": "3600"}, "every_seconds"),
        ({"end_time": NOW + timedelta(seconds=30), "every_seconds": 59}, "every_seconds"),
        ({"trigger": "player", "event_type": "player", "end_time": NOW + timedelta(hours=1, seconds=1)}, "an hour"),
        ({"trigger": "player", "event_type": "festival"}, "^a player's event is of type player"),
        ({"trigger": "player", "event_type": "player", "effects": {"craft_odds": 0.1}}, "of type player"),
        ({"trigger": "player", "event_type": "player", "every_seconds": 3_600}, "of type player"),
    ],
)
def test_a_bad_event_is_refused(changes, message):
    with pytest.raises(InvalidWorldEvent, match=message):
        event(**changes)


def test_windows_open_close_and_come_back_by_whole_periods():
    made = event(every_seconds=3_600 * 24, end_time=NOW + timedelta(days=1), event_type="season")
    assert made.start(NOW - timedelta(seconds=1)) is False and made.status == "scheduled"
    assert made.start(NOW) is True and made.status == "active" and made.start(NOW) is False
    assert made.pending_events[-1].end_time == NOW + timedelta(days=1)
    assert made.end(NOW + timedelta(hours=23)) is False
    assert made.end(NOW + timedelta(days=3, hours=1)) is True  # late: the windows missed are skipped
    assert made.status == "scheduled"
    assert (made.start_time, made.end_time) == (NOW + timedelta(days=3), NOW + timedelta(days=4))
    assert made.end(NOW + timedelta(days=5)) is False  # not begun: nothing to close
    assert made.end(NOW, cancel=True) is True and made.status == "cancelled"
    assert made.end(NOW, cancel=True) is False and made.start(NOW + timedelta(days=9)) is False
    with pytest.raises(WorldEventRefused, match=r"^the event 'Fair' has cancelled$") as refused:
        made.check_cancellable()
    assert refused.value.details == {"event_status": "cancelled"}
    once = event()
    once.start(NOW)
    assert once.end(NOW + timedelta(hours=1)) is True and once.status == "ended"
    assert not any(type(e).__name__ == "Rescheduled" for e in once.pending_events)


def test_the_policies_set_each_windows_timers():
    made = policies(None)
    created = SimpleNamespace(originator_id=uuid4(), start_time=NOW, end_time=NOW + timedelta(hours=1))
    (start,) = made["lorekeeper.world_event.Created"](created)
    (again,) = made["lorekeeper.world_event.Rescheduled"](created)
    (end,) = made["lorekeeper.world_event.Started"](created)
    assert (start.kind, start.due, again.due) == ("adventure.world_event_start", NOW, NOW)
    assert (end.kind, end.due, end.subject) == (
        "adventure.world_event_end",
        NOW + timedelta(hours=1),
        created.originator_id,
    )


def test_seasons_through_the_use_cases_and_what_crafts_and_quests_read():
    game, world_id, player, ada, bob = adventure()
    game.create_recipe(**PLANKS)
    now = datetime.now(UTC)
    fair = game.seasons.schedule(
        world_id, "festival", "Fair", "", {"craft_odds": 0.45, "quest_experience": 3}, now, now + timedelta(hours=1)
    ).aggregate
    assert game.seasons.start(fair.id, now).aggregate.status == "active"
    assert game.world(world_id).active_events == {str(fair.id): {"craft_odds": 0.45, "quest_experience": 3}}
    assert game.seasons.start(fair.id, now).position is None  # fired twice: nothing more
    assert game.seasons.start(uuid4(), now) is None and game.seasons.end(uuid4(), now) is None
    game.give_items(ada, "material", "log", 1, None, "loot")
    game.roll = lambda: 0.98
    game.craft(player, ada, "Planks")
    attempt = [e for e in game.store.events.get(ada) if type(e).__name__ == "CraftAttempted"][-1]
    assert attempt.odds == 0.95 and not attempt.succeeded  # 0.5 + 0.45, within 0.01..0.99
    quest = game.quests.create_quest(
        world_id,
        "Q",
        "",
        "side",
        {},
        {"experience": 40_000},
        1,
        [{"objective_text": "L", "requirements": {"kind": "reach_level", "level": 1}}],
    ).aggregate
    game.quests.begin(player, bob, quest.id)
    game.quests.advance(bob, now)
    assert game.character(bob).experience == 100_000  # 40,000 x 3, at most one grant's worth
    with pytest.raises(PermissionDenied):
        game.seasons.schedule(world_id, "player", "Mine", "", {}, now, now + timedelta(minutes=5), trigger="player")
    mine = game.seasons.schedule(
        world_id, "player", "Mine", "", {}, now, now + timedelta(minutes=5), None, "player", ada, player
    ).aggregate
    with pytest.raises(PermissionDenied, match="only an admin, or the player who set it off"):
        game.seasons.cancel(mine.id, uuid4())
    assert game.seasons.cancel(mine.id, player).aggregate.status == "cancelled"
    assert game.seasons.cancel(fair.id).aggregate.status == "cancelled"
    assert game.world(world_id).active_events == {}
    with pytest.raises(PermissionDenied):
        game.seasons.cancel(fair.id, player)  # set off by an admin: not the player's


def test_a_players_event_needs_its_own_character_in_the_world():
    game, world_id, player, ada, _ = adventure()
    now = datetime.now(UTC)
    window = (now, now + timedelta(minutes=5))
    with pytest.raises(PermissionDenied, match=r"^a player's event is set off by one of its characters$"):
        game.seasons.schedule(world_id, "player", "Mine", "", {}, *window, trigger="player")
    with pytest.raises(PermissionDenied):
        game.seasons.schedule(world_id, "player", "Mine", "", {}, *window, None, "player", ada, uuid4())
    far = game.create_world("Far", "flat", 3, {}, {}).aggregate.id
    with pytest.raises(WorldEventRefused, match=r"^the character is in another world$") as away:
        game.seasons.schedule(far, "player", "Mine", "", {}, *window, None, "player", ada, player)
    assert away.value.details == {"character_id": str(ada)}
    season = game.seasons.schedule(world_id, "season", "S", "", {}, now, now + timedelta(hours=1), 7_200).aggregate
    assert season.every_seconds == 7_200
    with pytest.raises(PermissionDenied, match=r"^only an admin, or the player who set it off, cancels an event$"):
        game.seasons.cancel(season.id, player)
    with pytest.raises(NotFound):
        game.seasons.schedule(uuid4(), "season", "S", "", {}, now, now + timedelta(hours=1))
    assert game.seasons.end(season.id, now).position is None  # not begun: nothing to close
    game.configure_world(world_id, None, None, False)
    with pytest.raises(Exception, match="is not active"):
        game.seasons.schedule(world_id, "season", "S", "", {}, now, now + timedelta(hours=1))
