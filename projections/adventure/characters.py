"""Read models of characters and what they hold, know and feel (seed 002),
in the ``adventure`` schema, with the seed's names:

- ``characters``: the seed's columns (``user_id`` the player), ``version``.
- ``inventory``: one row per occupied slot (``id`` derived from the character
  and the slot, so no two stacks share one); ``acquired_at`` is when the
  slot was filled with that item.
- ``character_skills``: one row per skill practised; ``skill_data`` holds its
  prerequisites (the skill tree).
- ``character_relationships`` and ``achievements``: ``social``.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from domain.adventure import Achievements, Adventurer, Relationship
from domain.adventure.skills import SKILL_TREE
from domain.kernel.aggregate import ERASED
from projections.adventure.social import ACHIEVEMENTS, CHARACTER_RELATIONSHIPS, FIRST, SECOND, achievement_id, unlocked
from projections.model import (
    DELETE,
    Event,
    Handler,
    Key,
    Owner,
    Projection,
    Row,
    Table,
    _Delete,
    copy_fields,
    fresh,
    set_columns,
    touched,
    updated,
)

SCHEMA = "adventure"

CHARACTERS = Table(
    "characters",
    SCHEMA,
    owner=Owner("user_id"),
    columns=(
        ("id", "uuid NOT NULL"),
        ("user_id", "uuid NOT NULL"),
        ("world_id", "uuid NOT NULL"),
        ("name", "text NOT NULL"),
        ("character_class", "text NOT NULL"),
        ("level", "int NOT NULL CHECK (level >= 1)"),
        ("experience", "bigint NOT NULL CHECK (experience >= 0)"),
        ("stats", "jsonb NOT NULL"),
        ("appearance", "jsonb NOT NULL"),
        ("position_x", "double precision NOT NULL"),
        ("position_y", "double precision NOT NULL"),
        ("position_z", "double precision NOT NULL"),
        ("created_at", "timestamptz NOT NULL"),
        ("updated_at", "timestamptz NOT NULL"),
        ("version", "int NOT NULL"),
    ),
    key=("id",),
    indexes=(
        "idx_characters_position (world_id, position_x, position_y, position_z)",
        "idx_characters_user (user_id, world_id)",
        "idx_characters_stats USING GIN (stats)",
    ),
)

INVENTORY = Table(
    "inventory",
    SCHEMA,
    owner=Owner("character_id", via="aggregate"),
    columns=(
        ("id", "uuid NOT NULL"),
        ("character_id", "uuid NOT NULL"),
        ("item_type", "text NOT NULL"),
        ("item_name", "text NOT NULL"),
        ("quantity", "int NOT NULL CHECK (quantity > 0)"),
        ("item_data", "jsonb NOT NULL"),
        ("slot_position", "int NOT NULL"),
        ("acquired_at", "timestamptz NOT NULL"),
        ("updated_at", "timestamptz NOT NULL"),
    ),
    key=("id",),
    indexes=("(character_id, slot_position)", "(item_name)"),
)

CHARACTER_SKILLS = Table(
    "character_skills",
    SCHEMA,
    owner=Owner("character_id", via="aggregate"),
    columns=(
        ("id", "uuid NOT NULL"),
        ("character_id", "uuid NOT NULL"),
        ("skill_name", "text NOT NULL"),
        ("skill_level", "int NOT NULL"),
        ("experience_points", "bigint NOT NULL"),
        ("skill_data", "jsonb NOT NULL"),
        ("updated_at", "timestamptz NOT NULL"),
    ),
    key=("id",),
    indexes=("(character_id)",),
)


@fresh
def character_created(event: Event, _: Row | None) -> Row:
    data = event.data
    x, y, z = data["position"]
    return {
        "id": event.originator_id,
        "user_id": UUID(data["owner"]),
        "world_id": UUID(data["world_id"]),
        "name": data["name"],
        "character_class": data["character_class"],
        "level": 1,
        "experience": 0,
        "stats": data["stats"],
        "appearance": data["appearance"],
        "position_x": x,
        "position_y": y,
        "position_z": z,
        "created_at": event.timestamp,
        "updated_at": event.timestamp,
        "version": event.originator_version,
    }


def moved(event: Event, row: Row | None) -> Row | None:
    if row is None:
        return None
    x, y, z = event.data["position"]
    return updated(event, row, {"position_x": x, "position_y": y, "position_z": z})


def experienced(event: Event, row: Row | None) -> Row | None:
    data = event.data
    changes = {"experience": data["experience"], "level": data["level"], "stats": data["stats"]}
    return updated(event, row, changes) if row else None


def slot_id(event: Event) -> Key:
    return (uuid5(NAMESPACE_URL, f"lorekeeper:/adventure/inventory/{event.originator_id}/{event.data['slot']}"),)


def slot_changed(event: Event, row: Row | None) -> Row | _Delete:
    stack = event.data["stack"]
    if stack is None:
        return DELETE
    same = row is not None and (row["item_name"], row["item_data"]) == (stack["item_name"], stack["item_data"])
    return {
        "id": slot_id(event)[0],
        "character_id": event.originator_id,
        "item_type": stack["item_type"],
        "item_name": stack["item_name"],
        "quantity": stack["quantity"],
        "item_data": stack["item_data"],
        "slot_position": event.data["slot"],
        "acquired_at": row["acquired_at"] if same and row is not None else event.timestamp,
        "updated_at": event.timestamp,
    }


def skill_id(event: Event) -> Key:
    return (uuid5(NAMESPACE_URL, f"lorekeeper:/adventure/skills/{event.originator_id}/{event.data['skill']}"),)


@fresh
def skill_gained(event: Event, _: Row | None) -> Row:
    data = event.data
    return {
        "id": skill_id(event)[0],
        "character_id": event.originator_id,
        "skill_name": data["skill"],
        "skill_level": data["level"],
        "experience_points": data["experience"],
        "skill_data": {"prerequisites": list(SKILL_TREE.get(data["skill"], ()))},
        "updated_at": event.timestamp,
    }


PROJECTION = Projection(
    name="adventure_characters",
    schema_version=1,
    tables=(CHARACTERS, INVENTORY, CHARACTER_SKILLS, CHARACTER_RELATIONSHIPS, ACHIEVEMENTS),
    handlers={
        Adventurer.Created.TOPIC: (Handler(CHARACTERS, character_created),),
        Adventurer.Erased.TOPIC: (Handler(CHARACTERS, set_columns(name=ERASED)),),
        Adventurer.Moved.TOPIC: (Handler(CHARACTERS, moved),),
        Adventurer.ExperienceGained.TOPIC: (Handler(CHARACTERS, experienced),),
        Adventurer.SlotChanged.TOPIC: (Handler(INVENTORY, slot_changed, slot_id), Handler(CHARACTERS, touched)),
        Adventurer.SkillExperienceGained.TOPIC: (
            Handler(CHARACTER_SKILLS, skill_gained, skill_id),
            Handler(CHARACTERS, touched),
        ),
        Adventurer.RecipeDiscovered.TOPIC: (Handler(CHARACTERS, touched),),
        Adventurer.CraftAttempted.TOPIC: (Handler(CHARACTERS, touched),),
        Adventurer.RelationshipNoted.TOPIC: (Handler(CHARACTERS, touched),),
        Adventurer.BranchChosen.TOPIC: (Handler(CHARACTERS, touched),),
        Adventurer.FlagsSet.TOPIC: (Handler(CHARACTERS, touched),),
        Adventurer.ItemsFound.TOPIC: (Handler(CHARACTERS, touched),),
        Adventurer.QuestTaken.TOPIC: (Handler(CHARACTERS, touched),),
        Adventurer.QuestLeft.TOPIC: (Handler(CHARACTERS, touched),),
        Adventurer.StatsChanged.TOPIC: (Handler(CHARACTERS, copy_fields(stats="stats")),),
        Relationship.Created.TOPIC: (FIRST[0], SECOND[0]),
        Relationship.Interacted.TOPIC: (FIRST[1], SECOND[1]),
        Achievements.Unlocked.TOPIC: (Handler(ACHIEVEMENTS, unlocked, achievement_id),),
    },
)
