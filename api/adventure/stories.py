"""Stories (seed 002) over HTTP: admins write a story and its branches and
(de)activate it; anyone signed in reads a world's stories, a story and its
tree; a player's character chooses its next branch and reads its path
through a story with what it may choose next (docs/adventure.md, "Stories").

The tree and the path are each one recursive query over ``story_branches``
(the seed's "recursive CTE for branch traversal"), read from the read model
(``min_position`` reads your own writes)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID, uuid4

import orjson
from fastapi import Query
from pydantic import BaseModel, Field
from starlette.responses import Response

from api import routing
from api.adventure.characters import CHARACTER, in_world
from api.adventure.worlds import Adventure, Json, admin_only, of_world
from api.deps import CommandDep, CurrentPrincipal, IfMatch, ReadDb, ReadYourWrites
from api.openapi import problems
from api.responses import stored, to_response
from api.schemas import Request
from domain.adventure import Story
from domain.adventure.rules import facts, unmet
from domain.adventure.stories import BRANCH_NAME_MAX, BRANCHES_PER_WRITE, DEPTH_MAX, ORDER_MAX, TEXT_MAX, TITLE_MAX
from domain.kernel.store import Written
from infra.idempotency import Stored

router = routing.router(prefix="/v1", tags=["adventure"])
STORY = "/worlds/{world_id}/stories/{story_id}"
TREE_ROWS_MAX = 1_000


class BranchIn(Request):
    branch_id: UUID | None = Field(None, strict=False, description="Yours to choose, so children can name it; or new.")
    parent_branch_id: UUID | None = Field(None, strict=False, description="None: a way into the story.")
    branch_name: str = Field(min_length=1, max_length=BRANCH_NAME_MAX)
    content: str = Field("", max_length=TEXT_MAX)
    conditions: Json = Field(default_factory=dict, description="The rule language: docs/adventure.md#rules.")
    consequences: Json = Field(default_factory=dict, description="The rule language: docs/adventure.md#rules.")
    branch_order: int = Field(0, ge=0, le=ORDER_MAX)


Branches = Annotated[list[BranchIn], Field(max_length=BRANCHES_PER_WRITE)]


class StoryIn(Request):
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    description: str = Field("", max_length=TEXT_MAX)
    story_type: Literal["main", "side", "personal", "world", "seasonal"] = "main"
    metadata: Json = Field(default_factory=dict)
    branches: Branches = Field(default_factory=list, description="Any tree of branches, parents named by id.")


class BranchesIn(Request):
    branches: Branches = Field(min_length=1)


class StoryPatch(Request):
    is_active: bool


class StoryOut(BaseModel):
    id: UUID
    world_id: UUID
    title: str
    description: str
    story_type: str
    metadata: Json
    is_active: bool
    branch_count: int
    added: list[UUID] = Field(default_factory=list, description="The branches this write added, in the order given.")
    version: int
    position: int | None = None


class TreeBranch(BaseModel):
    id: UUID
    parent_branch_id: UUID | None
    branch_name: str
    content: str
    conditions: Json
    consequences: Json
    branch_order: int
    depth: int


class TreeOut(BaseModel):
    story_id: UUID
    items: list[TreeBranch]
    truncated: bool = Field(description=f"More than {TREE_ROWS_MAX} branches: ask again from a deeper branch.")


class ChoiceIn(Request):
    story_id: UUID = Field(strict=False)
    branch_id: UUID = Field(strict=False)
    choice_text: str = Field("", max_length=1_000, description="What the player said or typed, if anything.")
    choice_data: Json = Field(default_factory=dict)


class ChoiceOut(BaseModel):
    character_id: UUID
    story_id: UUID
    branch_id: UUID
    consequences: Json
    path: list[UUID] = Field(description="Every branch the character chose in the story, in order.")
    flags: dict[str, Any]
    version: int = Field(description="The character's.")
    position: int | None = None


class NextChoice(BaseModel):
    id: UUID
    branch_name: str
    content: str
    branch_order: int
    open: bool = Field(description="Its conditions hold of the character now.")
    unmet: list[str]


class PathOut(BaseModel):
    character_id: UUID
    story_id: UUID
    path: list[TreeBranch] = Field(description="From the way in to the character's latest choice.")
    next: list[NextChoice] = Field(description="The branches the character may choose from next.")


def story_out(written: Written, added: list[UUID] | None = None, status: int = 200) -> Stored:
    story: Story = written.aggregate
    out = StoryOut(
        id=story.id,
        world_id=story.world_id,
        title=story.title,
        description=story.description,
        story_type=story.story_type,
        metadata=story.metadata,
        is_active=story.is_active,
        branch_count=len(story.branches),
        added=added or [],
        version=story.version,
        position=written.position,
    )
    location = f"/v1/worlds/{story.world_id}/stories/{story.id}" if status == 201 else None
    return stored(status, out, version=story.version, location=location)


def branches_of(body: list[BranchIn]) -> list[dict[str, Any]]:
    """The request's branches for the domain, each with an id (new ones get one)."""
    return [{**b.model_dump(), "branch_id": b.branch_id or uuid4()} for b in body]


