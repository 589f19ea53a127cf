"""The stories' use cases (docs/adventure.md, "Stories"): admins (and agents,
through the same calls) write stories and add branches; a player's
character chooses its next branch.

A choice is **one atomic write** of everything it changes: the character
(the choice, its experience, stats, items and story flags), the world (its
story flags) and each relationship a consequence moves, with the other
character's mirror of it. Either all of it is recorded, or, refused, none."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.adventure.relationships import Relationship, relationship_id
from domain.adventure.rules import befall, facts, unmet
from domain.adventure.stories import InvalidStory, Story
from domain.kernel.aggregate import Aggregate
from domain.kernel.errors import Conflict, NotFound
from domain.kernel.store import Lorekeeper, Written
from domain.kernel.writing import writes

if TYPE_CHECKING:
    from domain.adventure.characters import Adventurer
    from domain.adventure.use_cases import AdventureUseCases


class ChoiceRefused(Conflict):
    code = "choice_refused"


class Storytelling:
    def __init__(self, store: Lorekeeper, game: AdventureUseCases) -> None:
        self.store = store
        self.game = game

    def story(self, story_id: UUID) -> Story:
        return self.store.load(Story, story_id)

    def new_story(
        self,
        world_id: UUID,
        title: str,
        description: str,
        story_type: str,
        metadata: dict[str, Any],
        branches: Sequence[dict[str, Any]] = (),
        origin: UUID | None = None,
    ) -> Story:
        """A story in a world, with its first branches (any tree of them), not
        yet written; an agent's is named by its evolution entry (``origin``)."""
        self.game.world(world_id)
        story = Story.create(world_id, title, description, story_type, metadata, origin)
        if branches:
            self._check_characters(world_id, branches)
            story.add_branches(branches)
        return story

    create_story = writes(new_story)

    def add_branches(
        self, story_id: UUID, branches: Sequence[dict[str, Any]], expected_version: int | None = None
    ) -> Written:
        def decide(story: Story) -> None:
            self._check_characters(story.world_id, branches)
            story.add_branches(branches)

        return self.store.command(Story, story_id, decide, expected_version)

    def set_story_active(self, story_id: UUID, is_active: bool, expected_version: int | None = None) -> Written:
        return self.store.command(Story, story_id, lambda s: s.set_active(is_active), expected_version)

    def _check_characters(self, world_id: UUID, branches: Sequence[dict[str, Any]]) -> None:
        """Every character a consequence moves a relationship with is in the story's world."""
        for n, branch in enumerate(branches):
            moves = branch.get("consequences", {})
            for other in moves.get("relationships", {}) if isinstance(moves, dict) else ():
                try:
                    found = self.game.character(UUID(str(other)))
                except (NotFound, ValueError):
                    found = None
                if found is None or found.world_id != world_id:
                    raise InvalidStory(
                        f"branches[{n}].consequences.relationships: {other} is no character of the story's world"
                    )

    def choose(
        self,
        owner: UUID,
        character_id: UUID,
        story_id: UUID,
        branch_id: UUID,
        choice_text: str = "",
        choice_data: dict[str, Any] | None = None,
    ) -> Written:
        """The character's next branch in the story, if it is reachable and its
        conditions hold; its consequences in the same write."""
        story = self.story(story_id)

        def step() -> Written:
            character = self.game.character(character_id, owner)
            if character.world_id != story.world_id:
                raise InvalidStory("the story is in another world than the character", story_id=str(story_id))
            branch = story.choice(character.stories.get(str(story_id), ()), branch_id)
            world = self.game.world(character.world_id)
            missing = unmet(branch["conditions"], facts(character, set(self.game.unlocked(owner)), world))
            if missing:
                raise ChoiceRefused(
                    f"{branch['name']!r} needs {', '.join(missing)}", branch_id=str(branch_id), unmet=missing
                )
            consequences = branch["consequences"]
            character.choose_branch(story_id, branch_id, choice_text, choice_data or {}, consequences)
            reason = f"story:{story_id}:{branch_id}"
            befall(character, consequences, reason, branch_id)
            world.set_flags(consequences.get("world_flags", {}), reason)
            others = self._relate(character, consequences.get("relationships", {}), branch_id)
            return Written(character, self.store.write(character, *([world] if world.pending_events else []), *others))

        return self.store.change(character_id, step)

    def _relate(self, character: Adventurer, moves: dict[str, int], branch_id: UUID) -> list[Aggregate]:
        """Each relationship a branch moves, with both characters' mirrors of it."""
        changed: list[Aggregate] = []
        for other_id, delta in moves.items():
            other = self.game.character(UUID(other_id))
            if other.world_id != character.world_id or other.id == character.id:
                continue  # checked when the branch was written; a character does not relate to itself
            pair = relationship_id(character.id, other.id)
            try:
                relationship = self.store.load(Relationship, pair)
            except NotFound:
                relationship = Relationship.between(character.id, other.id, character.world_id)
            relationship.interact(character.id, "story", delta, {"branch_id": str(branch_id)})
            character.note_relationship(other.id, relationship.value)
            other.note_relationship(character.id, relationship.value)
            changed += [relationship, other]
        return changed
