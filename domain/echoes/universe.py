"""The static universe (seed 004's regions, systems, stations, ship types and
module types): game data with INT ids, shipped as a versioned data file and
loaded by an admin into one ``Universe`` aggregate, whose ``Loaded`` event the
read side projects into the seed's tables.

Loading checks the data whole: unique ids and names, every reference
resolving (a system's region, a station's system), numbers in range (a
security rating 0.0 to 1.0, positive slots and budgets). A version loads once;
an older one never replaces a newer one.

Movement (``route``): a pilot jumps from a system to any system within the
universe's ``jump_range_ly`` (the seed's positions are in light years).
"""

from __future__ import annotations

import math
from typing import Any, ClassVar, Literal
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import BaseModel, ConfigDict, Field

from domain.kernel.aggregate import Aggregate
from domain.kernel.errors import Conflict, InvalidCommand, NotFound

UNIVERSE_ID = uuid5(NAMESPACE_URL, "lorekeeper:/echoes/universe")
SlotType = Literal["high", "mid", "low", "rig"]


class Static(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)  # game data: exact types


class Region(Static):
    id: int = Field(ge=1)
    name: str = Field(min_length=1, max_length=100)
    security_status: Literal["High", "Low", "Null"]


class System(Static):
    id: int = Field(ge=1)
    region_id: int
    name: str = Field(min_length=1, max_length=100)
    security_rating: float = Field(ge=0.0, le=1.0)
    position_x: float
    position_y: float
    position_z: float


class Station(Static):
    id: int = Field(ge=1)
    system_id: int
    name: str = Field(min_length=1, max_length=200)
    station_type: str = Field(min_length=1, max_length=100)
    services: list[Literal["market", "repair", "fitting", "cloning", "refining", "insurance"]]


class ShipType(Static):
    id: int = Field(ge=1)
    name: str = Field(min_length=1, max_length=100)
    base_mass: int = Field(ge=1)
    base_thrust: float = Field(ge=0)
    base_rotation_speed: float = Field(ge=0)
    max_velocity: float = Field(ge=0)
    warp_speed: float = Field(ge=0)
    agility: float = Field(ge=0)
    high_slots: int = Field(ge=0, le=8)
    mid_slots: int = Field(ge=0, le=8)
    low_slots: int = Field(ge=0, le=8)
    rig_slots: int = Field(ge=0, le=3)
    cargo_capacity: float = Field(ge=0)
    power_grid_output: int = Field(ge=0)
    cpu_output: int = Field(ge=0)
    capacitor_capacity: int = Field(ge=0)

    def slots(self, slot_type: SlotType) -> int:
        return {"high": self.high_slots, "mid": self.mid_slots, "low": self.low_slots, "rig": self.rig_slots}[slot_type]


class ModuleType(Static):
    id: int = Field(ge=1)
    name: str = Field(min_length=1, max_length=100)
    category: str = Field(min_length=1, max_length=50)
    slot_type: SlotType
    mass: int = Field(ge=0)
    volume: float = Field(ge=0)
    power_grid_usage: int = Field(ge=0)
    cpu_usage: int = Field(ge=0)
    capacitor_usage: int = Field(ge=0)
    effect_data: dict[str, Any] = Field(default_factory=dict)


class UniverseData(Static):
    version: int = Field(ge=1)
    name: str = Field(min_length=1, max_length=200)
    jump_range_ly: float = Field(gt=0)
    regions: list[Region] = Field(min_length=1, max_length=100)
    systems: list[System] = Field(min_length=1, max_length=5_000)
    stations: list[Station] = Field(max_length=5_000)
    ship_types: list[ShipType] = Field(max_length=500)
    module_types: list[ModuleType] = Field(max_length=5_000)

    def problems(self) -> list[str]:
        """What makes the data inconsistent (empty: nothing)."""
        found: list[str] = []
        for kind in ("regions", "systems", "stations", "ship_types", "module_types"):
            rows = getattr(self, kind)
            for attribute in ("id", "name"):
                values = [getattr(r, attribute) for r in rows]
                duplicated = sorted({v for v in values if values.count(v) > 1}, key=str)
                if duplicated:
                    found.append(f"{kind}: {attribute} {duplicated[0]!r} appears more than once")
        regions = {r.id for r in self.regions}
        systems = {s.id for s in self.systems}
        found += [
            f"system {s.id} names no known region {s.region_id}" for s in self.systems if s.region_id not in regions
        ]
        found += [
            f"station {s.id} names no known system {s.system_id}" for s in self.stations if s.system_id not in systems
        ]
        return found


class UniverseRefused(InvalidCommand):
    code = "invalid_universe"


class OlderUniverse(Conflict):
    code = "universe_version_older"


class Universe(Aggregate):
    """The one universe of a deployment (its id is fixed)."""

    TOPIC = "lorekeeper.universe"
    SHARED: ClassVar[frozenset[str]] = frozenset({"data"})  # replaced whole by each load

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.universe.Created"

    class Loaded(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.universe.Loaded"
        data: UniverseData

        def apply(self, universe: Universe) -> None:
            universe.data = self.data.model_dump(mode="json")

    def __init__(self) -> None:
        self.data: dict[str, Any] | None = None

    @staticmethod
    def create_id(*_: Any, **__: Any) -> UUID:
        return UNIVERSE_ID

    def load(self, data: UniverseData) -> None:
        """Load a version of the static data; the same version again changes nothing."""
        problems = data.problems()
        if problems:
            raise UniverseRefused("the universe data is inconsistent", problems=problems[:20])
        if self.data is not None:
            if data.version < self.data["version"]:
                raise OlderUniverse(
                    f"version {data.version} is older than the loaded {self.data['version']}",
                    loaded=self.data["version"],
                )
            if data.model_dump(mode="json") == self.data:
                return
        self.trigger_event(self.Loaded, data=data)

    def static(self) -> UniverseData:
        if self.data is None:
            raise NotFound("no universe is loaded yet (lorekeeper echoes load-universe)")
        return UniverseData.model_validate(self.data)


def distance_ly(a: System, b: System) -> float:
    return math.dist((a.position_x, a.position_y, a.position_z), (b.position_x, b.position_y, b.position_z))


def reachable(data: UniverseData, origin: int, destination: int) -> bool:
    """One jump: both systems exist and lie within the jump range."""
    systems = {s.id: s for s in data.systems}
    if origin not in systems or destination not in systems:
        return False
    return origin != destination and distance_ly(systems[origin], systems[destination]) <= data.jump_range_ly
