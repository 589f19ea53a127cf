"""The fleet's use cases: ships commissioned, fitted, loaded, moved between
station and space, repaired, and hit by what a game server reports. Each
command is one atomic write of the ship and every hangar it moves items
between: a module fitted leaves the hangar in the same write that puts it in
its slot, and a destroyed ship's drops land in its pilot's wreck in the same
write that destroys it."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from uuid import UUID

from domain.echoes.access import Actor, EchoesAccess
from domain.echoes.fitting import DockingRefused
from domain.echoes.hangars import Hangar, wreck_id
from domain.echoes.pilots import Pilot
from domain.echoes.ships import Ship
from domain.echoes.universe import SlotType
from domain.kernel.aggregate import Aggregate
from domain.kernel.errors import NotFound
from domain.kernel.store import Written


class Fleet(EchoesAccess):
    def commission(self, pilot_id: UUID, ship_type_id: int, station_id: int, name: str) -> Written:
        """A new ship for a pilot, docked at a station: what a trusted game
        server grants (a ship faucet, as rewards are for money and items)."""
        loaded = self._loaded()
        ship_type = loaded.ship_types.get(ship_type_id)
        if ship_type is None:
            raise NotFound(f"there is no ship type {ship_type_id}", ship_type_id=ship_type_id)
        system_id = self._system_of(station_id)
        owner = self.store.load(Pilot, pilot_id).owner_id

        def step() -> Written:
            ship = Ship.commission(owner, pilot_id, ship_type, name, system_id, station_id)
            holdings = self.store.holdings(owner)
            holdings.acquire(ship)
            return Written(ship, self.store.write(ship, holdings))

        return self.store.change(owner, step)

    def ship(self, player: UUID | None, ship_id: UUID) -> Ship:
        """The player's own ship (another player's is refused; None: any ship)."""
        return self.store.load(Ship, ship_id, actor_id=player)

    def fit(self, player: UUID, ship_id: UUID, module_type_id: int, slot_number: int) -> Written:
        """A module from the hangar at the ship's station into a slot."""
        loaded = self._loaded()
        module = loaded.module_types.get(module_type_id)
        if module is None:
            raise NotFound(f"there is no module type {module_type_id}", module_type_id=module_type_id)

        def decide(ship: Ship) -> list[Aggregate]:
            ship.fit(module, loaded.ship_types[ship.ship_type_id], slot_number, loaded.module_types)
            return [self._moved(player, ship, module_type_id, -1, "fitted")]

        return self._on_ship(player, ship_id, decide)

    def unfit(self, player: UUID, ship_id: UUID, slot_type: SlotType, slot_number: int) -> Written:
        """A fitted module back into the hangar at the ship's station."""

        def decide(ship: Ship) -> list[Aggregate]:
            module_type_id = ship.unfit(slot_type, slot_number)
            return [self._moved(player, ship, module_type_id, 1, "unfitted")]

        return self._on_ship(player, ship_id, decide)

    def load_cargo(self, player: UUID, ship_id: UUID, module_type_id: int, quantity: int) -> Written:
        """Modules from the hangar into the hold (``quantity`` > 0) or back (< 0)."""
        loaded = self._loaded()
        module = loaded.module_types.get(module_type_id)
        if module is None:
            raise NotFound(f"there is no module type {module_type_id}", module_type_id=module_type_id)

        def decide(ship: Ship) -> list[Aggregate]:
            ship.move_cargo(module, quantity, loaded.ship_types[ship.ship_type_id])
            return [self._moved(player, ship, module_type_id, -quantity, "cargo")] if quantity else []

        return self._on_ship(player, ship_id, decide)

    def undock(self, player: UUID, ship_id: UUID) -> Written:
        return self._on_ship(player, ship_id, lambda ship: ship.undock())

    def dock(self, player: UUID, ship_id: UUID, station_id: int) -> Written:
        system_id = self._system_of(station_id)
        return self._on_ship(player, ship_id, lambda ship: ship.dock(station_id, system_id))

    def repair(self, player: UUID, ship_id: UUID) -> Written:
        """Back to full health at a station that repairs (free, for now)."""

        def decide(ship: Ship) -> None:
            station = ship.location_station_id
            services = next((s.services for s in self._loaded().data.stations if s.id == station), None)
            if station is not None and services is not None and "repair" not in services:
                raise DockingRefused(f"station {station} does not repair ships", station_id=station)
            ship.repair()

        return self._on_ship(player, ship_id, decide)

    def report_damage(
        self, ship_id: UUID, damage: float, attacker_id: UUID | None, roll_seed: int | None = None
    ) -> Written:
        """A hit a trusted game server reports; a destroyed ship's drops go to
        its pilot's wreck in the system, in the same write."""

        def step() -> Written:
            ship = self.store.load(Ship, ship_id)
            seed = roll_seed if roll_seed is not None else secrets.randbits(63)
            dropped = ship.take_damage(damage, attacker_id, seed)
            wreck = None
            if dropped:
                wreck = self._wreck(ship)
                for drop in dropped:
                    wreck.move(drop["module_type_id"], drop["quantity"], "dropped", ship.id)
            return self.store.written(ship, *([wreck] if wreck else []))

        return self.store.change(ship_id, step)

    # -- helpers ---------------------------------------------------------------------

    def _on_ship(self, player: UUID, ship_id: UUID, decide: Callable[[Ship], list[Aggregate] | None]) -> Written:
        """Load the pilot's ship, decide, and save it with the hangars ``decide`` moved items in."""

        def step() -> Written:
            ship = self.ship(player, ship_id)
            return self.store.written(ship, *(decide(ship) or []))

        return self.store.change(ship_id, step)

    def _moved(self, player: UUID, ship: Ship, module_type_id: int, quantity: int, reason: str) -> Hangar:
        """The hangar of the ship's pilot at its station, with ``quantity`` moved in or out."""
        assert ship.location_station_id is not None  # the ship refused first if it was in space
        hangar = self._hangar(Actor(ship.character_id, player), ship.location_station_id)
        hangar.move(module_type_id, quantity, reason, ship.id)
        return hangar

    def _wreck(self, ship: Ship) -> Hangar:
        try:
            return self.store.load(Hangar, wreck_id(ship.character_id, ship.location_system_id))
        except NotFound:
            return Hangar(
                character_id=ship.character_id, station_id=None, system_id=ship.location_system_id, owner=ship.owner
            )
