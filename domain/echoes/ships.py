"""Ships (seed 004's ``ship_instances`` and ``ship_instance_modules``): an
instance of a ship type, owned by a pilot, at a system (docked at a station,
or in space), with health percentages 0..100, fitted modules and cargo.

Fitting (rules in ``fitting``) puts a module from the hangar at the ship's
station into a slot; the use case moves it out of the hangar in the same
write. Cargo holds modules by volume. The total mass is computed, never
stored. Combat (``combat``) is reported by a game server; a ship in space
takes it; a destroyed ship records what it had and dropped, and is done.
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID, uuid4

from domain.echoes.combat import LAYERS, CombatRefused, absorb, wreckage
from domain.echoes.fitting import CargoFull, DockingRefused, FittingRefused, check_fit, usage
from domain.echoes.universe import ModuleType, ShipType, SlotType
from domain.kernel.aggregate import Aggregate
from domain.kernel.errors import Gone
from domain.kernel.text import clean_display_name

HEALTH = ("hull_health", "armor_health", "shield_health", "capacitor_charge")


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

    class Undocked(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.ship.Undocked"

        def apply(self, ship: Ship) -> None:
            ship.location_station_id = None

    class Docked(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.ship.Docked"
        station_id: int

        def apply(self, ship: Ship) -> None:
            ship.location_station_id = self.station_id

    class Damaged(Aggregate.Event):
        """Health after a reported hit (``attacker_id`` None for the environment or an NPC)."""

        TOPIC: ClassVar[str] = "lorekeeper.ship.Damaged"
        attacker_id: UUID | None
        damage: float
        shield_health: float
        armor_health: float
        hull_health: float

        def apply(self, ship: Ship) -> None:
            ship.shield_health, ship.armor_health, ship.hull_health = (
                self.shield_health,
                self.armor_health,
                self.hull_health,
            )

    class Destroyed(Aggregate.Event):
        """The hull reached 0: what the ship had, and what of it dropped in its system."""

        TOPIC: ClassVar[str] = "lorekeeper.ship.Destroyed"
        attacker_id: UUID | None
        character_id: UUID
        ship_type_id: int
        system_id: int
        fitted: list[dict[str, Any]]  # [{module_type_id, slot_type, slot_number}]
        cargo: list[dict[str, int]]  # [{module_type_id, quantity}]
        dropped: list[dict[str, int]]  # [{module_type_id, quantity}]
        roll_seed: int

        def apply(self, ship: Ship) -> None:
            ship.destroyed = True
            ship.fitted = {}
            ship.cargo = {}

    class Repaired(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.ship.Repaired"

        def apply(self, ship: Ship) -> None:
            ship.hull_health = ship.armor_health = ship.shield_health = ship.capacitor_charge = 100.0

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
        self.destroyed = False

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

    def _afloat(self) -> None:
        if self.destroyed:
            raise Gone(f"ship {self.id} was destroyed")

    # -- fitting -------------------------------------------------------------------

    def usage(self, modules: dict[int, ModuleType]) -> tuple[int, int]:
        """(power grid, CPU) the fitted modules use."""
        return usage(self.fitted, modules)

    def total_mass(self, ship_type: ShipType, modules: dict[int, ModuleType]) -> int:
        """The seed's calculated field: base mass plus every fitted module's."""
        return ship_type.base_mass + sum(modules[f["module_type_id"]].mass for f in self.fitted.values())

    def fit(self, module: ModuleType, ship_type: ShipType, slot_number: int, modules: dict[int, ModuleType]) -> UUID:
        self._afloat()
        if self.location_station_id is None:
            raise FittingRefused("a ship is fitted docked at a station")
        check_fit(self.fitted, module, ship_type, slot_number, modules)
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
        self._afloat()
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
        self._afloat()
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

    # -- space ------------------------------------------------------------------------

    def undock(self) -> None:
        self._afloat()
        if self.location_station_id is None:
            raise DockingRefused("the ship is in space already")
        self.trigger_event(self.Undocked)

    def dock(self, station_id: int, station_system_id: int) -> None:
        self._afloat()
        if self.location_station_id is not None:
            raise DockingRefused("the ship is docked already")
        if station_system_id != self.location_system_id:
            raise DockingRefused(
                f"station {station_id} is in system {station_system_id}, the ship in {self.location_system_id}"
            )
        self.trigger_event(self.Docked, station_id=station_id)

    def repair(self) -> None:
        """Back to full health, docked; nothing if it is whole."""
        self._afloat()
        if self.location_station_id is None:
            raise DockingRefused("a ship is repaired docked at a station")
        if all(getattr(self, health) == 100.0 for health in HEALTH):
            return
        self.trigger_event(self.Repaired)

    def take_damage(self, damage: float, attacker_id: UUID | None, roll_seed: int) -> list[dict[str, int]]:
        """Apply a reported hit; what dropped if it destroyed the ship."""
        self._afloat()
        if self.location_station_id is not None:
            raise CombatRefused("a docked ship takes no damage")
        health = absorb({layer: getattr(self, layer) for layer in LAYERS}, damage)
        if all(health[layer] == getattr(self, layer) for layer in LAYERS):  # a scratch under 0.01: no record
            return []
        self.trigger_event(self.Damaged, attacker_id=attacker_id, damage=damage, **health)
        if health["hull_health"] > 0:
            return []
        fitted = [
            {
                **f,  # fitting_id, module_type_id
                "slot_type": slot.split(":")[0],
                "slot_number": int(slot.split(":")[1]),
            }
            for slot, f in sorted(self.fitted.items())
        ]
        cargo = [
            {"module_type_id": int(key), "quantity": self.cargo[key]["quantity"]} for key in sorted(self.cargo, key=int)
        ]
        dropped = wreckage(fitted, cargo, roll_seed)
        self.trigger_event(
            self.Destroyed,
            attacker_id=attacker_id,
            character_id=self.character_id,
            ship_type_id=self.ship_type_id,
            system_id=self.location_system_id,
            fitted=fitted,
            cargo=cargo,
            dropped=dropped,
            roll_seed=roll_seed,
        )
        return dropped
