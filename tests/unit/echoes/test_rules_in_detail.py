"""What clients read when a rule refuses (messages and details), the rules
exactly at their boundaries, and an order id's layout."""

from __future__ import annotations

import math
from uuid import uuid4

import pytest

from domain.echoes.fitting import FittingRefused, SlotTaken, check_fit
from domain.echoes.orders import InvalidOrder, new_order_id, order_book_of
from domain.echoes.pilots import BLOODLINES, InvalidPilot, JumpRefused, Pilot
from domain.echoes.universe import OlderUniverse, Universe, UniverseData, UniverseRefused, distance_ly, reachable
from domain.kernel.errors import NotFound
from tests.unit.echoes.test_ships_and_pilots import DATA, MODULES, RIFTER, module
from tests.unit.echoes.test_universe import shipped

GUN = module("125mm Gatling AutoCannon I")  # high, power grid 3, CPU 3


def test_a_fitting_exactly_within_the_budgets_fits_and_one_unit_beyond_is_refused_with_what_is_left():
    exact = RIFTER.model_copy(update={"power_grid_output": 6, "cpu_output": 100})
    check_fit({}, GUN, exact, 0, MODULES)
    one = {"high:0": {"module_type_id": GUN.id}}
    check_fit(one, GUN, exact, 1, MODULES)  # 3 + 3 = 6: exactly the grid
    two = {**one, "high:1": {"module_type_id": GUN.id}}
    with pytest.raises(FittingRefused, match="power grid: 6 used \\+ 3 > 6") as grid:
        check_fit(two, GUN, exact, 2, MODULES)
    assert grid.value.details == {"power_grid_left": 0}
    cpu = RIFTER.model_copy(update={"power_grid_output": 100, "cpu_output": 6})
    check_fit(one, GUN, cpu, 1, MODULES)
    with pytest.raises(FittingRefused, match="CPU: 6 used \\+ 3 > 6") as short:
        check_fit(two, GUN, cpu, 2, MODULES)
    assert short.value.details == {"cpu_left": 0}


def test_a_slot_out_of_range_or_taken_is_refused_saying_which():
    with pytest.raises(FittingRefused, match="a Rifter has 4 high slots \\(0 to 3\\)") as out:
        check_fit({}, GUN, RIFTER, 4, MODULES)
    assert out.value.details == {"slots": 4}
    with pytest.raises(SlotTaken, match="high slot 0 is taken") as taken:
        check_fit({"high:0": {"module_type_id": GUN.id}}, GUN, RIFTER, 0, MODULES)
    assert taken.value.details == {"slot_type": "high"}


@pytest.mark.parametrize(("station", "module_type"), [(1, 1), (2**31 - 1, 2**31 - 1), (60003760, 2000)])
def test_an_order_id_is_a_uuid8_holding_its_book_and_59_random_bits(station, module_type):
    ids = {new_order_id(station, module_type) for _ in range(50)}
    assert len(ids) == 50
    for order in ids:
        assert order.version == 8 and order.variant == "specified in RFC 4122"
        assert order_book_of(order) == (station, module_type)


@pytest.mark.parametrize(("station", "module_type"), [(0, 1), (1, 0), (2**31, 1), (1, 2**31), (-1, 5)])
def test_an_order_id_needs_31_bit_ids(station, module_type):
    with pytest.raises(InvalidOrder, match=r"^station and module type ids are positive 31-bit integers$"):
        new_order_id(station, module_type)


def test_a_pilot_keeps_its_race_and_bloodline_and_a_wrong_bloodline_lists_the_right_ones():
    owner = uuid4()
    pilot = Pilot.create(owner, "Ada", "Amarr", "Khanid", DATA.systems[0].id, DATA)
    assert (pilot.race, pilot.bloodline, pilot.owner_id) == ("Amarr", "Khanid", owner)
    with pytest.raises(InvalidPilot, match="'Deteis' is not a bloodline of 'Amarr'") as wrong:
        Pilot.create(owner, "Ada", "Amarr", "Deteis", DATA.systems[0].id, DATA)
    assert wrong.value.details == {"races": {r: list(b) for r, b in BLOODLINES.items()}}
    with pytest.raises(InvalidPilot, match="is not a bloodline of 'Vherokior'"):
        Pilot.create(owner, "Ada", "Vherokior", "Khanid", DATA.systems[0].id, DATA)
    assert Pilot.create(owner, "x" * 37, "Amarr", "Khanid", DATA.systems[0].id, DATA).name == "x" * 37
    with pytest.raises(Exception, match="1 to 37"):
        Pilot.create(owner, "x" * 38, "Amarr", "Khanid", DATA.systems[0].id, DATA)


def test_a_refused_jump_says_from_where_and_the_range():
    pilot = Pilot.create(uuid4(), "Ada", "Amarr", "Khanid", DATA.systems[0].id, DATA)
    far = DATA.systems[-1].id
    with pytest.raises(
        JumpRefused, match=f"system {far} is not one jump \\(within 6.0 ly\\) from {DATA.systems[0].id}"
    ) as refused:
        pilot.jump(far, DATA)
    assert refused.value.details["from_system_id"] == DATA.systems[0].id


def test_a_jump_exactly_at_the_range_is_allowed():
    a, b = DATA.systems[0], DATA.systems[1]
    exact = DATA.model_copy(update={"jump_range_ly": distance_ly(a, b)})
    assert reachable(exact, a.id, b.id)
    shorter = DATA.model_copy(update={"jump_range_ly": math.nextafter(distance_ly(a, b), 0)})
    assert not reachable(shorter, a.id, b.id)


def test_the_universe_says_why_it_refuses_and_which_version_is_loaded():
    raw = shipped()
    for i in range(25):  # 25 stations in unknown systems: the first 20 problems are named
        raw["stations"].append({**raw["stations"][0], "id": 70000000 + i, "name": f"S{i}", "system_id": 1})
    with pytest.raises(UniverseRefused, match="the universe data is inconsistent") as refused:
        Universe().load(UniverseData.model_validate(raw))
    assert len(refused.value.details["problems"]) == 20
    duplicated = shipped()
    duplicated["regions"][2]["name"] = duplicated["regions"][1]["name"] = "Zeta"
    duplicated["regions"][0]["name"] = "Alpha"
    problems = UniverseData.model_validate(duplicated).problems()
    assert problems == ["regions: name 'Zeta' appears more than once"]
    universe = Universe()
    universe.load(UniverseData.model_validate({**shipped(), "version": 3}))
    with pytest.raises(OlderUniverse, match="version 1 is older than the loaded 3") as older:
        universe.load(UniverseData.model_validate(shipped()))
    assert older.value.details == {"loaded": 3}
    with pytest.raises(NotFound, match="no universe is loaded yet \\(lorekeeper echoes load-universe\\)"):
        Universe().static()
