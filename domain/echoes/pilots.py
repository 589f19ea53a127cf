"""Pilots (seed 004's ``characters``): this context's own character, with a
name unique across the universe, a race and bloodline, and the system it is
in. A name is claimed by a ``PilotName`` aggregate whose id is derived from
the name (case-insensitive), saved in the same write as the pilot, so two
pilots can never hold one name (the store's (id, version) key decides a race).
A pilot moves by jumps (``universe.reachable``)."""

from __future__ import annotations

from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.echoes.universe import UniverseData, reachable
from domain.kernel.aggregate import ERASED, Aggregate
from domain.kernel.errors import Conflict, InvalidCommand
from domain.kernel.text import clean_display_name

BLOODLINES: dict[str, tuple[str, ...]] = {
    "Amarr": ("Amarr", "Ni-Kunni", "Khanid"),
    "Caldari": ("Deteis", "Civire", "Achura"),
    "Gallente": ("Gallente", "Intaki", "Jin-Mei"),
    "Minmatar": ("Sebiestor", "Brutor", "Vherokior"),
}
NAME_MAX = 37


def pilot_name_id(name: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"lorekeeper:/echoes/pilot-names/{name.casefold()}")


class InvalidPilot(InvalidCommand):
    code = "invalid_pilot"


class PilotNameTaken(Conflict):
    code = "pilot_name_taken"


class JumpRefused(InvalidCommand):
    code = "jump_refused"


class PilotName(Aggregate):
    """Claims one pilot name for one pilot."""

    TOPIC = "lorekeeper.pilot_name"
    snapshot_types: ClassVar[dict[str, object]] = {"pilot_id": UUID}

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.pilot_name.Created"
        claim_id: UUID  # pilot_name_id(name): the name itself is never stored here
        pilot_id: UUID

    def __init__(self, claim_id: UUID, pilot_id: UUID) -> None:
        self.pilot_id = pilot_id

    @staticmethod
    def create_id(claim_id: UUID, **_: object) -> UUID:
        return claim_id

    @classmethod
    def claim(cls, name: str, pilot_id: UUID) -> PilotName:
        return cls(claim_id=pilot_name_id(name), pilot_id=pilot_id)


class Pilot(Aggregate):
    TOPIC = "lorekeeper.pilot"
    snapshot_types: ClassVar[dict[str, object]] = {"owner": UUID}
    personal_state: ClassVar[dict[str, object]] = {"name": ERASED}

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.pilot.Created"
        PERSONAL_SUBJECT: ClassVar[str] = "owner"
        owner: UUID
        name: str
        race: str
        bloodline: str
        current_system_id: int

    class Erased(Aggregate.Event):
        """The player was erased: the pilot's name is forgotten."""

        TOPIC: ClassVar[str] = "lorekeeper.pilot.Erased"

        def apply(self, pilot: Pilot) -> None:
            pilot.name = ERASED

    class Jumped(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.pilot.Jumped"
        from_system_id: int
        to_system_id: int

        def apply(self, pilot: Pilot) -> None:
            pilot.current_system_id = self.to_system_id

    def __init__(self, owner: UUID, name: str, race: str, bloodline: str, current_system_id: int) -> None:
        self.owner = owner
        self.name = name
        self.race = race
        self.bloodline = bloodline
        self.current_system_id = current_system_id

    @property
    def owner_id(self) -> UUID:
        return self.owner

    @classmethod
    def create(cls, owner: UUID, name: str, race: str, bloodline: str, system_id: int, data: UniverseData) -> Pilot:
        name = clean_display_name(name, NAME_MAX)  # the same rules as any name a player types
        if bloodline not in BLOODLINES.get(race, ()):
            raise InvalidPilot(
                f"{bloodline!r} is not a bloodline of {race!r}", races={r: list(b) for r, b in BLOODLINES.items()}
            )
        if system_id not in {s.id for s in data.systems}:
            raise InvalidPilot(f"there is no system {system_id}")
        return cls(owner=owner, name=name, race=race, bloodline=bloodline, current_system_id=system_id)

    def erase_personal(self) -> None:
        if self.name != ERASED:
            self.trigger_event(self.Erased)

    def jump(self, destination: int, data: UniverseData) -> None:
        if not reachable(data, self.current_system_id, destination):
            raise JumpRefused(
                f"system {destination} is not one jump (within {data.jump_range_ly} ly) from {self.current_system_id}",
                from_system_id=self.current_system_id,
            )
        self.trigger_event(self.Jumped, from_system_id=self.current_system_id, to_system_id=destination)
