"""Read models of the universe, the pilots and their items (seed 004), in the
``echoes`` schema, with the seed's table and column names.

The static tables (``regions``, ``systems``, ``stations``, ``ship_types``,
``module_types``) are written set-based, one statement per table, when a
universe version loads: rows upserted from the event's JSON
(``jsonb_to_recordset``), rows the new version no longer has removed.
``ship_types`` has four columns the seed's table lacks (``power_grid_output``,
``cpu_output``, ``capacitor_capacity``, ``rig_slots``: fitting needs them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.echoes.hangars import Hangar
from domain.echoes.pilots import Pilot
from domain.echoes.universe import Universe
from domain.echoes.wallets import Wallet
from domain.kernel.aggregate import ERASED
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
    fresh,
    updated,
)

SCHEMA = "echoes"


def static_table(name: str, columns: Sequence[tuple[str, str]]) -> Table:
    return Table(name, SCHEMA, owner=None, columns=(("id", "int NOT NULL"), *columns), key=("id",))


REGIONS = static_table("regions", (("name", "text NOT NULL"), ("security_status", "text NOT NULL")))
SYSTEMS = static_table(
    "systems",
    (
        ("region_id", "int NOT NULL"),
        ("name", "text NOT NULL"),
        ("security_rating", "double precision NOT NULL CHECK (security_rating BETWEEN 0 AND 1)"),
        ("position_x", "double precision NOT NULL"),
        ("position_y", "double precision NOT NULL"),
        ("position_z", "double precision NOT NULL"),
    ),
)
STATIONS = static_table(
    "stations",
    (
        ("system_id", "int NOT NULL"),
        ("name", "text NOT NULL"),
        ("station_type", "text NOT NULL"),
        ("services", "jsonb NOT NULL"),
    ),
)
SHIP_TYPES = static_table(
    "ship_types",
    (
        ("name", "text NOT NULL"),
        ("base_mass", "bigint NOT NULL"),
        ("base_thrust", "double precision NOT NULL"),
        ("base_rotation_speed", "double precision NOT NULL"),
        ("max_velocity", "double precision NOT NULL"),
        ("warp_speed", "double precision NOT NULL"),
        ("agility", "double precision NOT NULL"),
        ("high_slots", "int NOT NULL"),
        ("mid_slots", "int NOT NULL"),
        ("low_slots", "int NOT NULL"),
        ("cargo_capacity", "double precision NOT NULL"),
        ("power_grid_output", "int NOT NULL"),
        ("cpu_output", "int NOT NULL"),
        ("capacitor_capacity", "int NOT NULL"),
        ("rig_slots", "int NOT NULL"),
    ),
)
MODULE_TYPES = static_table(
    "module_types",
    (
        ("name", "text NOT NULL"),
        ("category", "text NOT NULL"),
        ("mass", "bigint NOT NULL"),
        ("volume", "double precision NOT NULL"),
        ("power_grid_usage", "int NOT NULL"),
        ("cpu_usage", "int NOT NULL"),
        ("capacitor_usage", "int NOT NULL"),
        ("effect_data", "jsonb NOT NULL"),
        ("slot_type", "text NOT NULL"),
    ),
)
STATIC = {
    "regions": REGIONS,
    "systems": SYSTEMS,
    "stations": STATIONS,
    "ship_types": SHIP_TYPES,
    "module_types": MODULE_TYPES,
}

CHARACTERS = Table(
    "characters",
    SCHEMA,
    owner=Owner("user_id"),
    columns=(
        ("id", "uuid NOT NULL"),
        ("user_id", "uuid NOT NULL"),
        ("name", "text NOT NULL"),
        ("race", "text NOT NULL"),
        ("bloodline", "text NOT NULL"),
        ("created_at", "timestamptz NOT NULL"),
        ("wallet_balance", "bigint NOT NULL DEFAULT 0 CHECK (wallet_balance >= 0)"),
        ("current_system_id", "int NOT NULL"),
        ("updated_at", "timestamptz NOT NULL"),
    ),
    key=("id",),
    indexes=("(user_id)", "(lower(name))"),
    unique=("name",),  # the seed's unique name (claimed case-insensitively in the domain)
)

INVENTORY_ITEMS = Table(
    "inventory_items",
    SCHEMA,
    owner=Owner("character_id", via="aggregate"),
    columns=(
        ("id", "uuid NOT NULL"),
        ("character_id", "uuid NOT NULL"),
        ("module_type_id", "int NOT NULL"),
        ("quantity", "bigint NOT NULL CHECK (quantity > 0)"),
        ("location_system_id", "int NOT NULL"),
        ("location_station_id", "int"),
    ),
    key=("id",),
    indexes=("(character_id)",),
)


def load_statements(name: str, table: Table) -> list[Statement]:
    """Upsert the version's rows of ``name`` and remove those it dropped."""
    columns = [c for c, _ in table.columns]
    record = ", ".join(f"{c} {table.column_type(c)}" for c in columns)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c != "id")

    def rows(event: Event) -> tuple[Any, ...]:
        return (event.data["data"][name],)

    return [
        Statement(
            table,
            f"INSERT INTO {{table}} ({', '.join(columns)}) SELECT {', '.join(columns)} "
            f"FROM jsonb_to_recordset(%s) AS r({record}) ON CONFLICT (id) DO UPDATE SET {updates}",
            rows,
        ),
        Statement(
            table,
            "DELETE FROM {table} WHERE id NOT IN (SELECT (r->>'id')::int FROM jsonb_array_elements(%s) AS r)",
            rows,
        ),
    ]


