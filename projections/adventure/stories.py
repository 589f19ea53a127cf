"""Read models of stories and the choices characters make in them (seed
002), in the ``adventure`` schema, with the seed's names:

- ``stories``: one row per story (``version``: the aggregate's).
- ``story_branches``: one row per branch, ``parent_branch_id`` NULL for a
  way into the story; the tree and a character's path through it are one
  recursive query each (``api/adventure/stories.py``).
- ``player_choices``: one row per branch a character chose (a branch is
  chosen once), with the consequences it had; ``story_id`` beside the seed's
  columns, for analysts.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from domain.adventure import Adventurer, Story
from projections.model import Event, Handler, Key, Owner, Projection, Row, Table, copy_fields, fresh, touched

SCHEMA = "adventure"

STORIES = Table(
    "stories",
    SCHEMA,
    owner=None,
    columns=(
        ("id", "uuid NOT NULL"),
        ("world_id", "uuid NOT NULL"),
        ("title", "text NOT NULL"),
        ("description", "text NOT NULL"),
        ("story_type", "text NOT NULL"),
        ("metadata", "jsonb NOT NULL"),
        ("is_active", "boolean NOT NULL"),
        ("created_at", "timestamptz NOT NULL"),
        ("updated_at", "timestamptz NOT NULL"),
        ("version", "int NOT NULL"),
    ),
    key=("id",),
    indexes=("(world_id, is_active)",),
)

STORY_BRANCHES = Table(
    "story_branches",
    SCHEMA,
    owner=None,
    columns=(
        ("id", "uuid NOT NULL"),
        ("story_id", "uuid NOT NULL"),
        ("parent_branch_id", "uuid"),
        ("branch_name", "text NOT NULL"),
        ("content", "text NOT NULL"),
        ("conditions", "jsonb NOT NULL"),
        ("consequences", "jsonb NOT NULL"),
        ("branch_order", "int NOT NULL"),
        ("created_at", "timestamptz NOT NULL"),
    ),
    key=("id",),
    indexes=("idx_story_branches_parent (parent_branch_id)", "(story_id) WHERE parent_branch_id IS NULL"),
)

PLAYER_CHOICES = Table(
    "player_choices",
    SCHEMA,
    owner=Owner("character_id", via="aggregate"),
    columns=(
        ("id", "uuid NOT NULL"),
        ("character_id", "uuid NOT NULL"),
        ("story_id", "uuid NOT NULL"),
        ("story_branch_id", "uuid NOT NULL"),
        ("choice_text", "text NOT NULL"),
        ("choice_data", "jsonb NOT NULL"),
        ("consequences", "jsonb NOT NULL"),
        ("made_at", "timestamptz NOT NULL"),
    ),
    key=("id",),
    indexes=("idx_player_choices_character (character_id, made_at)",),
)


@fresh
def story_created(event: Event, _: Row | None) -> Row:
    data = event.data
    return {
        "id": event.originator_id,
        "world_id": UUID(data["world_id"]),
        **{c: data[c] for c in ("title", "description", "story_type", "metadata")},
        "is_active": True,
        "created_at": event.timestamp,
        "updated_at": event.timestamp,
        "version": event.originator_version,
    }


def branch_key(event: Event) -> Key:
    return (UUID(event.data["branch_id"]),)


@fresh
def branch_added(event: Event, _: Row | None) -> Row:
    data = event.data
    parent = data["parent_branch_id"]
    return {
        "id": UUID(data["branch_id"]),
        "story_id": event.originator_id,
        "parent_branch_id": None if parent is None else UUID(parent),
        **{c: data[c] for c in ("branch_name", "content", "conditions", "consequences", "branch_order")},
        "created_at": event.timestamp,
    }


def choice_id(character_id: UUID, branch_id: UUID | str) -> UUID:
    return uuid5(NAMESPACE_URL, f"lorekeeper:/adventure/choices/{character_id}/{branch_id}")


def choice_key(event: Event) -> Key:
    return (choice_id(event.originator_id, event.data["branch_id"]),)


@fresh
def branch_chosen(event: Event, _: Row | None) -> Row:
    data = event.data
    return {
        "id": choice_key(event)[0],
        "character_id": event.originator_id,
        "story_id": UUID(data["story_id"]),
        "story_branch_id": UUID(data["branch_id"]),
        **{c: data[c] for c in ("choice_text", "choice_data", "consequences")},
        "made_at": event.timestamp,
    }


PROJECTION = Projection(
    name="adventure_stories",
    schema_version=1,
    tables=(STORIES, STORY_BRANCHES, PLAYER_CHOICES),
    handlers={
        Story.Created.TOPIC: (Handler(STORIES, story_created),),
        Story.BranchAdded.TOPIC: (Handler(STORY_BRANCHES, branch_added, branch_key), Handler(STORIES, touched)),
        Story.ActivityChanged.TOPIC: (Handler(STORIES, copy_fields(is_active="is_active")),),
        Adventurer.BranchChosen.TOPIC: (Handler(PLAYER_CHOICES, branch_chosen, choice_key),),
    },
)

__all__ = ["PLAYER_CHOICES", "PROJECTION", "STORIES", "STORY_BRANCHES", "choice_id"]
