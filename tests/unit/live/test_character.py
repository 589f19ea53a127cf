"""Character rules: moves stay on the map and within a step; health stays in bounds."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.live.characters import (
    MAP_WIDTH,
    MAX_HEALTH,
    MAX_STEP,
    Character,
    CharacterDowned,
    IllegalMove,
    UnknownAbility,
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
