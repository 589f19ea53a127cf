"""Ships (seed 004's ``ship_instances`` and ``ship_instance_modules``): an
instance of a ship type, owned by a pilot, at a system (and docked at a
station, or not), with health percentages 0..100, fitted modules and cargo.

Fitting puts one module from the hangar at the ship's station into a slot:
the slot's type is the module's, its number within the type's count, and the
ship type's power grid and CPU hold across every fitted module. The use case
takes the module from the hangar in the same write (and puts it back on
unfitting). Cargo holds modules by volume, up to the type's capacity. The
total mass is computed, never stored: base mass plus the fitted modules'.
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID, uuid4

from domain.echoes.universe import ModuleType, ShipType, SlotType
from domain.kernel.aggregate import Aggregate
from domain.kernel.errors import Conflict, InvalidCommand
from domain.kernel.text import clean_display_name

HEALTH = ("hull_health", "armor_health", "shield_health", "capacitor_charge")


class FittingRefused(InvalidCommand):
    code = "fitting_refused"


class SlotTaken(Conflict):
    code = "slot_taken"


class CargoFull(Conflict):
    code = "cargo_full"


class Ship(Aggregate):
    TOPIC = "lorekeeper.ship"
    snapshot_types: ClassVar[dict[str, object]] = {"owner": UUID, "character_id": UUID}

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.ship.Created"
        owner: UUID
        character_id: UUID
        ship_type_id: int
        name: str
        location_system_id: int
        location_station_id: int | None

    class ModuleFitted(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.ship.ModuleFitted"
        fitting_id: UUID  # the ship_instance_modules row
        module_type_id: int
        slot_type: SlotType
        slot_number: int

        def apply(self, ship: Ship) -> None:
            ship.fitted[f"{self.slot_type}:{self.slot_number}"] = {
                "fitting_id": str(self.fitting_id),
                "module_type_id": self.module_type_id,
            }

    class ModuleUnfitted(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.ship.ModuleUnfitted"
        fitting_id: UUID
        module_type_id: int
        slot_type: SlotType
        slot_number: int

        def apply(self, ship: Ship) -> None:
            del ship.fitted[f"{self.slot_type}:{self.slot_number}"]

    class CargoMoved(Aggregate.Event):
        """Modules into (positive) or out of (negative) the cargo hold."""

        TOPIC: ClassVar[str] = "lorekeeper.ship.CargoMoved"
        module_type_id: int
        quantity: int
        volume: float  # of one unit, so the hold's fill is known without the catalogue

        def apply(self, ship: Ship) -> None:
            key = str(self.module_type_id)
            held = ship.cargo.get(key, {"quantity": 0, "volume": self.volume})["quantity"] + self.quantity
            if held:
                ship.cargo[key] = {"quantity": held, "volume": self.volume}
            else:
                ship.cargo.pop(key, None)

    def __init__(
        self,
        owner: UUID,
        character_id: UUID,
        ship_type_id: int,
        name: str,
        location_system_id: int,
        location_station_id: int | None,
    ) -> None:
        self.owner = owner
        self.character_id = character_id
        self.ship_type_id = ship_type_id
        self.name = name
        self.location_system_id = location_system_id
        self.location_station_id = location_station_id
        self.hull_health = self.armor_health = self.shield_health = self.capacitor_charge = 100.0
        self.fitted: dict[str, dict[str, Any]] = {}  # "high:0" -> {fitting_id, module_type_id}
        self.cargo: dict[str, dict[str, Any]] = {}  # module type id -> {quantity, volume}

    @property
    def owner_id(self) -> UUID:
        return self.owner

    @classmethod
    def commission(
        cls, owner: UUID, character_id: UUID, ship_type: ShipType, name: str, system_id: int, station_id: int
    ) -> Ship:
        return cls(
            owner=owner,
            character_id=character_id,
            ship_type_id=ship_type.id,
            name=clean_display_name(name, 100),
            location_system_id=system_id,
            location_station_id=station_id,
        )

    # -- fitting -------------------------------------------------------------------

    def usage(self, modules: dict[int, ModuleType]) -> tuple[int, int]:
        """(power grid, CPU) the fitted modules use."""
        fitted = [modules[f["module_type_id"]] for f in self.fitted.values()]
        return sum(m.power_grid_usage for m in fitted), sum(m.cpu_usage for m in fitted)

    def total_mass(self, ship_type: ShipType, modules: dict[int, ModuleType]) -> int:
        """The seed's calculated field: base mass plus every fitted module's."""
        return ship_type.base_mass + sum(modules[f["module_type_id"]].mass for f in self.fitted.values())

    def fit(self, module: ModuleType, ship_type: ShipType, slot_number: int, modules: dict[int, ModuleType]) -> UUID:
        if self.location_station_id is None:
            raise FittingRefused("a ship is fitted docked at a station")
        count = ship_type.slots(module.slot_type)
        if not 0 <= slot_number < count:
            raise FittingRefused(
                f"a {ship_type.name} has {count} {module.slot_type} slots (0 to {count - 1})", slots=count
            )
        if f"{module.slot_type}:{slot_number}" in self.fitted:
            raise SlotTaken(f"{module.slot_type} slot {slot_number} is taken", slot_type=module.slot_type)
        power, cpu = self.usage(modules)
        if power + module.power_grid_usage > ship_type.power_grid_output:
            raise FittingRefused(
                f"power grid: {power} used + {module.power_grid_usage} > {ship_type.power_grid_output}",
                power_grid_left=ship_type.power_grid_output - power,
            )
        if cpu + module.cpu_usage > ship_type.cpu_output:
            raise FittingRefused(
                f"CPU: {cpu} used + {module.cpu_usage} > {ship_type.cpu_output}", cpu_left=ship_type.cpu_output - cpu
            )
        fitting_id = uuid4()
        self.trigger_event(
            self.ModuleFitted,
            fitting_id=fitting_id,
            module_type_id=module.id,
            slot_type=module.slot_type,
            slot_number=slot_number,
        )
        return fitting_id

    def unfit(self, slot_type: SlotType, slot_number: int) -> int:
        """Take the module out of a slot (docked); its module type id."""
        if self.location_station_id is None:
            raise FittingRefused("a ship is unfitted docked at a station")
        fitted = self.fitted.get(f"{slot_type}:{slot_number}")
        if fitted is None:
            raise FittingRefused(f"{slot_type} slot {slot_number} is empty")
        self.trigger_event(
            self.ModuleUnfitted,
            fitting_id=UUID(fitted["fitting_id"]),
            module_type_id=fitted["module_type_id"],
            slot_type=slot_type,
            slot_number=slot_number,
        )
        return int(fitted["module_type_id"])

    # -- cargo ------------------------------------------------------------------------

    def cargo_used(self) -> float:
        return float(sum(c["quantity"] * c["volume"] for c in self.cargo.values()))

    def move_cargo(self, module: ModuleType, quantity: int, ship_type: ShipType) -> None:
        """Load (positive) or unload (negative) modules, docked; the hold's volume holds."""
        if quantity == 0:
            return
        if self.location_station_id is None:
            raise FittingRefused("cargo moves to and from a hangar, docked at a station")
        held = self.cargo.get(str(module.id), {"quantity": 0})["quantity"]
        if held + quantity < 0:
            raise FittingRefused(f"the hold carries {held} of module type {module.id}, not {-quantity}")
        if quantity > 0 and self.cargo_used() + quantity * module.volume > ship_type.cargo_capacity:
            raise CargoFull(
                f"the hold has {ship_type.cargo_capacity - self.cargo_used():g} m3 free, "
                f"{quantity * module.volume:g} m3 needed",
                free=ship_type.cargo_capacity - self.cargo_used(),
            )
        self.trigger_event(self.CargoMoved, module_type_id=module.id, quantity=quantity, volume=module.volume)