@fresh
def pilot_created(event: Event, _: Row | None) -> Row:
    data = event.data
    return {
        "id": event.originator_id,
        "user_id": UUID(data["owner"]),
        "name": data["name"],
        "race": data["race"],
        "bloodline": data["bloodline"],
        "created_at": event.timestamp,
        "wallet_balance": 0,
        "current_system_id": data["current_system_id"],
        "updated_at": event.timestamp,
    }


def jumped(event: Event, row: Row | None) -> Row | None:
    return updated(event, row, {"current_system_id": event.data["to_system_id"]}) if row else None


def pilot_erased(event: Event, row: Row | None) -> Row | None:
    """The name goes; the row keeps a unique one (the column is unique)."""
    return updated(event, row, {"name": f"{ERASED} {event.originator_id}"}) if row else None


def balance(event: Event, row: Row | None) -> Row | None:
    return updated(event, row, {"wallet_balance": event.data["balance"]}) if row else None


def item_id(event: Event) -> Key:
    data = event.data
    return (uuid5(NAMESPACE_URL, f"lorekeeper:/echoes/items/{event.originator_id}/{data['module_type_id']}"),)


def items_moved(event: Event, row: Row | None) -> Row | _Delete:
    data = event.data
    held = (row["quantity"] if row else 0) + data["quantity"]
    if held <= 0:
        return DELETE
    return {
        "id": item_id(event)[0],
        "character_id": UUID(data["character_id"]),
        "module_type_id": data["module_type_id"],
        "quantity": held,
        "location_system_id": data["system_id"],
        "location_station_id": data["station_id"],
    }


def by_character(event: Event) -> Key:
    return (UUID(event.data["character_id"]),)


UNIVERSE_PROJECTION = Projection(
    name="echoes_universe",
    schema_version=1,
    tables=tuple(STATIC.values()),
    statements={Universe.Loaded.TOPIC: [s for name, table in STATIC.items() for s in load_statements(name, table)]},
)

PILOTS_PROJECTION = Projection(
    name="echoes_pilots",
    schema_version=2,  # 2: characters.name unique
    tables=(CHARACTERS, INVENTORY_ITEMS),
    handlers={
        Pilot.Created.TOPIC: (Handler(CHARACTERS, pilot_created),),
        Pilot.Jumped.TOPIC: (Handler(CHARACTERS, jumped),),
        Pilot.Erased.TOPIC: (Handler(CHARACTERS, pilot_erased),),
        Wallet.Entered.TOPIC: (Handler(CHARACTERS, balance, by_character),),
        Hangar.Moved.TOPIC: (Handler(INVENTORY_ITEMS, items_moved, item_id),),
    },
)
