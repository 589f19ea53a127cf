"""Tycoon worlds and their one guild (seed 003's ``worlds`` and ``guilds``).

A player founds a world from a seed: its ``world_data`` (biomes and
landmarks in the seed's JSON shape) is generated from that seed alone, so a
world can always be generated again. The world keeps its game clock
(``clock``) and the *world events* announced in it (festivals, storms,
market days: windows of game time that change what heroes prefer).

Each world has exactly one ``Guild``, its id derived from the world's and
saved in the same write: the guild's gold pays for recruits and gifts, quests
bring it gold and reputation, and its roster says when each hero joined (a
hero chooses companions only among those who had joined by then).
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.kernel import values
from domain.kernel.aggregate import Aggregate
from domain.kernel.errors import Conflict, InvalidCommand
from domain.kernel.text import clean_display_name
from domain.tycoon.clock import RATIO_MAX, RATIO_MIN, GameClock
from domain.tycoon.roster import roster

NAME_MAX = 64
SEED_MIN, SEED_MAX = values.INT64_MIN, values.INT64_MAX
WORLDS_PER_PLAYER = 10
HEROES_PER_WORLD = 100
STARTING_GOLD = 1_000
RECRUIT_COST = 100
EVENTS_MAX = 50  # world events a world remembers (the read table keeps every one)
EVENT_MINUTES_MAX = 30 * 24 * 60  # a world event lasts at most 30 game days
EVENT_EFFECTS: dict[str, dict[str, int]] = {  # what an active world event adds to an action's score
    "festival": {"socialize": 25, "rest": 5},
    "storm": {"explore": -30, "rest": 15},
    "market_day": {"work": 20},
    "monster_sighting": {"train": 15, "explore": -10},
}

BIOMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # type: (resources, monsters)
    "forest": (("wood", "herbs", "mystical_spring"), ("wolf", "treant", "forest_sprite")),
    "mountains": (("iron", "gems", "stone"), ("troll", "griffin", "rock_golem")),
    "desert": (("sand_glass", "cactus_water", "sun_stone"), ("scorpion", "sand_wyrm", "mirage")),
    "swamp": (("peat", "bog_iron", "witch_moss"), ("bog_hag", "leech_swarm", "will_o_wisp")),
    "plains": (("wheat", "horses", "flint"), ("bandit", "boar", "harpy")),
    "tundra": (("ice_crystal", "fur", "whale_oil"), ("frost_giant", "snow_wolf", "yeti")),
}
LANDMARKS: tuple[tuple[str, str, dict[str, int]], ...] = (  # name, type, effects
    ("Ancient Oak", "mystical_tree", {"wisdom_bonus": 10}),
    ("Sunken Temple", "ruin", {"treasure_bonus": 15}),
    ("Dragon's Rest", "lair", {"danger": 20}),
    ("Silver Falls", "waterfall", {"mood_bonus": 10}),
    ("The Old Forge", "workshop", {"crafting_bonus": 10}),
    ("Whispering Stones", "stone_circle", {"magic_bonus": 12}),
    ("Traders' Cross", "crossroads", {"gold_bonus": 10}),
    ("Hollow Hill", "barrow", {"danger": 10, "treasure_bonus": 10}),
)
MAP_SIZE = 400


class InvalidWorld(InvalidCommand):
    code = "invalid_world"


class WorldLimit(Conflict):
    code = "world_limit"


class NotEnoughGold(Conflict):
    code = "not_enough_gold"


class GuildFull(Conflict):
    code = "guild_full"


def world_data(seed: int) -> dict[str, Any]:
    """Biomes tiling the map and landmarks placed on it, from the seed alone."""
    rng = random.Random(seed)
    biomes = []
    cells = 4
    size = MAP_SIZE // cells
    for row in range(cells):
        for col in range(cells):
            kind = rng.choice(sorted(BIOMES))
            resources, monsters = BIOMES[kind]
            biomes.append(
                {
                    "type": kind,
                    "location": {"x": col * size, "y": row * size, "width": size, "height": size},
                    "resources": rng.sample(resources, rng.randint(1, len(resources))),
                    "monsters": rng.sample(monsters, rng.randint(1, len(monsters))),
                    "difficulty": rng.randint(1, 10),
                }
            )
    landmarks = [
        {
            "name": name,
            "type": kind,
            "location": {"x": rng.randrange(MAP_SIZE), "y": rng.randrange(MAP_SIZE)},
            "effects": dict(effects),
        }
        for name, kind, effects in rng.sample(LANDMARKS, rng.randint(3, 6))
    ]
    return {"biomes": biomes, "landmarks": landmarks}


def guild_id(world_id: UUID) -> UUID:
    return uuid5(NAMESPACE_URL, f"lorekeeper:/tycoon/guilds/{world_id}")


class TycoonWorld(Aggregate):
    """A player's tycoon world (named apart from adventure's ``World``)."""

    TOPIC = "lorekeeper.tycoon_world"
    snapshot_types: ClassVar[dict[str, object]] = {"owner": UUID, "founded_at": datetime, "last_visit": datetime}
    SHARED: ClassVar[frozenset[str]] = frozenset({"world_data", "events"})

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.tycoon_world.Created"
        owner: UUID
        name: str
        seed: int
        world_data: dict[str, Any]
        ratio: int
        founded_at: datetime

    class EventAnnounced(Aggregate.Event):
        """A world event: a window of game minutes with effects on heroes' choices."""

        TOPIC: ClassVar[str] = "lorekeeper.tycoon_world.EventAnnounced"
        event_id: UUID
        event_type: str
        description: str
        event_data: dict[str, Any]
        starts_minute: int
        ends_minute: int
        starts_at: datetime
        ends_at: datetime

        def apply(self, world: TycoonWorld) -> None:
            entry = {
                "id": str(self.event_id),
                "event_type": self.event_type,
                "starts": self.starts_minute,
                "ends": self.ends_minute,
            }
            world.events = [*world.events, entry][-EVENTS_MAX:]

    class Visited(Aggregate.Event):
        """The player came back (the offline report covers ``since`` to now)."""

        TOPIC: ClassVar[str] = "lorekeeper.tycoon_world.Visited"
        at: datetime
        since: datetime

        def apply(self, world: TycoonWorld) -> None:
            world.last_visit = self.at

    def __init__(
        self, owner: UUID, name: str, seed: int, world_data: dict[str, Any], ratio: int, founded_at: datetime
    ) -> None:
        self.owner = owner
        self.name = name
        self.seed = seed
        self.world_data = world_data
        self.ratio = ratio
        self.founded_at = founded_at
        self.events: list[dict[str, Any]] = []
        self.last_visit = founded_at

    @property
    def owner_id(self) -> UUID:
        return self.owner

    def visit(self, at: datetime) -> datetime:
        """Record a visit; the previous one (what the report covers since)."""
        since = self.last_visit
        self.trigger_event(self.Visited, at=max(at, since), since=since)
        return since

    @property
    def clock(self) -> GameClock:
        return GameClock(self.founded_at, self.ratio)

    @classmethod
    def found(cls, owner: UUID, name: str, seed: int, ratio: int, now: datetime) -> TycoonWorld:
        name = clean_display_name(name, NAME_MAX)
        if isinstance(seed, bool) or not isinstance(seed, int) or not SEED_MIN <= seed <= SEED_MAX:
            raise InvalidWorld("the seed is a 64-bit whole number")
        if isinstance(ratio, bool) or not isinstance(ratio, int) or not RATIO_MIN <= ratio <= RATIO_MAX:
            raise InvalidWorld(f"time_ratio is game seconds per real second, {RATIO_MIN}..{RATIO_MAX}")
        return cls(owner=owner, name=name, seed=seed, world_data=world_data(seed), ratio=ratio, founded_at=now)

    def announce(self, event_type: str, description: str, starts_minute: int, minutes: int, event_id: UUID) -> None:
        if event_type not in EVENT_EFFECTS:
            raise InvalidWorld(f"{event_type!r} is not a world event", event_types=sorted(EVENT_EFFECTS))
        description = clean_display_name(description, 200)
        if not 1 <= minutes <= EVENT_MINUTES_MAX:
            raise InvalidWorld(f"a world event lasts 1..{EVENT_MINUTES_MAX} game minutes")
        ends = starts_minute + minutes
        self.trigger_event(
            self.EventAnnounced,
            event_id=event_id,
            event_type=event_type,
            description=description,
            event_data={"effects": EVENT_EFFECTS[event_type]},
            starts_minute=starts_minute,
            ends_minute=ends,
            starts_at=self.clock.real(starts_minute),
            ends_at=self.clock.real(ends),
        )


