"""Combat's arithmetic and what a ship records of it: layers in order, the
bounds of one hit, rounding, the drops a seed decides, the messages players
read."""

from __future__ import annotations

import random
from uuid import uuid4

import pytest

from domain.echoes.combat import DAMAGE_MAX, DROP_ODDS, CombatRefused, absorb, wreckage
from domain.echoes.fitting import CargoFull, FittingRefused
from domain.echoes.ships import Ship
from domain.kernel.errors import Gone
from domain.kernel.text import InvalidDisplayName
from tests.unit.echoes.test_ships_and_pilots import MODULES, RIFTER, STATION, module, ship

FULL = {"shield_health": 100.0, "armor_health": 100.0, "hull_health": 100.0}


def test_a_hit_takes_the_shield_then_the_armor_then_the_hull_rounded_to_hundredths():
    assert absorb(FULL, 33.333) == {"shield_health": 66.67, "armor_health": 100.0, "hull_health": 100.0}
    assert absorb(FULL, 250) == {"shield_health": 0, "armor_health": 0, "hull_health": 50.0}
    assert absorb(FULL, DAMAGE_MAX) == {"shield_health": 0, "armor_health": 0, "hull_health": 0}
    for damage in (0, -1, DAMAGE_MAX + 0.01):
        with pytest.raises(CombatRefused, match="more than 0 and at most 300 points"):
            absorb(FULL, damage)


def test_what_drops_is_decided_by_the_recorded_seed_alone():
    fitted = [{"module_type_id": 2000}, {"module_type_id": 2000}, {"module_type_id": 2009}]
    cargo = [{"module_type_id": 2018, "quantity": 7}, {"module_type_id": 2000, "quantity": 3}]
    for seed in range(20):
        rng = random.Random(seed)
        expected: dict[int, int] = {}
        for module_type_id, quantity in [(2000, 1), (2000, 1), (2009, 1), (2018, 7), (2000, 3)]:
            if rng.random() < DROP_ODDS:
                expected[module_type_id] = expected.get(module_type_id, 0) + quantity
        assert wreckage(fitted, cargo, seed) == [
            {"module_type_id": m, "quantity": q} for m, q in sorted(expected.items())
        ]


def test_a_ship_records_its_attacker_and_is_destroyed_only_at_a_hull_of_0():
    s = ship()
    s.fit(module("125mm Gatling AutoCannon I"), RIFTER, 0, MODULES)
    s.move_cargo(module("Small Shield Extender I"), 2, RIFTER)
    s.undock()
    s.collect_events()
    attacker = uuid4()
    s.take_damage(299.5, attacker, 5)
    (damaged,) = s.collect_events()
    assert damaged.attacker_id == attacker and s.hull_health == 0.5 and not s.destroyed
    s.take_damage(1, attacker, 5)
    hit, destroyed = s.collect_events()
    assert hit.hull_health == 0
    assert destroyed.attacker_id == attacker and destroyed.character_id == s.character_id
    (fitting,) = destroyed.fitted
    assert (fitting["slot_type"], fitting["slot_number"], fitting["module_type_id"]) == ("high", 0, 2000)
    assert destroyed.cargo == [{"module_type_id": module("Small Shield Extender I").id, "quantity": 2}]
    assert destroyed.dropped == wreckage(destroyed.fitted, destroyed.cargo, 5)
    with pytest.raises(Gone, match=f"ship {s.id} was destroyed"):
        s.repair()


def test_a_ships_name_is_trimmed_and_at_most_100_characters():
    assert Ship.commission(uuid4(), uuid4(), RIFTER, "x" * 100, 1, STATION.id).name == "x" * 100
    with pytest.raises(InvalidDisplayName, match="1 to 100"):
        Ship.commission(uuid4(), uuid4(), RIFTER, "x" * 101, 1, STATION.id)


def test_the_messages_of_fitting_and_the_hold_say_what_is_wrong():
    s = ship()
    gun = module("125mm Gatling AutoCannon I")
    with pytest.raises(FittingRefused, match="high slot 2 is empty"):
        s.unfit("high", 2)
    with pytest.raises(FittingRefused, match=f"the hold carries 0 of module type {gun.id}, not 2"):
        s.move_cargo(gun, -2, RIFTER)
    fits = int(RIFTER.cargo_capacity // gun.volume)
    s.move_cargo(gun, fits, RIFTER)  # exactly full is allowed
    with pytest.raises(CargoFull, match=f"the hold has 0 m3 free, {gun.volume:g} m3 needed") as full:
        s.move_cargo(gun, 1, RIFTER)
    assert full.value.details == {"free": 0}
    s.move_cargo(gun, -1, RIFTER)
    with pytest.raises(CargoFull, match=f"{gun.volume:g} m3 free, {2 * gun.volume:g} m3 needed"):
        s.move_cargo(gun, 2, RIFTER)
    s.undock()
    for refused, message in (
        (lambda: s.unfit("high", 0), "a ship is unfitted docked at a station"),
        (lambda: s.fit(gun, RIFTER, 0, MODULES), "a ship is fitted docked at a station"),
        (lambda: s.move_cargo(gun, 1, RIFTER), "cargo moves to and from a hangar, docked at a station"),
    ):
        with pytest.raises(FittingRefused, match=message):
            refused()
