"""Stories (seed 002's ``stories`` and ``story_branches``): a storyline in a
world, with a tree of branches. A world holds any number of stories at
once; an admin (or an agent, through the same use case) writes them.

A branch has a parent (``None``: a way into the story), a name, its text
(``content``), its ``branch_order`` among its siblings, **conditions** that
must hold of a character to choose it and **consequences** that choosing it
has, both in the rule language (``rules``). Branches are only ever added
(an agent extends a story the same way an admin writes one); they name
their own ids, so a whole tree is written in one request, parents with
their children. A branch's parent is in the story or in the same write;
parents that lead round in a circle are refused (``BranchCycle``), as is
a tree deeper than ``DEPTH_MAX``.

A character's path through a story is a chain: it enters at a root, then
each choice is a child of its previous one (``choice``); a branch is chosen
once. The aggregate keeps what choosing needs (parents, depths, conditions,
consequences): a branch's text lives only in its event and the read model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar
from uuid import UUID, uuid5

from domain.adventure.rules import check_condition, check_consequences
from domain.adventure.worlds import checked_json
from domain.kernel.aggregate import Aggregate
from domain.kernel.errors import Conflict, InvalidCommand
from domain.kernel.text import clean_display_name

TITLE_MAX = 128
BRANCH_NAME_MAX = 128
TEXT_MAX = 8_000  # a description, a branch's content
BRANCHES_PER_WRITE = 500
BRANCHES_MAX = 20_000
DEPTH_MAX = 256  # choices from a root to the deepest branch
ORDER_MAX = 10_000
STORY_TYPES = ("main", "side", "personal", "world", "seasonal")


class InvalidStory(InvalidCommand):
    code = "invalid_story"


class BranchCycle(InvalidStory):
    code = "branch_cycle"


class BranchExists(Conflict):
    code = "branch_exists"


class StoryInactive(Conflict):
    code = "story_inactive"


class BranchUnreachable(Conflict):
    code = "branch_unreachable"


def story_made_by(origin: UUID) -> UUID:
    """The story an agent's evolution entry writes (one per entry: writing it again finds it)."""
    return uuid5(origin, "story")


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or len(value) > TEXT_MAX or "\x00" in value:
        raise InvalidStory(f"{where} is a text of at most {TEXT_MAX} characters")
    return value