class Guild(Aggregate):
    TOPIC = "lorekeeper.guild"
    snapshot_types: ClassVar[dict[str, object]] = {"world_id": UUID, "owner": UUID}
    SHALLOW: ClassVar[frozenset[str]] = frozenset({"members"})

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.guild.Created"
        world_id: UUID
        owner: UUID
        name: str
        gold: int
        reputation: int

    class GoldChanged(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.guild.GoldChanged"
        amount: int
        gold: int
        reputation_change: int
        reputation: int
        reason: str

        def apply(self, guild: Guild) -> None:
            guild.gold, guild.reputation = self.gold, self.reputation

    class Joined(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.guild.Joined"
        hero_id: UUID
        minute: int

        def apply(self, guild: Guild) -> None:
            guild.members[str(self.hero_id)] = self.minute

    def __init__(self, world_id: UUID, owner: UUID, name: str, gold: int, reputation: int) -> None:
        self.world_id = world_id
        self.owner = owner
        self.name = name
        self.gold = gold
        self.reputation = reputation
        self.members: dict[str, int] = {}  # hero id -> the game minute they joined

    @property
    def owner_id(self) -> UUID:
        return self.owner

    @staticmethod
    def create_id(world_id: UUID, **_: object) -> UUID:
        return guild_id(world_id)

    @classmethod
    def of(cls, world: TycoonWorld) -> Guild:
        return cls(
            world_id=world.id, owner=world.owner, name=f"The {world.name} Guild", gold=STARTING_GOLD, reputation=0
        )

    def spend(self, amount: int, reason: str) -> None:
        if amount > self.gold:
            raise NotEnoughGold(f"the guild has {self.gold} gold, {amount} needed", gold=self.gold, needed=amount)
        self.credit(-amount, 0, reason)

    def credit(self, amount: int, reputation: int, reason: str) -> None:
        if amount or reputation:
            self.trigger_event(
                self.GoldChanged,
                amount=amount,
                gold=self.gold + amount,
                reputation_change=reputation,
                reputation=self.reputation + reputation,
                reason=reason,
            )

    def enrol(self, hero_id: UUID, minute: int) -> None:
        if len(self.members) >= HEROES_PER_WORLD:
            raise GuildFull(f"a guild has at most {HEROES_PER_WORLD} heroes", limit=HEROES_PER_WORLD)
        self.trigger_event(self.Joined, hero_id=hero_id, minute=minute)

    def companions(self, hero_id: UUID, minute: int) -> list[str]:
        """Who a hero could meet at ``minute``: those who joined before it (ids sorted)."""
        me = str(hero_id)
        return [h for h in roster(self.id, self.members).joined_before(minute) if h != me]
