"""What every Echoes use case reads: the loaded static universe (validated
and indexed once per loaded version), and pilots' wallets and hangars, new
or stored. The market's use cases (``use_cases``) and the fleet's
(``fleet``) share it."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain.echoes.hangars import Hangar, hangar_id
from domain.echoes.pilots import Pilot
from domain.echoes.universe import UNIVERSE_ID, ModuleType, ShipType, Universe, UniverseData
from domain.echoes.wallets import Wallet, wallet_id
from domain.kernel.errors import NotFound
from domain.kernel.store import Lorekeeper


@dataclass(frozen=True)
class Actor:
    """Who acts: a pilot (character) and the player who owns it."""

    character_id: UUID
    owner: UUID


@dataclass(frozen=True)
class _Loaded:
    version: int  # the Universe aggregate's
    data: UniverseData
    station_systems: dict[int, int]  # station id -> its system id
    ship_types: dict[int, ShipType]
    module_types: dict[int, ModuleType]


class EchoesAccess:
    def __init__(self, store: Lorekeeper) -> None:
        self.store = store
        self._static: _Loaded | None = None

    def universe(self) -> UniverseData:
        return self._loaded().data

    def _loaded(self) -> _Loaded:
        """The loaded static data, validated and indexed once per loaded version
        (every order and every new hangar reads it)."""
        try:
            universe = self.store.load(Universe, UNIVERSE_ID)
        except NotFound:
            raise NotFound("no universe is loaded yet (lorekeeper echoes load-universe)") from None
        loaded = self._static
        if loaded is None or loaded.version != universe.version:
            data = universe.static()
            loaded = self._static = _Loaded(
                universe.version,
                data,
                {s.id: s.system_id for s in data.stations},
                {t.id: t for t in data.ship_types},
                {m.id: m for m in data.module_types},
            )
        return loaded

    def _check_market(self, station_id: int, module_type_id: int) -> None:
        loaded = self._loaded()
        if station_id not in loaded.station_systems or module_type_id not in loaded.module_types:
            raise NotFound(f"there is no market for module type {module_type_id} at station {station_id}")

    def _check_actor(self, actor: Actor) -> None:
        """The player flies this pilot (PermissionDenied, or NotFound, if not):
        first, so that even a command that turns out to change nothing is refused."""
        self.store.load(Pilot, actor.character_id, actor_id=actor.owner)

    def _wallet(self, pilot: Actor) -> Wallet:
        try:
            return self.store.load(Wallet, wallet_id(pilot.character_id), actor_id=pilot.owner)
        except NotFound:
            return Wallet(character_id=pilot.character_id, owner=pilot.owner)

    def _hangar(self, pilot: Actor, station_id: int) -> Hangar:
        try:
            return self.store.load(Hangar, hangar_id(pilot.character_id, station_id), actor_id=pilot.owner)
        except NotFound:
            return Hangar(
                character_id=pilot.character_id,
                station_id=station_id,
                system_id=self._system_of(station_id),
                owner=pilot.owner,
            )

    def _existing_wallet(self, character_id: UUID, pilot: Actor | None) -> Wallet:
        """A counterparty's wallet exists (its order was paid for); the actor's
        own may be new (a pilot who never held money holds none)."""
        if pilot is not None and character_id == pilot.character_id:
            return self._wallet(pilot)
        return self.store.load(Wallet, wallet_id(character_id))

    def _existing_hangar(self, character_id: UUID, station_id: int, pilot: Actor | None) -> Hangar:
        if pilot is not None and character_id == pilot.character_id:
            return self._hangar(pilot, station_id)
        try:
            return self.store.load(Hangar, hangar_id(character_id, station_id))
        except NotFound:  # a buyer's first purchase at this station opens a hangar there
            owner = self.store.load(Wallet, wallet_id(character_id)).owner
            return Hangar(
                character_id=character_id, station_id=station_id, system_id=self._system_of(station_id), owner=owner
            )

    def _system_of(self, station_id: int) -> int:
        system_id = self._loaded().station_systems.get(station_id)
        if system_id is None:
            raise NotFound(f"there is no station {station_id}", station_id=station_id)
        return system_id
