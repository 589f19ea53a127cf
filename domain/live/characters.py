"""Characters (seed 001's CharacterProfile): the profile a live session
changes through actions: position on a tile map, health, inventory and stats,
each under domain rules. (The world of seed 002 and the pilots of seed 004
are characters of their own contexts.)
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from domain.kernel.aggregate import ERASED, Aggregate
from domain.kernel.errors import InvalidCommand
from domain.kernel.text import clean_display_name

MAP_WIDTH = 1024
MAP_HEIGHT = 1024
MAX_STEP = 4  # tiles per move action, in each axis (Chebyshev distance)
MAX_HEALTH = 100
# The server, not the client, decides what an ability does.
ABILITIES: dict[str, int] = {"heal": 20, "rest": 5, "focus": 0, "sacrifice": -15}
WHILE_DOWNED = frozenset({"heal", "rest"})


class IllegalMove(InvalidCommand):
    code = "illegal_move"


class UnknownAbility(InvalidCommand):
    code = "unknown_ability"


class CharacterDowned(InvalidCommand):
    code = "character_downed"


class Character(Aggregate):
    """A player's character: where it stands, how healthy it is, what it carries."""

    TOPIC = "lorekeeper.character"
    snapshot_types: ClassVar[dict[str, object]] = {"owner": UUID}

    personal_state: ClassVar[dict[str, object]] = {"display_name": ERASED}

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.character.Created"
        PERSONAL: ClassVar[tuple[str, ...]] = ("display_name",)
        PERSONAL_SUBJECT: ClassVar[str] = "owner_id"
        owner_id: UUID
        display_name: str
        position_x: int
        position_y: int

    class Moved(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.character.Moved"
        position_x: int
        position_y: int

        def apply(self, character: Character) -> None:
            character.position_x = self.position_x
            character.position_y = self.position_y

    class HealthChanged(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.character.HealthChanged"
        health: int
        cause: str

        def apply(self, character: Character) -> None:
            character.health = self.health

    class Erased(Aggregate.Event):
        """Its player was erased: the name is gone; the game history stays, anonymous."""

        TOPIC: ClassVar[str] = "lorekeeper.character.Erased"

        def apply(self, character: Character) -> None:
            character.display_name = ERASED

    def __init__(self, owner_id: UUID, display_name: str, position_x: int, position_y: int) -> None:
        self.owner = owner_id
        self.display_name = display_name
        self.position_x = position_x
        self.position_y = position_y
        self.health = MAX_HEALTH
        self.inventory: dict[str, Any] = {}
        self.stats: dict[str, Any] = {}

    @property
    def owner_id(self) -> UUID:
        return self.owner

    @property
    def downed(self) -> bool:
        return self.health == 0

    @classmethod
    def create(cls, owner_id: UUID, display_name: str, position_x: int = 0, position_y: int = 0) -> Character:
        check_on_map(position_x, position_y)
        return cls(
            owner_id=owner_id,
            display_name=clean_display_name(display_name),
            position_x=position_x,
            position_y=position_y,
        )

    def move_to(self, x: int, y: int) -> None:
        if self.downed:
            raise CharacterDowned("a downed character cannot move")
        check_on_map(x, y)
        step = max(abs(x - self.position_x), abs(y - self.position_y))
        if step > MAX_STEP:
            raise IllegalMove(f"a move covers at most {MAX_STEP} tiles, not {step}", max_step=MAX_STEP)
        if step:
            self.trigger_event(self.Moved, position_x=x, position_y=y)

    def use_ability(self, name: str) -> None:
        if name not in ABILITIES:
            raise UnknownAbility(f"unknown ability {name!r}", known=sorted(ABILITIES))
        if self.downed and name not in WHILE_DOWNED:
            raise CharacterDowned(f"a downed character can only use {sorted(WHILE_DOWNED)}")
        health = min(MAX_HEALTH, max(0, self.health + ABILITIES[name]))
        if health != self.health:
            self.trigger_event(self.HealthChanged, health=health, cause=name)

    def erase_personal(self) -> None:
        if self.display_name != ERASED:
            self.trigger_event(self.Erased)


def check_on_map(x: int, y: int) -> None:
    if not (0 <= x < MAP_WIDTH and 0 <= y < MAP_HEIGHT):
        raise IllegalMove(f"({x}, {y}) is off the {MAP_WIDTH}x{MAP_HEIGHT} map")
