"""Pilots and ships: names, bloodlines, jumps; fitting within slots, power
grid and CPU; cargo by volume; the computed total mass."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import uuid4

import pytest

from domain.echoes.fitting import CargoFull, FittingRefused, SlotTaken
from domain.echoes.pilots import BLOODLINES, InvalidPilot, JumpRefused, Pilot, pilot_name_id
from domain.echoes.ships import Ship
from domain.echoes.universe import UniverseData

DATA = UniverseData.model_validate(
    json.loads((Path(__file__).resolve().parents[3] / "infra/data/echoes-universe-v1.json").read_text())
)
MODULES = {m.id: m for m in DATA.module_types}
RIFTER = next(t for t in DATA.ship_types if t.name == "Rifter")
STATION = DATA.stations[0]


def module(name: str):
    return next(m for m in DATA.module_types if m.name == name)


def test_a_pilot_has_a_real_bloodline_and_starts_in_a_known_system():
    owner = uuid4()
    pilot = Pilot.create(owner, "  Ada  ", "Caldari", "Deteis", DATA.systems[0].id, DATA)
    assert (pilot.name, pilot.owner_id, pilot.current_system_id) == ("Ada", owner, DATA.systems[0].id)
    assert pilot_name_id("ADA") == pilot_name_id("ada")
    with pytest.raises(InvalidPilot, match="not a bloodline of 'Caldari'"):
        Pilot.create(owner, "Bob", "Caldari", "Brutor", DATA.systems[0].id, DATA)
    with pytest.raises(InvalidPilot, match="no system"):
        Pilot.create(owner, "Bob", "Minmatar", "Brutor", 1, DATA)
    assert all(len(b) == 3 for b in BLOODLINES.values())


def test_a_pilot_jumps_only_within_range():
    pilot = Pilot.create(uuid4(), "Ada", "Gallente", "Intaki", DATA.systems[0].id, DATA)
    pilot.collect_events()
    pilot.jump(DATA.systems[1].id, DATA)
    assert pilot.current_system_id == DATA.systems[1].id
    with pytest.raises(JumpRefused):
        pilot.jump(DATA.systems[-1].id, DATA)
    assert [type(e).__name__ for e in pilot.collect_events()] == ["Jumped"]


def ship() -> Ship:
    built = Ship.commission(uuid4(), uuid4(), RIFTER, "Rusty", STATION.system_id, STATION.id)
    built.collect_events()
    return built


def test_fitting_holds_slots_power_grid_and_cpu_and_the_mass_follows():
    s = ship()
    cannon = module("125mm Gatling AutoCannon I")
    for slot in range(RIFTER.high_slots):
        s.fit(cannon, RIFTER, slot, MODULES)
    with pytest.raises(FittingRefused, match="4 high slots"):
        s.fit(cannon, RIFTER, RIFTER.high_slots, MODULES)
    s.unfit("high", 3)
    with pytest.raises(SlotTaken):
        s.fit(cannon, RIFTER, 0, MODULES)
    assert s.usage(MODULES) == (3 * cannon.power_grid_usage, 3 * cannon.cpu_usage)
    assert s.total_mass(RIFTER, MODULES) == RIFTER.base_mass + 3 * cannon.mass
    mwd = module("5MN Microwarpdrive I")  # 19 power grid: 9 + 19 fits 41, a second plate will not
    s.fit(mwd, RIFTER, 0, MODULES)
    with pytest.raises(FittingRefused, match="power grid"):
        s.fit(module("400mm Steel Plates I"), RIFTER, 0, MODULES)
    s.fit(module("200mm Steel Plates I"), RIFTER, 0, MODULES)  # 9 + 19 + 10 = 38 of 41


def test_cpu_is_a_budget_too():
    s = ship()
    for slot, name in enumerate(["Warp Scrambler I", "Stasis Webifier I", "Sensor Booster I"]):
        s.fit(module(name), RIFTER, slot, MODULES)  # 80 CPU
    s.fit(module("Ballistic Control System I"), RIFTER, 0, MODULES)  # 120 of 130
    with pytest.raises(FittingRefused, match="CPU"):
        s.fit(module("Gyrostabilizer I"), RIFTER, 1, MODULES)


def test_the_hold_carries_by_volume_and_only_what_it_holds_leaves():
    s = ship()
    plate = module("200mm Steel Plates I")  # 5 m3
    s.move_cargo(plate, 28, RIFTER)  # 140 m3: full
    with pytest.raises(CargoFull):
        s.move_cargo(plate, 1, RIFTER)
    with pytest.raises(FittingRefused):
        s.move_cargo(plate, -29, RIFTER)
    s.move_cargo(plate, -28, RIFTER)
    assert s.cargo == {} and s.cargo_used() == 0


def test_an_undocked_ship_is_neither_fitted_nor_loaded():
    s = ship()
    s.location_station_id = None
    with pytest.raises(FittingRefused, match="docked"):
        s.fit(module("Miner I"), RIFTER, 0, MODULES)
    with pytest.raises(FittingRefused, match="docked"):
        s.move_cargo(module("Miner I"), 1, RIFTER)


def test_damage_takes_shield_then_armor_then_hull_and_a_scratch_records_nothing():
    from domain.echoes.combat import CombatRefused
    from domain.kernel.errors import Gone

    s = ship()
    with pytest.raises(CombatRefused, match="docked"):
        s.take_damage(10, None, 1)
    s.undock()
    s.collect_events()
    assert s.take_damage(0.004, None, 1) == [] and not s.pending_events
    with pytest.raises(CombatRefused, match="at most 300"):
        s.take_damage(300.5, None, 1)
    assert s.take_damage(130, None, 1) == []
    assert (s.shield_health, s.armor_health, s.hull_health) == (0, 70, 100)
    s.take_damage(170, None, 1)
    assert s.destroyed and s.hull_health == 0 and not s.fitted
    (destroyed,) = [e for e in s.collect_events() if type(e) is Ship.Destroyed]
    assert destroyed.roll_seed == 1 and destroyed.fitted == []
    with pytest.raises(Gone):
        s.undock()


def test_a_ship_docks_only_at_a_station_of_its_system_and_is_repaired_docked():
    from domain.echoes.fitting import DockingRefused

    s = ship()
    with pytest.raises(DockingRefused, match="docked already"):
        s.dock(STATION.id, STATION.system_id)
    s.undock()
    with pytest.raises(DockingRefused, match="in space already"):
        s.undock()
    with pytest.raises(DockingRefused, match="a ship is repaired docked"):
        s.repair()
    s.take_damage(50, None, 1)
    other = next(t for t in DATA.stations if t.system_id != STATION.system_id)
    with pytest.raises(DockingRefused, match=f"is in system {other.system_id}"):
        s.dock(other.id, other.system_id)
    s.dock(STATION.id, STATION.system_id)
    s.collect_events()
    s.repair()
    assert s.shield_health == 100 and len(s.collect_events()) == 1
    s.repair()
    assert not s.pending_events  # whole already: nothing recorded