def story_in(adventure: Adventure, world_id: UUID, story_id: UUID) -> Story:
    return of_world(adventure.stories.story(story_id), world_id, "story")


StoryAnswers = problems(403, 404, 409, 412, 422)


@router.post("/worlds/{world_id}/stories", status_code=201, response_model=StoryOut, responses=StoryAnswers)
def create_story(world_id: UUID, body: StoryIn, cmd: CommandDep, adventure: Adventure) -> Response:
    """A storyline in the world (admins), with any tree of branches in the same write."""
    admin_only(cmd, "write stories")

    def command() -> Stored:
        branches = branches_of(body.branches)
        written = adventure.stories.create_story(
            world_id, body.title, body.description, body.story_type, body.metadata, branches
        )
        return story_out(written, [b["branch_id"] for b in branches], 201)

    return cmd.run({"world": str(world_id), "story": body.model_dump(mode="json")}, command)


class StoryRow(BaseModel):
    id: UUID
    title: str
    description: str
    story_type: str
    metadata: Json
    is_active: bool
    created_at: datetime
    updated_at: datetime
    version: int


class StoriesOut(BaseModel):
    items: list[StoryRow]


@router.get(
    "/worlds/{world_id}/stories", response_model=StoriesOut, dependencies=[ReadYourWrites], responses=problems(422)
)
def list_stories(
    world_id: UUID,
    db: ReadDb,
    _: CurrentPrincipal,
    active: bool = True,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    """The world's stories (active ones unless ``active=false``), oldest first, at most ``limit``."""
    with db.connection() as conn:
        rows = conn.execute(
            "SELECT id, title, description, story_type, metadata, is_active, created_at, updated_at, version "
            "FROM adventure.stories WHERE world_id = %s AND (is_active OR NOT %s) ORDER BY created_at, id LIMIT %s",
            (world_id, active, limit),
        ).fetchall()
    return Response(StoriesOut(items=rows).model_dump_json(), media_type="application/json")


@router.get(STORY, response_model=StoryOut, responses=problems(404))
def get_story(world_id: UUID, story_id: UUID, adventure: Adventure, _: CurrentPrincipal) -> Response:
    return to_response(story_out(Written(story_in(adventure, world_id, story_id), None)))


@router.patch(STORY, response_model=StoryOut, responses=StoryAnswers)
def set_story_active(
    world_id: UUID, story_id: UUID, body: StoryPatch, cmd: CommandDep, adventure: Adventure, if_match: IfMatch = None
) -> Response:
    """Open or close a story to choices (admins)."""
    admin_only(cmd, "open and close stories")
    story_in(adventure, world_id, story_id)
    return cmd.run(
        {"story": str(story_id), **body.model_dump()},
        lambda: story_out(adventure.stories.set_story_active(story_id, body.is_active, if_match)),
    )


@router.post(STORY + "/branches", response_model=StoryOut, responses=StoryAnswers)
def add_branches(
    world_id: UUID, story_id: UUID, body: BranchesIn, cmd: CommandDep, adventure: Adventure, if_match: IfMatch = None
) -> Response:
    """More branches (admins): under any branch of the story, or new ways in."""
    admin_only(cmd, "write stories")
    story_in(adventure, world_id, story_id)

    def command() -> Stored:
        branches = branches_of(body.branches)
        written = adventure.stories.add_branches(story_id, branches, if_match)
        return story_out(written, [b["branch_id"] for b in branches])

    return cmd.run({"story": str(story_id), "branches": body.model_dump(mode="json")}, command)


BRANCH_COLUMNS = "id, parent_branch_id, branch_name, content, conditions, consequences, branch_order"


@router.get(STORY + "/tree", response_model=TreeOut, dependencies=[ReadYourWrites], responses=problems(404, 422))
def tree(
    world_id: UUID,
    story_id: UUID,
    adventure: Adventure,
    db: ReadDb,
    _: CurrentPrincipal,
    from_branch_id: Annotated[UUID | None, Query(description="The subtree under this branch; none: the whole.")] = None,
    depth: Annotated[int, Query(ge=1, le=DEPTH_MAX)] = 8,
) -> Response:
    """The story's branches to ``depth`` levels, depth first, siblings in
    ``branch_order`` (one recursive query; at most 1,000 branches)."""
    story_in(adventure, world_id, story_id)
    start = "b.parent_branch_id IS NULL" if from_branch_id is None else "b.id = %(start)s"
    with db.connection() as conn:
        rows = conn.execute(
            f"WITH RECURSIVE tree AS ("
            f" SELECT {BRANCH_COLUMNS}, 0 AS depth, ARRAY[branch_order::bigint] AS sort_path, ARRAY[id] AS ids"
            f" FROM adventure.story_branches b WHERE b.story_id = %(story)s AND {start}"
            f" UNION ALL"
            f" SELECT c.id, c.parent_branch_id, c.branch_name, c.content, c.conditions, c.consequences,"
            f" c.branch_order, t.depth + 1, t.sort_path || c.branch_order::bigint, t.ids || c.id"
            f" FROM tree t JOIN adventure.story_branches c ON c.parent_branch_id = t.id"
            f" WHERE t.depth + 1 < %(depth)s"
            f") SELECT {BRANCH_COLUMNS}, depth FROM tree ORDER BY sort_path, ids LIMIT %(limit)s",
            {"story": story_id, "start": from_branch_id, "depth": depth, "limit": TREE_ROWS_MAX + 1},
        ).fetchall()
    out = {"story_id": story_id, "items": rows[:TREE_ROWS_MAX], "truncated": len(rows) > TREE_ROWS_MAX}
    return Response(orjson.dumps(out), media_type="application/json")  # rows as read: TreeOut's shape


def choice_out(written: Written, story: Story, branch_id: UUID) -> Stored:
    character = written.aggregate
    story_id = story.id
    out = ChoiceOut(
        character_id=character.id,
        story_id=story_id,
        branch_id=branch_id,
        consequences=story.branches[str(branch_id)]["consequences"],
        path=character.stories.get(str(story_id), []),
        flags=character.flags,
        version=character.version,
        position=written.position,
    )
    return stored(201, out, version=character.version)


@router.post(CHARACTER + "/choices", status_code=201, response_model=ChoiceOut, responses=StoryAnswers)
def choose(world_id: UUID, character_id: UUID, body: ChoiceIn, cmd: CommandDep, adventure: Adventure) -> Response:
    """Your character's next branch of a story: a way in, or a child of its
    latest choice there, whose conditions hold (409 ``choice_refused`` names
    what is missing); its consequences are recorded in the same write."""
    player = cmd.principal.subject
    in_world(adventure.character(character_id), world_id)
    return cmd.run(
        {"character": str(character_id), "choice": body.model_dump(mode="json")},
        lambda: choice_out(
            adventure.stories.choose(
                player, character_id, body.story_id, body.branch_id, body.choice_text, body.choice_data
            ),
            adventure.stories.story(body.story_id),
            body.branch_id,
        ),
    )


@router.get(
    CHARACTER + "/stories/{story_id}/path",
    response_model=PathOut,
    dependencies=[ReadYourWrites],
    responses=problems(403, 404, 422),
)
def path(
    world_id: UUID, character_id: UUID, story_id: UUID, adventure: Adventure, db: ReadDb, principal: CurrentPrincipal
) -> Response:
    """Your character's path through a story (one recursive query up from its
    latest choice; pass ``min_position`` after a choice to read it) and the
    branches it may choose next, each with whether its conditions hold now
    and, if not, what is missing."""
    character = in_world(adventure.character(character_id, None if principal.is_admin else principal.subject), world_id)
    story_in(adventure, world_id, story_id)
    chosen = character.stories.get(str(story_id), [])
    with db.connection() as conn:
        rows = conn.execute(
            f"WITH RECURSIVE up AS ("
            f" SELECT {BRANCH_COLUMNS}, 0 AS height FROM adventure.story_branches"
            f" WHERE id = %(here)s AND story_id = %(story)s"
            f" UNION ALL"
            f" SELECT p.id, p.parent_branch_id, p.branch_name, p.content, p.conditions, p.consequences,"
            f" p.branch_order, up.height + 1 FROM up JOIN adventure.story_branches p ON p.id = up.parent_branch_id"
            f" WHERE up.height < %(deepest)s"
            f") SELECT {BRANCH_COLUMNS}, height FROM up ORDER BY height DESC",
            {"here": chosen[-1] if chosen else None, "story": story_id, "deepest": DEPTH_MAX},
        ).fetchall()
        here = rows[-1]["id"] if rows else None
        children = conn.execute(
            f"SELECT {BRANCH_COLUMNS} FROM adventure.story_branches WHERE "
            + ("story_id = %s AND parent_branch_id IS NULL" if here is None else "parent_branch_id = %s")
            + " ORDER BY branch_order, id LIMIT %s",
            (story_id if here is None else here, TREE_ROWS_MAX),
        ).fetchall()
    known = facts(character, set(adventure.unlocked(character.owner)), adventure.world(world_id))
    for r in rows:
        r["depth"] = len(rows) - 1 - r.pop("height")
    out = {
        "character_id": character_id,
        "story_id": story_id,
        "path": rows,
        "next": [
            {**{k: c[k] for k in ("id", "branch_name", "content", "branch_order")}, "open": not m, "unmet": m}
            for c in children
            for m in [unmet(c["conditions"], known)]
        ],
    }
    return Response(orjson.dumps(out), media_type="application/json")  # rows as read: PathOut's shape
