"""Ships: commissioned and damaged by a trusted game server (role ``server``);
fitted, loaded, undocked, docked and repaired by their players. Each command
answers the ship as it now stands, with its fitting budgets and computed
total mass (docs/echoes.md)."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field
from starlette.responses import Response

from api import routing
from api.deps import CommandDep, CurrentPrincipal, game_server, wired
from api.openapi import problems
from api.responses import stored, to_response
from api.schemas import Request
from domain.echoes import EchoesUseCases, Ship
from domain.echoes.combat import DAMAGE_MAX
from domain.kernel.store import Written
from infra.idempotency import Stored

router = routing.router(prefix="/v1/echoes", tags=["echoes"])
Echoes = Annotated[EchoesUseCases, wired(EchoesUseCases)]
StaticId = Field(ge=1, le=2**31 - 1)


class CommissionIn(Request):
    ship_type_id: int = StaticId
    station_id: int = StaticId
    name: str = Field(min_length=1, max_length=100)


class FitIn(Request):
    module_type_id: int = StaticId
    slot_number: int = Field(ge=0, le=31)


class UnfitIn(Request):
    slot_type: Literal["high", "mid", "low", "rig"]
    slot_number: int = Field(ge=0, le=31)


class CargoIn(Request):
    module_type_id: int = StaticId
    quantity: int = Field(ge=-1_000_000, le=1_000_000, description="Into the hold (> 0) or back to the hangar (< 0).")


class DockIn(Request):
    station_id: int = StaticId


class DamageIn(Request):
    damage: float = Field(gt=0, le=DAMAGE_MAX, description="Percentage points: shield, then armor, then hull.")
    attacker_id: UUID | None = Field(None, strict=False, description="The attacking pilot; none for an NPC.")


class Fitting(BaseModel):
    slot_type: str
    slot_number: int
    module_type_id: int
    fitting_id: UUID


class CargoStack(BaseModel):
    module_type_id: int
    quantity: int


class ShipOut(BaseModel):
    id: UUID
    character_id: UUID
    ship_type_id: int
    name: str
    location_system_id: int
    location_station_id: int | None
    hull_health: float
    armor_health: float
    shield_health: float
    capacitor_charge: float
    destroyed: bool
    fitted: list[Fitting]
    cargo: list[CargoStack]
    power_grid_used: int
    cpu_used: int
    cargo_used: float = Field(description="m3")
    total_mass: int = Field(description="Base mass plus the fitted modules' (kg), computed.")
    version: int
    position: int | None = None


def ship_out(echoes: EchoesUseCases, written: Written, status: int = 200) -> Stored:
    """The ship as it now stands, with its budgets and mass computed from the universe."""
    ship: Ship = written.aggregate
    universe = echoes.universe()
    modules = {m.id: m for m in universe.module_types}
    ship_type = next(t for t in universe.ship_types if t.id == ship.ship_type_id)
    power, cpu = ship.usage(modules)
    out = ShipOut(
        id=ship.id,
        character_id=ship.character_id,
        ship_type_id=ship.ship_type_id,
        name=ship.name,
        location_system_id=ship.location_system_id,
        location_station_id=ship.location_station_id,
        hull_health=ship.hull_health,
        armor_health=ship.armor_health,
        shield_health=ship.shield_health,
        capacitor_charge=ship.capacitor_charge,
        destroyed=ship.destroyed,
        fitted=[
            Fitting(slot_type=k.split(":")[0], slot_number=int(k.split(":")[1]), **f)
            for k, f in sorted(ship.fitted.items())
        ],
        cargo=[CargoStack(module_type_id=int(k), quantity=c["quantity"]) for k, c in sorted(ship.cargo.items())],
        power_grid_used=power,
        cpu_used=cpu,
        cargo_used=ship.cargo_used(),
        total_mass=ship.total_mass(ship_type, modules),
        version=ship.version,
        position=written.position,
    )
    location = f"/v1/echoes/ships/{ship.id}" if status == 201 else None
    return stored(status, out, version=ship.version, location=location)


@router.post("/pilots/{pilot_id}/ships", status_code=201, response_model=ShipOut, responses=problems(403, 404))
def commission(pilot_id: UUID, body: CommissionIn, cmd: CommandDep, echoes: Echoes) -> Response:
    """A new ship for a pilot, docked at a station (a game server grants it)."""
    game_server(cmd, "a new ship")

    def command() -> Stored:
        written = echoes.fleet.commission(pilot_id, body.ship_type_id, body.station_id, body.name)
        return ship_out(echoes, written, 201)

    return cmd.run({"pilot": str(pilot_id), **body.model_dump()}, command)


@router.get("/ships/{ship_id}", response_model=ShipOut, responses=problems(403, 404))
def get_ship(ship_id: UUID, principal: CurrentPrincipal, echoes: Echoes) -> Response:
    """A ship as it stands (from the ship itself): fitting, hold, budgets, mass."""
    ship = echoes.fleet.ship(None if principal.is_admin else principal.subject, ship_id)
    return to_response(ship_out(echoes, Written(ship, None)))


@router.post("/ships/{ship_id}/fit", response_model=ShipOut, responses=problems(403, 404, 409, 410))
def fit(ship_id: UUID, body: FitIn, cmd: CommandDep, echoes: Echoes) -> Response:
    """A module from the hangar at the ship's station into a slot, in one write."""
    return cmd.run(
        {"ship": str(ship_id), "fit": body.model_dump()},
        lambda: ship_out(
            echoes, echoes.fleet.fit(cmd.principal.subject, ship_id, body.module_type_id, body.slot_number)
        ),
    )


