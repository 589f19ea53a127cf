"""Items at a location (seed 004's ``inventory_items``): one hangar per pilot
and station, an aggregate, holding quantities per module type; and, with no
station, a pilot's wreck in a system (what a destroyed ship dropped). Quantities are
positive; a withdrawal beyond what is held is refused and records nothing.
Items move in and out only with a reason and a reference, so that every item
can be accounted for (deposits and withdrawals of a move or a trade balance)."""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.kernel.aggregate import Aggregate
from domain.kernel.errors import Conflict, InvalidCommand

QUANTITY_MAX = 10**9


@lru_cache(maxsize=65_536)  # a SHA-1 each time, several times per order
def hangar_id(character_id: UUID, station_id: int) -> UUID:
    return uuid5(NAMESPACE_URL, f"lorekeeper:/echoes/hangars/{character_id}/{station_id}")


def wreck_id(character_id: UUID, system_id: int) -> UUID:
    return uuid5(NAMESPACE_URL, f"lorekeeper:/echoes/wrecks/{character_id}/{system_id}")


class InsufficientItems(Conflict):
    code = "insufficient_items"


class Hangar(Aggregate):
    TOPIC = "lorekeeper.hangar"
    snapshot_types: ClassVar[dict[str, object]] = {"owner": UUID, "character_id": UUID}

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.hangar.Created"
        character_id: UUID
        station_id: int | None  # None: a wreck in space
        system_id: int  # the station's, for the read side
        owner: UUID

    class Moved(Aggregate.Event):
        """``quantity`` of a module type in (positive) or out (negative)."""

        TOPIC: ClassVar[str] = "lorekeeper.hangar.Moved"
        module_type_id: int
        quantity: int
        reason: str
        reference: UUID
        character_id: UUID  # the hangar's, for the read side
        station_id: int | None
        system_id: int

        def apply(self, hangar: Hangar) -> None:
            key = str(self.module_type_id)
            held = hangar.items.get(key, 0) + self.quantity
            if held:
                hangar.items[key] = held
            else:
                hangar.items.pop(key, None)

    def __init__(self, character_id: UUID, station_id: int | None, system_id: int, owner: UUID) -> None:
        self.character_id = character_id
        self.station_id = station_id
        self.system_id = system_id
        self.owner = owner
        self.items: dict[str, int] = {}  # module type id -> quantity (never 0, never negative)

    @staticmethod
    def create_id(character_id: UUID, station_id: int | None, system_id: int, **_: object) -> UUID:
        return wreck_id(character_id, system_id) if station_id is None else hangar_id(character_id, station_id)

    @property
    def owner_id(self) -> UUID:
        return self.owner

    def held(self, module_type_id: int) -> int:
        return self.items.get(str(module_type_id), 0)

    def move(self, module_type_id: int, quantity: int, reason: str, reference: UUID) -> None:
        """Put in (positive) or take out (negative); nothing for 0."""
        if quantity == 0:
            return
        if abs(quantity) > QUANTITY_MAX:
            raise InvalidCommand(f"one move carries at most {QUANTITY_MAX} items")
        held = self.held(module_type_id)
        if held + quantity < 0:
            raise InsufficientItems(
                f"the hangar holds {held} of module type {module_type_id}, {-quantity} are needed",
                held=held,
                needed=-quantity,
            )
        if held + quantity > QUANTITY_MAX:
            raise InvalidCommand(f"a hangar holds at most {QUANTITY_MAX} of one module type")
        self.trigger_event(
            self.Moved,
            module_type_id=module_type_id,
            quantity=quantity,
            reason=reason,
            reference=reference,
            character_id=self.character_id,
            station_id=self.station_id,
            system_id=self.system_id,
        )
