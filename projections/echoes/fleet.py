"""Read models of ships and combat (seed 004), in the ``echoes`` schema:

- ``ship_instances``: the seed's columns (health percentages with CHECKs
  0..100); a destroyed ship leaves the table (its record is its combat log).
- ``ship_instance_modules``: one row per fitted module (``id`` the fitting's);
  ``is_active`` is true for every fitted module (modules are not switched
  off yet).
- ``ship_cargo`` (not in the seed: the seed has no place for a hold's
  contents): quantity per ship and module type.
- ``combat_logs`` (the seed's "future" table, its killmails): one row per
  destroyed ship, with the attacker, the victim, the ship, what was fitted
  and carried, what dropped, and when.

The total mass is not stored, as the seed says: ``docs/echoes.md`` has the
query (base mass plus the fitted modules').
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from domain.echoes.ships import Ship
from projections.model import (
    DELETE,
    Event,
    Handler,
    Key,
    Owner,
    Projection,
    Row,
    Statement,
    Table,
    _Delete,
    copy_fields,
    fresh,
    set_columns,
)

SCHEMA = "echoes"


def health(column: str) -> tuple[str, str]:
    return (column, f"double precision NOT NULL CHECK ({column} BETWEEN 0 AND 100)")


SHIP_INSTANCES = Table(
    "ship_instances",
    SCHEMA,
    owner=Owner("character_id", via="aggregate"),
    columns=(
        ("id", "uuid NOT NULL"),
        ("character_id", "uuid NOT NULL"),
        ("ship_type_id", "int NOT NULL"),
        ("name", "text NOT NULL"),
        ("location_system_id", "int NOT NULL"),
        ("location_station_id", "int"),
        health("hull_health"),
        health("armor_health"),
        health("shield_health"),
        health("capacitor_charge"),
        ("created_at", "timestamptz NOT NULL"),
        ("updated_at", "timestamptz NOT NULL"),
    ),
    key=("id",),
    indexes=("(character_id)", "(location_system_id, location_station_id)"),
)

SHIP_INSTANCE_MODULES = Table(
    "ship_instance_modules",
    SCHEMA,
    owner=Owner("ship_instance_id", via="aggregate"),
    columns=(
        ("id", "uuid NOT NULL"),
        ("ship_instance_id", "uuid NOT NULL"),
        ("module_type_id", "int NOT NULL"),
        ("slot_type", "text NOT NULL CHECK (slot_type IN ('high', 'mid', 'low', 'rig'))"),
        ("slot_number", "int NOT NULL CHECK (slot_number >= 0)"),
        ("is_active", "boolean NOT NULL"),
        ("created_at", "timestamptz NOT NULL"),
    ),
    key=("id",),
    indexes=("(ship_instance_id)",),
)

SHIP_CARGO = Table(
    "ship_cargo",
    SCHEMA,
    owner=Owner("ship_instance_id", via="aggregate"),
    columns=(
        ("ship_instance_id", "uuid NOT NULL"),
        ("module_type_id", "int NOT NULL"),
        ("quantity", "bigint NOT NULL CHECK (quantity > 0)"),
    ),
    key=("ship_instance_id", "module_type_id"),
)

COMBAT_LOGS = Table(
    "combat_logs",
    SCHEMA,
    owner=None,  # a killmail: public, as in the game
    columns=(
        ("id", "uuid NOT NULL"),
        ("ship_instance_id", "uuid NOT NULL"),
        ("ship_type_id", "int NOT NULL"),
        ("victim_id", "uuid NOT NULL"),
        ("attacker_id", "uuid"),
        ("system_id", "int NOT NULL"),
        ("fitted_modules", "jsonb NOT NULL"),
        ("cargo", "jsonb NOT NULL"),
        ("dropped", "jsonb NOT NULL"),
        ("created_at", "timestamptz NOT NULL"),
    ),
    key=("id",),
    indexes=("(victim_id, created_at)", "(attacker_id, created_at)", "(system_id, created_at)"),
)


@fresh
def ship_created(event: Event, _: Row | None) -> Row:
    data = event.data
    return {
        "id": event.originator_id,
        "character_id": UUID(data["character_id"]),
        "ship_type_id": data["ship_type_id"],
        "name": data["name"],
        "location_system_id": data["location_system_id"],
        "location_station_id": data["location_station_id"],
        **{column: 100.0 for column in ("hull_health", "armor_health", "shield_health", "capacitor_charge")},
        "created_at": event.timestamp,
        "updated_at": event.timestamp,
    }


@fresh
def fitted(event: Event, _: Row | None) -> Row:
    data = event.data
    return {
        "id": UUID(data["fitting_id"]),
        "ship_instance_id": event.originator_id,
        "module_type_id": data["module_type_id"],
        "slot_type": data["slot_type"],
        "slot_number": data["slot_number"],
        "is_active": True,
        "created_at": event.timestamp,
    }


def unfitted(_: Event, row: Row | None) -> _Delete | None:
    return DELETE if row is not None else None


def by_fitting(event: Event) -> Key:
    return (UUID(event.data["fitting_id"]),)


def cargo_key(event: Event) -> Key:
    return (event.originator_id, event.data["module_type_id"])


def cargo_moved(event: Event, row: Row | None) -> Row | _Delete:
    held = (row["quantity"] if row else 0) + event.data["quantity"]
    if held <= 0:
        return DELETE
    return {"ship_instance_id": event.originator_id, "module_type_id": event.data["module_type_id"], "quantity": held}


def combat_log_id(event: Event) -> Key:
    return (uuid5(NAMESPACE_URL, f"lorekeeper:/echoes/combat-logs/{event.originator_id}"),)


@fresh
def destroyed(event: Event, _: Row | None) -> Row:
    data = event.data
    return {
        "id": combat_log_id(event)[0],
        "ship_instance_id": event.originator_id,
        "ship_type_id": data["ship_type_id"],
        "victim_id": UUID(data["character_id"]),
        "attacker_id": UUID(data["attacker_id"]) if data["attacker_id"] else None,
        "system_id": data["system_id"],
        "fitted_modules": data["fitted"],
        "cargo": data["cargo"],
        "dropped": data["dropped"],
        "created_at": event.timestamp,
    }


def gone(_: Event, row: Row | None) -> _Delete | None:
    return DELETE if row is not None else None


def of_ship(table: Table) -> Statement:
    """Every row of the destroyed ship in ``table``."""
    return Statement(table, "DELETE FROM {table} WHERE ship_instance_id = %s", lambda event: (event.originator_id,))


PROJECTION = Projection(
    name="echoes_fleet",
    schema_version=1,
    tables=(SHIP_INSTANCES, SHIP_INSTANCE_MODULES, SHIP_CARGO, COMBAT_LOGS),
    handlers={
        Ship.Created.TOPIC: (Handler(SHIP_INSTANCES, ship_created),),
        Ship.Undocked.TOPIC: (Handler(SHIP_INSTANCES, set_columns(location_station_id=None)),),
        Ship.Docked.TOPIC: (Handler(SHIP_INSTANCES, copy_fields(location_station_id="station_id")),),
        Ship.Damaged.TOPIC: (
            Handler(
                SHIP_INSTANCES,
                copy_fields(hull_health="hull_health", armor_health="armor_health", shield_health="shield_health"),
            ),
        ),
        Ship.Repaired.TOPIC: (
            Handler(
                SHIP_INSTANCES,
                set_columns(hull_health=100.0, armor_health=100.0, shield_health=100.0, capacitor_charge=100.0),
            ),
        ),
        Ship.ModuleFitted.TOPIC: (Handler(SHIP_INSTANCE_MODULES, fitted, by_fitting),),
        Ship.ModuleUnfitted.TOPIC: (Handler(SHIP_INSTANCE_MODULES, unfitted, by_fitting),),
        Ship.CargoMoved.TOPIC: (Handler(SHIP_CARGO, cargo_moved, cargo_key),),
        Ship.Destroyed.TOPIC: (Handler(SHIP_INSTANCES, gone), Handler(COMBAT_LOGS, destroyed, combat_log_id)),
    },
    statements={Ship.Destroyed.TOPIC: (of_ship(SHIP_INSTANCE_MODULES), of_ship(SHIP_CARGO))},
)
