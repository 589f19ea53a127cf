"""Worlds (seed 002's ``worlds``): a unique name, a world type, a seed that
generates its terrain (``terrain``), settings and metadata (bounded JSON),
and whether it is active (an inactive world takes no edits and no new
characters). Created by admins. A name is claimed by a ``WorldName``
aggregate whose id derives from the name (case-insensitive), saved in the
same write as the world, so two worlds can never hold one name."""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.adventure import rules
from domain.adventure.rules import changed_flags
from domain.adventure.terrain import WORLD_TYPES
from domain.kernel import values
from domain.kernel.aggregate import Aggregate
from domain.kernel.errors import Conflict, InvalidCommand
from domain.kernel.text import clean_display_name

NAME_MAX = 64
SEED_MIN, SEED_MAX = values.INT64_MIN, values.INT64_MAX  # the seed's bigint
JSON_MAX_DEPTH = 8  # settings, metadata, appearance: a game's configuration, not a document store


def world_name_id(name: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"lorekeeper:/adventure/world-names/{name.casefold()}")


class InvalidWorld(InvalidCommand):
    code = "invalid_world"


class WorldNameTaken(Conflict):
    code = "world_name_taken"


class WorldInactive(Conflict):
    code = "world_inactive"


def checked_json(value: Any, where: str) -> dict[str, Any]:
    """A JSON object a client may send as configuration (bounded, storable)."""
    if not isinstance(value, dict):
        raise InvalidCommand(f"{where} must be a JSON object")
    why = values.problem(value, max_depth=JSON_MAX_DEPTH)
    if why is not None:
        raise InvalidCommand(f"{where}: {why}")
    return value


class WorldName(Aggregate):
    """Claims one world name for one world."""

    TOPIC = "lorekeeper.world_name"
    snapshot_types: ClassVar[dict[str, object]] = {"world_id": UUID}

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.world_name.Created"
        claim_id: UUID
        world_id: UUID

    def __init__(self, claim_id: UUID, world_id: UUID) -> None:
        self.world_id = world_id

    @staticmethod
    def create_id(claim_id: UUID, **_: object) -> UUID:
        return claim_id

    @classmethod
    def claim(cls, name: str, world_id: UUID) -> WorldName:
        return cls(claim_id=world_name_id(name), world_id=world_id)


class World(Aggregate):
    TOPIC = "lorekeeper.world"

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.world.Created"
        name: str
        world_type: str
        seed: int
        settings: dict[str, Any]
        metadata: dict[str, Any]

    class Configured(Aggregate.Event):
        """New settings and metadata (each replaced whole)."""

        TOPIC: ClassVar[str] = "lorekeeper.world.Configured"
        settings: dict[str, Any]
        metadata: dict[str, Any]

        def apply(self, world: World) -> None:
            world.settings = self.settings
            world.metadata = self.metadata

    class ActivityChanged(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.world.ActivityChanged"
        is_active: bool

        def apply(self, world: World) -> None:
            world.is_active = self.is_active

    class FlagsSet(rules.FlagsSet):
        """Story flags set on the world; ``origin``: the agent's evolution entry
        that set them (None: a player's choice, a quest, an admin)."""

        TOPIC: ClassVar[str] = "lorekeeper.world.FlagsSet"
        origin: UUID | None = None

        def apply(self, world: World) -> None:
            super().apply(world)
            origins = {**world.flag_origins}
            for name, value in self.flags.items():
                origins.pop(name, None)
                if self.origin is not None and value is not None:
                    origins[name] = str(self.origin)
            world.flag_origins = origins

    class EventBegan(Aggregate.Event):
        """A world event's window opened: its effects hold in the world until it ends."""

        TOPIC: ClassVar[str] = "lorekeeper.world.EventBegan"
        event_id: UUID
        effects: dict[str, Any]

        def apply(self, world: World) -> None:
            world.active_events = {**world.active_events, str(self.event_id): self.effects}

    class EventEnded(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.world.EventEnded"
        event_id: UUID

        def apply(self, world: World) -> None:
            world.active_events = {k: v for k, v in world.active_events.items() if k != str(self.event_id)}

    added_state: ClassVar[dict[str, object]] = {"flags": {}, "active_events": {}, "flag_origins": {}}

    def __init__(self, name: str, world_type: str, seed: int, settings: dict[str, Any], metadata: dict[str, Any]):
        self.name = name
        self.world_type = world_type
        self.seed = seed
        self.settings = settings
        self.metadata = metadata
        self.is_active = True
        self.flags: dict[str, bool | int | str] = {}  # story flags (rules: "world_flags")
        self.active_events: dict[str, dict[str, Any]] = {}  # world event id -> its effects, while active
        self.flag_origins: dict[str, str] = {}  # flag -> the evolution entry that set its value (agents' flags)

    @classmethod
    def create(cls, name: str, world_type: str, seed: int, settings: dict[str, Any], metadata: dict[str, Any]) -> World:
        name = clean_display_name(name, NAME_MAX)
        if world_type not in WORLD_TYPES:
            raise InvalidWorld(f"{world_type!r} is not a world type", world_types=list(WORLD_TYPES))
        if not SEED_MIN <= seed <= SEED_MAX:
            raise InvalidWorld("a seed is a 64-bit integer")
        return cls(
            name=name,
            world_type=world_type,
            seed=seed,
            settings=checked_json(settings, "settings"),
            metadata=checked_json(metadata, "metadata"),
        )

    def configure(self, settings: dict[str, Any] | None, metadata: dict[str, Any] | None) -> None:
        settings = self.settings if settings is None else checked_json(settings, "settings")
        metadata = self.metadata if metadata is None else checked_json(metadata, "metadata")
        if (settings, metadata) != (self.settings, self.metadata):
            self.trigger_event(self.Configured, settings=settings, metadata=metadata)

    def set_active(self, is_active: bool) -> None:
        if is_active != self.is_active:
            self.trigger_event(self.ActivityChanged, is_active=is_active)

    def check_active(self) -> None:
        if not self.is_active:
            raise WorldInactive(f"world {self.name!r} is not active", world_id=str(self.id))

    def setting(self, name: str, default: int, low: int, high: int) -> int:
        """An integer setting, as configured if it is one within [low, high], else ``default``."""
        value = self.settings.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high else default

    def set_flags(self, flags: dict[str, bool | int | str | None], reason: str, origin: UUID | None = None) -> None:
        changed = changed_flags(self.flags, flags)
        if changed:
            self.trigger_event(self.FlagsSet, flags=changed, reason=reason, origin=origin)

    def begin_event(self, event_id: UUID, effects: dict[str, Any]) -> None:
        if str(event_id) not in self.active_events:
            self.trigger_event(self.EventBegan, event_id=event_id, effects=effects)

    def end_event(self, event_id: UUID) -> None:
        if str(event_id) in self.active_events:
            self.trigger_event(self.EventEnded, event_id=event_id)
