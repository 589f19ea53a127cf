"""Fitting's rules (the ship applies them, ``ships.Ship.fit``): a module goes
into a slot of its own type, numbered within the ship type's count, free,
and the type's power grid and CPU hold across every fitted module."""

from __future__ import annotations

from typing import Any

from domain.echoes.universe import ModuleType, ShipType
from domain.kernel.errors import Conflict, InvalidCommand


class FittingRefused(InvalidCommand):
    code = "fitting_refused"


class SlotTaken(Conflict):
    code = "slot_taken"


class CargoFull(Conflict):
    code = "cargo_full"


class DockingRefused(InvalidCommand):
    code = "docking_refused"


def usage(fitted: dict[str, dict[str, Any]], modules: dict[int, ModuleType]) -> tuple[int, int]:
    """(power grid, CPU) the fitted modules use."""
    used = [modules[f["module_type_id"]] for f in fitted.values()]
    return sum(m.power_grid_usage for m in used), sum(m.cpu_usage for m in used)


def check_fit(
    fitted: dict[str, dict[str, Any]],
    module: ModuleType,
    ship_type: ShipType,
    slot_number: int,
    modules: dict[int, ModuleType],
) -> None:
    """Refuse a fitting that breaks a rule (see the module's doc)."""
    count = ship_type.slots(module.slot_type)
    if not 0 <= slot_number < count:
        raise FittingRefused(f"a {ship_type.name} has {count} {module.slot_type} slots (0 to {count - 1})", slots=count)
    if f"{module.slot_type}:{slot_number}" in fitted:
        raise SlotTaken(f"{module.slot_type} slot {slot_number} is taken", slot_type=module.slot_type)
    power, cpu = usage(fitted, modules)
    if power + module.power_grid_usage > ship_type.power_grid_output:
        raise FittingRefused(
            f"power grid: {power} used + {module.power_grid_usage} > {ship_type.power_grid_output}",
            power_grid_left=ship_type.power_grid_output - power,
        )
    if cpu + module.cpu_usage > ship_type.cpu_output:
        raise FittingRefused(
            f"CPU: {cpu} used + {module.cpu_usage} > {ship_type.cpu_output}", cpu_left=ship_type.cpu_output - cpu
        )
