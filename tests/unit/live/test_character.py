"""Character rules: moves stay on the map and within a step; health stays in bounds."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.kernel.aggregate import ERASED
from domain.live.characters import (
    ABILITIES,
    MAP_HEIGHT,
    MAP_WIDTH,
    MAX_HEALTH,
    MAX_STEP,
    Character,
    CharacterDowned,
    IllegalMove,
    UnknownAbility,
    check_on_map,
)


def character(**kwargs) -> Character:
    return Character.create(uuid4(), "Ada", **kwargs)


def test_a_new_character_stands_where_it_was_placed_at_full_health():
    c = character(position_x=3, position_y=4)
    assert (c.position_x, c.position_y, c.health) == (3, 4, MAX_HEALTH)


def test_a_move_covers_at_most_max_step_tiles():
    c = character(position_x=10, position_y=10)
    c.move_to(10 + MAX_STEP, 10 - MAX_STEP)
    assert (c.position_x, c.position_y) == (10 + MAX_STEP, 10 - MAX_STEP)
    with pytest.raises(IllegalMove):
        c.move_to(c.position_x + MAX_STEP + 1, c.position_y)


@pytest.mark.parametrize(("x", "y"), [(-1, 0), (0, -1), (MAP_WIDTH, 0)])
def test_moves_and_placements_stay_on_the_map(x, y):
    edge = character(position_x=0, position_y=0)
    with pytest.raises(IllegalMove):
        edge.move_to(x, y)
    with pytest.raises(IllegalMove):
        character(position_x=x, position_y=y)


def test_standing_still_records_nothing():
    c = character(position_x=1, position_y=1)
    c.move_to(1, 1)
    assert c.version == 1


def test_abilities_change_health_within_bounds_and_the_downed_only_rest_or_heal():
    c = character()
    c.use_ability("heal")
    assert c.health == MAX_HEALTH and c.version == 1  # already full: nothing recorded
    for _ in range(7):
        c.use_ability("sacrifice")
    assert c.health == 0
    with pytest.raises(CharacterDowned):
        c.move_to(1, 0)
    with pytest.raises(CharacterDowned):
        c.use_ability("focus")
    c.use_ability("rest")
    assert c.health == 5
    with pytest.raises(UnknownAbility):
        c.use_ability("fireball")


def at(x: int, y: int, health: int = MAX_HEALTH) -> Character:
    character = Character.create(uuid4(), " Ada ", x, y)
    character.health = health
    character.collect_events()
    return character


def test_a_new_character_is_where_it_was_put_at_full_health_and_owned():
    owner = uuid4()
    character = Character.create(owner, " Ada ", 3, 4)
    assert (character.owner_id, character.display_name) == (owner, "Ada")
    assert (character.position_x, character.position_y, character.health) == (3, 4, MAX_HEALTH)
    assert not character.downed


def test_the_map_edges_are_exact():
    for x, y in [(0, 0), (MAP_WIDTH - 1, MAP_HEIGHT - 1)]:
        check_on_map(x, y)
    for x, y in [(-1, 0), (0, -1), (MAP_WIDTH, 0), (0, MAP_HEIGHT)]:
        with pytest.raises(IllegalMove) as refused:
            check_on_map(x, y)
        assert refused.value.message == f"({x}, {y}) is off the {MAP_WIDTH}x{MAP_HEIGHT} map"


def test_a_move_covers_at_most_max_step_tiles_on_either_axis():
    character = at(10, 10)
    character.move_to(10 + MAX_STEP, 10 - MAX_STEP)
    assert (character.position_x, character.position_y) == (10 + MAX_STEP, 10 - MAX_STEP)
    with pytest.raises(IllegalMove) as refused:
        character.move_to(character.position_x, character.position_y + MAX_STEP + 1)
    assert refused.value.message == f"a move covers at most {MAX_STEP} tiles, not {MAX_STEP + 1}"
    assert refused.value.details == {"max_step": MAX_STEP}


def test_moving_to_where_it_stands_records_nothing():
    character = at(5, 5)
    character.move_to(5, 5)
    assert character.collect_events() == []


def test_a_downed_character_cannot_move_and_only_heals_or_rests():
    character = at(5, 5, health=0)
    assert character.downed
    with pytest.raises(CharacterDowned, match="a downed character cannot move"):
        character.move_to(6, 5)
    with pytest.raises(CharacterDowned) as refused:
        character.use_ability("focus")
    assert refused.value.message == "a downed character can only use ['heal', 'rest']"
    character.use_ability("rest")
    assert character.health == ABILITIES["rest"]


def test_health_stays_within_zero_and_the_maximum_and_no_change_records_nothing():
    character = at(0, 0, health=MAX_HEALTH - 5)
    character.use_ability("heal")
    assert character.health == MAX_HEALTH
    character.collect_events()
    character.use_ability("heal")
    character.use_ability("focus")
    assert character.collect_events() == []
    low = at(0, 0, health=10)
    low.use_ability("sacrifice")
    assert low.health == 0 and low.downed
    [event] = low.collect_events()
    assert (event.health, event.cause) == (0, "sacrifice")


def test_an_unknown_ability_names_the_known_ones():
    with pytest.raises(UnknownAbility) as refused:
        at(0, 0).use_ability("fly")
    assert refused.value.message == "unknown ability 'fly'"
    assert refused.value.details == {"known": sorted(ABILITIES)}


def test_erasing_a_name_twice_records_it_once():
    character = at(0, 0)
    character.erase_personal()
    assert character.display_name == ERASED
    assert len(character.collect_events()) == 1
    character.erase_personal()
    assert character.collect_events() == []