class Story(Aggregate):
    TOPIC = "lorekeeper.story"
    snapshot_types: ClassVar[dict[str, object]] = {"world_id": UUID}
    SHALLOW: ClassVar[frozenset[str]] = frozenset({"branches"})

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.story.Created"
        world_id: UUID
        title: str
        description: str
        story_type: str
        metadata: dict[str, Any]

    class BranchAdded(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.story.BranchAdded"
        branch_id: UUID
        parent_branch_id: UUID | None
        branch_name: str
        content: str
        conditions: dict[str, Any]
        consequences: dict[str, Any]
        branch_order: int

        def apply(self, story: Story) -> None:
            parent = None if self.parent_branch_id is None else str(self.parent_branch_id)
            story.branches[str(self.branch_id)] = {
                "parent": parent,
                "name": self.branch_name,
                "depth": 0 if parent is None else story.branches[parent]["depth"] + 1,
                "conditions": self.conditions,
                "consequences": self.consequences,
            }

    class ActivityChanged(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.story.ActivityChanged"
        is_active: bool

        def apply(self, story: Story) -> None:
            story.is_active = self.is_active

    def __init__(self, world_id: UUID, title: str, description: str, story_type: str, metadata: dict[str, Any]) -> None:
        self.world_id = world_id
        self.title = title
        self.description = description
        self.story_type = story_type
        self.metadata = metadata
        self.is_active = True
        self.branches: dict[str, dict[str, Any]] = {}

    @classmethod
    def create(
        cls,
        world_id: UUID,
        title: str,
        description: str,
        story_type: str,
        metadata: dict[str, Any],
        origin: UUID | None = None,
    ) -> Story:
        """A story; one an agent writes (``origin``: its evolution entry) is named
        by the entry, and its metadata says so (``evolution_id``)."""
        if story_type not in STORY_TYPES:
            raise InvalidStory(f"{story_type!r} is not a story type", story_types=list(STORY_TYPES))
        checked = checked_json(metadata, "metadata")
        return cls._create(
            cls.Created,
            id=story_made_by(origin) if origin is not None else Story.create_id(),
            world_id=world_id,
            title=clean_display_name(title, TITLE_MAX),
            description=_text(description, "description"),
            story_type=story_type,
            metadata=checked if origin is None else {**checked, "evolution_id": str(origin)},
        )

    def set_active(self, is_active: bool) -> None:
        if is_active != self.is_active:
            self.trigger_event(self.ActivityChanged, is_active=is_active)

    def add_branches(self, branches: Sequence[dict[str, Any]]) -> list[UUID]:
        """Add ``branches`` (each: branch_id, parent_branch_id, branch_name, content,
        conditions, consequences, branch_order), in any order (they are recorded
        parents first); their ids in the order given."""
        if not 1 <= len(branches) <= BRANCHES_PER_WRITE:
            raise InvalidStory(f"a write adds 1 to {BRANCHES_PER_WRITE} branches")
        if len(self.branches) + len(branches) > BRANCHES_MAX:
            raise InvalidStory(f"a story has at most {BRANCHES_MAX} branches", branches=len(self.branches))
        new: dict[str, dict[str, Any]] = {}
        for n, given in enumerate(branches):
            branch = self._checked(given, f"branches[{n}]")
            key = str(branch["branch_id"])
            if key in self.branches or key in new:
                raise BranchExists(f"branch {key} is already in the story", branch_id=key)
            new[key] = branch
        for branch in self._parents_first(new):
            self.trigger_event(self.BranchAdded, **branch)
        return [UUID(key) for key in new]

    def _checked(self, given: dict[str, Any], where: str) -> dict[str, Any]:
        order = given.get("branch_order", 0)
        if not (type(order) is int and 0 <= order <= ORDER_MAX):
            raise InvalidStory(f"{where}.branch_order is 0 to {ORDER_MAX}")
        try:
            branch_id = UUID(str(given["branch_id"]))
        except (KeyError, ValueError):
            raise InvalidStory(f"{where}.branch_id is a UUID") from None
        return {
            "branch_id": branch_id,
            "parent_branch_id": given.get("parent_branch_id"),
            "branch_name": clean_display_name(given.get("branch_name", ""), BRANCH_NAME_MAX),
            "content": _text(given.get("content", ""), f"{where}.content"),
            "conditions": check_condition(given.get("conditions", {}), f"{where}.conditions"),
            "consequences": check_consequences(given.get("consequences", {}), f"{where}.consequences"),
            "branch_order": order,
        }

    def _parents_first(self, new: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        """``new`` ordered parents before children, each within ``DEPTH_MAX``; a
        parent that is nowhere, or parents in a circle, refused."""
        depth = {key: branch["depth"] for key, branch in self.branches.items()}
        ordered: list[dict[str, Any]] = []
        waiting = dict(new)
        while waiting:
            placed = 0
            for key, branch in list(waiting.items()):
                parent = branch["parent_branch_id"]
                parent_key = None if parent is None else str(parent)
                if parent_key is not None and parent_key not in depth:
                    if parent_key not in waiting:
                        raise InvalidStory(
                            f"branch {key}'s parent {parent_key} is not a branch of this story", branch_id=key
                        )
                    continue
                depth[key] = 0 if parent_key is None else depth[parent_key] + 1
                if depth[key] >= DEPTH_MAX:
                    raise InvalidStory(f"a story is at most {DEPTH_MAX} branches deep", branch_id=key)
                ordered.append(branch)
                del waiting[key]
                placed += 1
            if not placed:
                raise BranchCycle(
                    "these branches' parents lead round in a circle: none of them reaches a root",
                    branch_ids=sorted(waiting),
                )
        return ordered

    def choice(self, path: Sequence[str], branch_id: UUID) -> dict[str, Any]:
        """The branch a character whose path so far is ``path`` may choose next,
        or why it may not (its conditions are the caller's: they read the character)."""
        if not self.is_active:
            raise StoryInactive(f"the story {self.title!r} is not active", story_id=str(self.id))
        key = str(branch_id)
        branch = self.branches.get(key)
        if branch is None:
            raise InvalidStory(f"branch {key} is not in the story {self.title!r}", branch_id=key)
        here = path[-1] if path else None
        if branch["parent"] != here:
            reached = "has not begun the story" if here is None else f"is at {self.branches[here]['name']!r}"
            if key in path:
                reached = "chose it already"
            raise BranchUnreachable(
                f"{branch['name']!r} is not a next choice: the character {reached}",
                branch_id=key,
                current_branch_id=here,
            )
        return branch

    def next_choices(self, path: Sequence[str]) -> list[str]:
        """The branch ids a character on ``path`` may choose from next (their conditions aside)."""
        here = path[-1] if path else None
        return [key for key, branch in self.branches.items() if branch["parent"] == here]
