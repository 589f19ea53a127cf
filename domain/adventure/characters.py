"""Characters in a world (seed 002's ``characters``): this context's own,
not the live sessions' ``Character``. A character belongs to one player and
one world; it has a class, the seed's seven stats, an appearance, a position
inside the world, experience and a level (``skills.level_for``), an
inventory (``inventory``), skills, the recipes it has discovered, and, for
achievements, what it has crafted and its relationships' values (mirrored
from ``relationships`` in the same write); its story flags and paths
(``stories``) and the quests it has under way (``quests``).

A level-up raises health by 10 and mana by 5 per level gained.
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from domain.adventure import inventory, rules
from domain.adventure.classes import CLASS_STATS
from domain.adventure.rules import changed_flags
from domain.adventure.skills import EXPERIENCE_MAX, SKILL_TREE, level_for, locked_by, skill_level_for
from domain.adventure.terrain import LAYERS, SIZE
from domain.adventure.worlds import checked_json
from domain.kernel.aggregate import ERASED, Aggregate
from domain.kernel.errors import InvalidCommand
from domain.kernel.text import clean_display_name

NAME_MAX = 32
FRIEND_VALUE = 50  # a relationship above this is a friendship
STAT_MAX = 9_999
EXPERIENCE_GRANT_MAX = 100_000  # experience one command may grant
CHOICE_TEXT_MAX = 1_000
QUESTS_MAX = 10  # quests under way at once
WORLD_EDGE = 1_875_000 * SIZE  # blocks from the origin along x and z (chunks.COORDINATE_MAX chunks)


class InvalidCharacter(InvalidCommand):
    code = "invalid_character"


def check_position(x: float, y: float, z: float) -> tuple[float, float, float]:
    if not (abs(x) <= WORLD_EDGE and abs(z) <= WORLD_EDGE and 0 <= y <= SIZE * LAYERS):
        raise InvalidCharacter(f"a position is inside the world: |x|, |z| <= {WORLD_EDGE}, 0 <= y <= {SIZE * LAYERS}")
    return float(x), float(y), float(z)


class Adventurer(Aggregate):
    """A character in a world (the seed's ``characters``; named apart from the live sessions' ``Character``)."""

    TOPIC = "lorekeeper.adventure_character"
    snapshot_types: ClassVar[dict[str, object]] = {
        "owner": UUID,
        "world_id": UUID,
        "position": tuple[float, float, float],
    }
    personal_state: ClassVar[dict[str, object]] = {"name": ERASED}
    # What a command's copy may share (replaced whole) or copy one level deep
    # (items replaced, inserted or deleted, never changed in place).
    SHARED: ClassVar[frozenset[str]] = frozenset({"stats", "appearance"})
    SHALLOW: ClassVar[frozenset[str]] = frozenset(
        {"inventory", "skills", "recipes", "relationships", "records", "flags", "stories", "quests"}
    )
    added_state: ClassVar[dict[str, object]] = {"flags": {}, "stories": {}, "quests": {}}

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.adventure_character.Created"
        PERSONAL_SUBJECT: ClassVar[str] = "owner"
        owner: UUID
        world_id: UUID
        name: str
        character_class: str
        stats: dict[str, int]
        appearance: dict[str, Any]
        position: tuple[float, float, float]

    class Erased(Aggregate.Event):
        """The player was erased: the character's name is forgotten."""

        TOPIC: ClassVar[str] = "lorekeeper.adventure_character.Erased"

        def apply(self, character: Adventurer) -> None:
            character.name = ERASED

    class Moved(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.adventure_character.Moved"
        position: tuple[float, float, float]

        def apply(self, character: Adventurer) -> None:
            character.position = self.position

    class ExperienceGained(Aggregate.Event):
        """Experience, the level it leads to, and the stats after any level-up."""

        TOPIC: ClassVar[str] = "lorekeeper.adventure_character.ExperienceGained"
        amount: int
        reason: str
        experience: int
        level: int
        stats: dict[str, int]

        def apply(self, character: Adventurer) -> None:
            character.experience, character.level, character.stats = self.experience, self.level, self.stats

    class SlotChanged(Aggregate.Event):
        """A slot's new stack (None: emptied), with why (loot, gather, move, craft,
        trade, drop) and a reference shared by every slot one command changed."""

        TOPIC: ClassVar[str] = "lorekeeper.adventure_character.SlotChanged"
        slot: int
        stack: dict[str, Any] | None
        reason: str
        reference: UUID

        def apply(self, character: Adventurer) -> None:
            if self.stack is None:
                character.inventory.pop(str(self.slot), None)
            else:
                character.inventory[str(self.slot)] = self.stack

    class SkillExperienceGained(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.adventure_character.SkillExperienceGained"
        skill: str
        amount: int
        experience: int
        level: int

        def apply(self, character: Adventurer) -> None:
            character.skills[self.skill] = {"experience": self.experience, "level": self.level}

    class RecipeDiscovered(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.adventure_character.RecipeDiscovered"
        recipe_name: str

        def apply(self, character: Adventurer) -> None:
            character.recipes.append(self.recipe_name)

    class CraftAttempted(Aggregate.Event):
        """A craft: the server's roll (0 <= roll < 1) against the odds, recorded, so replay decides the same."""

        TOPIC: ClassVar[str] = "lorekeeper.adventure_character.CraftAttempted"
        recipe_name: str
        odds: float
        roll: float
        succeeded: bool

        def apply(self, character: Adventurer) -> None:
            character.crafts = {**character.crafts, "attempted": character.crafts["attempted"] + 1}
            if self.succeeded:
                character.crafts["succeeded"] += 1
                character.crafts["failed_in_a_row"] = 0
            else:
                character.crafts["failed_in_a_row"] += 1
            character.record("failing_streak", character.crafts["failed_in_a_row"])

    class RelationshipNoted(Aggregate.Event):
        """A relationship's new value, mirrored here for achievements and conditions."""

        TOPIC: ClassVar[str] = "lorekeeper.adventure_character.RelationshipNoted"
        other_id: UUID
        value: int

        def apply(self, character: Adventurer) -> None:
            character.relationships[str(self.other_id)] = self.value
            character.record("friends", sum(1 for v in character.relationships.values() if v > FRIEND_VALUE))
            character.record("enmity", -self.value)

    class BranchChosen(Aggregate.Event):
        """A story branch chosen, with what the player said and what it did
        (the consequences' own events follow it in the same write)."""

        TOPIC: ClassVar[str] = "lorekeeper.adventure_character.BranchChosen"
        story_id: UUID
        branch_id: UUID
        choice_text: str
        choice_data: dict[str, Any]
        consequences: dict[str, Any]

        def apply(self, character: Adventurer) -> None:
            story = str(self.story_id)
            character.stories[story] = [*character.stories.get(story, ()), str(self.branch_id)]

    class ItemsFound(Aggregate.Event):
        """Items the world gave (loot, gathering, a reward): what ``gather`` objectives count."""

        TOPIC: ClassVar[str] = "lorekeeper.adventure_character.ItemsFound"
        item_type: str
        item_name: str
        quantity: int
        reason: str

        def apply(self, character: Adventurer) -> None:
            pass

    class QuestTaken(Aggregate.Event):
        """The character began a quest, or joined a party's run of it (``progress_id``)."""

        TOPIC: ClassVar[str] = "lorekeeper.adventure_character.QuestTaken"
        quest_id: UUID
        progress_id: UUID

        def apply(self, character: Adventurer) -> None:
            character.quests = {**character.quests, str(self.quest_id): str(self.progress_id)}

    class QuestLeft(Aggregate.Event):
        """The run ended for the character: completed, expired or abandoned."""

        TOPIC: ClassVar[str] = "lorekeeper.adventure_character.QuestLeft"
        quest_id: UUID
        status: str

        def apply(self, character: Adventurer) -> None:
            character.quests = {k: v for k, v in character.quests.items() if k != str(self.quest_id)}

    class FlagsSet(rules.FlagsSet):
        TOPIC: ClassVar[str] = "lorekeeper.adventure_character.FlagsSet"

    class StatsChanged(Aggregate.Event):
        """Stats moved by a story's consequences (``stats``: all of them after)."""

        TOPIC: ClassVar[str] = "lorekeeper.adventure_character.StatsChanged"
        moves: dict[str, int]
        stats: dict[str, int]
        reason: str

        def apply(self, character: Adventurer) -> None:
            character.stats = self.stats

    def __init__(
        self,
        owner: UUID,
        world_id: UUID,
        name: str,
        character_class: str,
        stats: dict[str, int],
        appearance: dict[str, Any],
        position: tuple[float, float, float],
    ) -> None:
        self.owner = owner
        self.world_id = world_id
        self.name = name
        self.character_class = character_class
        self.stats = stats
        self.appearance = appearance
        self.position = tuple(position)
        self.experience = 0
        self.level = 1
        self.inventory: dict[str, inventory.Stack] = {}
        self.skills: dict[str, dict[str, int]] = {}
        self.recipes: list[str] = []
        self.crafts = {"attempted": 0, "succeeded": 0, "failed_in_a_row": 0}
        self.relationships: dict[str, int] = {}
        # The highest each measure ever reached (achievements are checked after
        # the fact, so they read records that never go down, not passing states).
        self.records = {"failing_streak": 0, "friends": 0, "enmity": 0}
        self.flags: dict[str, bool | int | str] = {}  # story flags (rules: conditions read them)
        self.stories: dict[str, list[str]] = {}  # story id -> the branch ids chosen, in order
        self.quests: dict[str, str] = {}  # quest id -> its run's id (QuestProgress), while under way

    @property
    def owner_id(self) -> UUID:
        return self.owner

    @classmethod
    def create(
        cls,
        owner: UUID,
        world_id: UUID,
        name: str,
        character_class: str,
        appearance: dict[str, Any],
        position: tuple[float, float, float],
    ) -> Adventurer:
        if character_class not in CLASS_STATS:
            raise InvalidCharacter(f"{character_class!r} is not a class", classes=sorted(CLASS_STATS))
        return cls(
            owner=owner,
            world_id=world_id,
            name=clean_display_name(name, NAME_MAX),
            character_class=character_class,
            stats=dict(CLASS_STATS[character_class]),
            appearance=checked_json(appearance, "appearance"),
            position=check_position(*position),
        )

    def erase_personal(self) -> None:
        if self.name != ERASED:
            self.trigger_event(self.Erased)

    def move(self, x: float, y: float, z: float) -> None:
        position = check_position(x, y, z)
        if position != tuple(self.position):
            self.trigger_event(self.Moved, position=position)

    def gain_experience(self, amount: int, reason: str) -> None:
        if not 0 < amount <= EXPERIENCE_GRANT_MAX:
            raise InvalidCharacter(f"experience is granted 1 to {EXPERIENCE_GRANT_MAX} at a time")
        experience = min(EXPERIENCE_MAX, self.experience + amount)
        level = level_for(experience)
        gained = level - self.level
        stats = dict(self.stats)
        if gained:
            stats["health"] = min(STAT_MAX, stats["health"] + 10 * gained)
            stats["mana"] = min(STAT_MAX, stats["mana"] + 5 * gained)
        self.trigger_event(
            self.ExperienceGained, amount=amount, reason=reason, experience=experience, level=level, stats=stats
        )

    def skill_level(self, skill: str) -> int:
        return self.skills.get(skill, {}).get("level", 0)

    def skill_levels(self) -> dict[str, int]:
        return {name: s["level"] for name, s in self.skills.items()}

    def locked(self, skill: str) -> list[str]:
        return locked_by(skill, self.skill_levels())

    def practise(self, skill: str, amount: int) -> None:
        """Skill experience from an action; none for a skill still locked (see ``skills``)."""
        if skill not in SKILL_TREE:
            raise InvalidCharacter(f"{skill!r} is not a skill", skills=sorted(SKILL_TREE))
        if amount <= 0 or self.locked(skill):
            return
        experience = min(EXPERIENCE_MAX, self.skills.get(skill, {}).get("experience", 0) + amount)
        self.trigger_event(
            self.SkillExperienceGained,
            skill=skill,
            amount=amount,
            experience=experience,
            level=skill_level_for(experience),
        )

    def record(self, measure: str, value: int) -> None:
        self.records[measure] = max(self.records[measure], value)

    def change_items(self, changes: inventory.Changes, reason: str, reference: UUID) -> None:
        for slot, stack in sorted(changes.items(), key=lambda change: int(change[0])):
            if stack != self.inventory.get(slot):
                self.trigger_event(self.SlotChanged, slot=int(slot), stack=stack, reason=reason, reference=reference)

    def note_relationship(self, other_id: UUID, value: int) -> None:
        if self.relationships.get(str(other_id)) != value:
            self.trigger_event(self.RelationshipNoted, other_id=other_id, value=value)

    def choose_branch(
        self,
        story_id: UUID,
        branch_id: UUID,
        choice_text: str,
        choice_data: dict[str, Any],
        consequences: dict[str, Any],
    ) -> None:
        self.trigger_event(
            self.BranchChosen,
            story_id=story_id,
            branch_id=branch_id,
            choice_text=clean_choice_text(choice_text),
            choice_data=checked_json(choice_data, "choice_data"),
            consequences=consequences,
        )

    def set_flags(self, flags: dict[str, bool | int | str | None], reason: str) -> None:
        changed = changed_flags(self.flags, flags)
        if changed:
            self.trigger_event(self.FlagsSet, flags=changed, reason=reason)

    def move_stats(self, moves: dict[str, int], reason: str) -> None:
        stats = {name: max(0, min(STAT_MAX, value + moves.get(name, 0))) for name, value in self.stats.items()}
        if stats != self.stats:
            self.trigger_event(self.StatsChanged, moves=moves, stats=stats, reason=reason)

    def find_items(self, item_type: str, item_name: str, quantity: int, reason: str) -> None:
        self.trigger_event(self.ItemsFound, item_type=item_type, item_name=item_name, quantity=quantity, reason=reason)

    def take_quest(self, quest_id: UUID, progress_id: UUID) -> None:
        if len(self.quests) >= QUESTS_MAX:
            raise InvalidCharacter(f"a character has at most {QUESTS_MAX} quests under way")
        self.trigger_event(self.QuestTaken, quest_id=quest_id, progress_id=progress_id)

    def leave_quest(self, quest_id: UUID, status: str) -> None:
        if str(quest_id) in self.quests:
            self.trigger_event(self.QuestLeft, quest_id=quest_id, status=status)


def clean_choice_text(text: str) -> str:
    if not isinstance(text, str) or len(text) > CHOICE_TEXT_MAX or "\x00" in text:
        raise InvalidCharacter(f"choice_text is a text of at most {CHOICE_TEXT_MAX} characters")
    return text