@router.post("/ships/{ship_id}/unfit", response_model=ShipOut, responses=problems(403, 404, 410))
def unfit(ship_id: UUID, body: UnfitIn, cmd: CommandDep, echoes: Echoes) -> Response:
    """A fitted module back into the hangar at the ship's station."""
    return cmd.run(
        {"ship": str(ship_id), "unfit": body.model_dump()},
        lambda: ship_out(echoes, echoes.fleet.unfit(cmd.principal.subject, ship_id, body.slot_type, body.slot_number)),
    )


@router.post("/ships/{ship_id}/cargo", response_model=ShipOut, responses=problems(403, 404, 409, 410))
def cargo(ship_id: UUID, body: CargoIn, cmd: CommandDep, echoes: Echoes) -> Response:
    """Modules between the hangar at the ship's station and its hold."""
    return cmd.run(
        {"ship": str(ship_id), "cargo": body.model_dump()},
        lambda: ship_out(
            echoes, echoes.fleet.load_cargo(cmd.principal.subject, ship_id, body.module_type_id, body.quantity)
        ),
    )


@router.post("/ships/{ship_id}/undock", response_model=ShipOut, responses=problems(403, 404, 410))
def undock(ship_id: UUID, cmd: CommandDep, echoes: Echoes) -> Response:
    """Into space, in the station's system."""
    return cmd.run(
        {"ship": str(ship_id), "undock": True},
        lambda: ship_out(echoes, echoes.fleet.undock(cmd.principal.subject, ship_id)),
    )


@router.post("/ships/{ship_id}/dock", response_model=ShipOut, responses=problems(403, 404, 410))
def dock(ship_id: UUID, body: DockIn, cmd: CommandDep, echoes: Echoes) -> Response:
    """At a station in the ship's system."""
    return cmd.run(
        {"ship": str(ship_id), "dock": body.model_dump()},
        lambda: ship_out(echoes, echoes.fleet.dock(cmd.principal.subject, ship_id, body.station_id)),
    )


@router.post("/ships/{ship_id}/repair", response_model=ShipOut, responses=problems(403, 404, 410))
def repair(ship_id: UUID, cmd: CommandDep, echoes: Echoes) -> Response:
    """Back to full health, docked at a station that repairs."""
    return cmd.run(
        {"ship": str(ship_id), "repair": True},
        lambda: ship_out(echoes, echoes.fleet.repair(cmd.principal.subject, ship_id)),
    )


@router.post("/ships/{ship_id}/damage", response_model=ShipOut, responses=problems(403, 404, 410))
def damage(ship_id: UUID, body: DamageIn, cmd: CommandDep, echoes: Echoes) -> Response:
    """A hit (a game server reports it); a hull at 0 destroys the ship, and
    part of what it had drops in its pilot's wreck in the system."""
    game_server(cmd, "damage")
    return cmd.run(
        {"ship": str(ship_id), **body.model_dump(mode="json")},
        lambda: ship_out(echoes, echoes.fleet.report_damage(ship_id, body.damage, body.attacker_id)),
    )
