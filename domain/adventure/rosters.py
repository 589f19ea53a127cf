"""A player's characters in this context, per world (``Roster``, one per
player): what the per-world limit is checked against, saved in the same
write as a new character so that two concurrent creations cannot both pass it."""

from __future__ import annotations

from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.kernel.aggregate import Aggregate
from domain.kernel.errors import Conflict

CHARACTERS_PER_WORLD = 5  # the default; a world's settings may say otherwise ("characters_per_player")


def roster_id(player_id: UUID) -> UUID:
    return uuid5(NAMESPACE_URL, f"lorekeeper:/adventure/rosters/{player_id}")


class TooManyCharacters(Conflict):
    code = "too_many_characters"


class Roster(Aggregate):
    TOPIC = "lorekeeper.roster"
    snapshot_types: ClassVar[dict[str, object]] = {"owner": UUID}

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.roster.Created"
        owner: UUID

    class Joined(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.roster.Joined"
        world_id: UUID
        character_id: UUID

        def apply(self, roster: Roster) -> None:
            roster.worlds.setdefault(str(self.world_id), []).append(str(self.character_id))

    def __init__(self, owner: UUID) -> None:
        self.owner = owner
        self.worlds: dict[str, list[str]] = {}

    @staticmethod
    def create_id(owner: UUID, **_: object) -> UUID:
        return roster_id(owner)

    @property
    def owner_id(self) -> UUID:
        return self.owner

    def join(self, world_id: UUID, character_id: UUID, limit: int) -> None:
        held = self.worlds.get(str(world_id), [])
        if len(held) >= limit:
            raise TooManyCharacters(
                f"a player has at most {limit} characters in this world", limit=limit, world_id=str(world_id)
            )
        self.trigger_event(self.Joined, world_id=world_id, character_id=character_id)
