"""Stories through their use cases, under any sequence of branches added
(anywhere in the tree, with any conditions and consequences from a pool,
sometimes in a circle) and choices (of any branch, by either of two
characters):

- a choice succeeds exactly when its branch is a next step of the
  character's path (a way in, or a child of its latest choice, never chosen
  before) and its conditions hold, and the items it takes are held;
- a refused command writes nothing (a cycle adds no branch);
- every path is a chain from a way in, each branch once;
- consequences are applied once each: experience, stats, flags, items, the
  world's flags and the relationship are exactly the model's fold of the
  chosen branches' consequences;
- and every aggregate rebuilt from its events, or from a snapshot, is the
  one the store holds.
"""

from __future__ import annotations

from uuid import UUID, uuid4

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.adventure import Adventurer, AdventureUseCases, Relationship
from domain.adventure.inventory import InsufficientItems
from domain.adventure.relationships import relationship_id
from domain.adventure.rules import facts, unmet, with_flags
from domain.adventure.skills import level_for
from domain.adventure.stories import BranchCycle, BranchUnreachable
from domain.adventure.storytelling import ChoiceRefused
from domain.kernel.errors import DomainError
from tests.property.support import replay, restore_snapshot
from tests.unit.adventure.helpers import store

CONDITIONS = st.sampled_from(
    [
        {},
        {"level": 2},
        {"flags": {"brave": True}},
        {"flags": {"brave": False}},
        {"items": {"seal": 2}},
        {"any": [{"level": 3}, {"world_flags": {"gate": "open"}}]},
        {"not": {"flags": {"brave": True}}},
        {"stats": {"charisma": 16}},
    ]
)
CONSEQUENCES = st.sampled_from(
    [
        {},
        {"experience": 150},
        {"flags": {"brave": True}},
        {"flags": {"brave": None}},
        {"items": [{"item_type": "trinket", "item_name": "seal", "quantity": 1}]},
        {"take_items": {"seal": 1}},
        {"world_flags": {"gate": "open"}},
        {"stats": {"charisma": 2, "health": -30}},
        {"relationships": "other"},  # with the third character (its id is known once it exists)
    ]
)


class StoryMachine(RuleBasedStateMachine):
    @initialize()
    def open(self):
        self.game = AdventureUseCases(store())
        self.world = self.game.create_world("Eldoria", "standard", 7, {}, {}).aggregate.id
        self.player = uuid4()
        self.characters = [
            self.game.create_character(self.player, self.world, name, "artisan", {}, (8, 70, 8)).aggregate.id
            for name in ("Ada", "Bob")
        ]
        self.other = self.game.create_character(uuid4(), self.world, "Cid", "mage", {}, (8, 70, 8)).aggregate.id
        self.story = self.game.stories.create_story(self.world, "The King", "", "main", {}).aggregate.id
        self.branches: dict[str, dict] = {}  # id -> {"parent", "conditions", "consequences"}
        self.start = {c: self.game.character(c) for c in self.characters}
        self.chosen: list[tuple[UUID, str]] = []  # every successful choice, in order
        self.add_branches(-1, {}, {"relationships": "other"}, 0, 1)  # a way in, from the start
        self.add_branches(-1, {}, {"items": [{"item_type": "trinket", "item_name": "seal", "quantity": 1}]}, 1, 1)

    def head(self) -> int:
        return self.game.store.recorder.max_notification_id() or 0

    def refused_writes_nothing(self, command) -> DomainError | None:
        before = self.head()
        try:
            command()
        except DomainError as refused:
            assert self.head() == before, "a refused command wrote"
            event(f"refused: {type(refused).__name__}")
            return refused
        event("done")
        return None

    @rule(
        parent=st.integers(-1, 30),
        conditions=CONDITIONS,
        consequences=CONSEQUENCES,
        order=st.integers(0, 2),
        children=st.integers(1, 3),
    )
    def add_branches(self, parent, conditions, consequences, order, children):
        known = list(self.branches)
        parent_id = known[parent % len(known)] if known and parent >= 0 else None
        if consequences.get("relationships") == "other":
            consequences = {"relationships": {str(self.other): 10}}
        new = [
            {
                "branch_id": uuid4(),
                "parent_branch_id": parent_id,
                "branch_name": f"Branch {len(self.branches) + n}",
                "conditions": conditions,
                "consequences": consequences,
                "branch_order": order,
            }
            for n in range(children)
        ]
        if self.refused_writes_nothing(lambda: self.game.stories.add_branches(self.story, new)) is None:
            for b in new:
                self.branches[str(b["branch_id"])] = {
                    "parent": None if parent_id is None else str(parent_id),
                    "conditions": conditions,
                    "consequences": consequences,
                }

    @rule()
    def add_a_cycle(self):
        a, b = uuid4(), uuid4()
        cycle = [
            {"branch_id": a, "parent_branch_id": b, "branch_name": "A"},
            {"branch_id": b, "parent_branch_id": a, "branch_name": "B"},
        ]
        refused = self.refused_writes_nothing(lambda: self.game.stories.add_branches(self.story, cycle))
        assert isinstance(refused, BranchCycle)

    @rule(i=st.integers(0, 1), pick=st.integers(0, 30))
    def choose(self, i, pick):
        character_id = self.characters[i]
        branch_id = list(self.branches)[pick % len(self.branches)]
        branch = self.branches[branch_id]
        character = self.game.character(character_id)
        path = character.stories.get(str(self.story), [])
        reachable = branch["parent"] == (path[-1] if path else None) and branch_id not in path
        holds = not unmet(branch["conditions"], facts(character, set(), self.game.world(self.world)))
        takes = branch["consequences"].get("take_items", {})
        held = all(character_has(character, name) >= n for name, n in takes.items())
        refused = self.refused_writes_nothing(
            lambda: self.game.stories.choose(self.player, character_id, self.story, UUID(branch_id))
        )
        if not reachable:
            assert isinstance(refused, BranchUnreachable), refused
        elif not holds:
            assert isinstance(refused, ChoiceRefused), refused
        elif not held:
            assert isinstance(refused, InsufficientItems), refused
        else:
            assert refused is None, refused
            self.chosen.append((character_id, branch_id))

    @invariant()
    def paths_are_chains_of_branches_chosen_once(self):
        if not hasattr(self, "game"):
            return
        for character_id in self.characters:
            path = self.game.character(character_id).stories.get(str(self.story), [])
            assert path == [b for c, b in self.chosen if c == character_id]
            assert len(set(path)) == len(path)
            for before, after in zip([None, *path], path, strict=False):
                assert self.branches[after]["parent"] == before

    @invariant()
    def consequences_are_applied_once_each(self):
        if not hasattr(self, "game"):
            return
        world_flags: dict = {}
        for _, b in self.chosen:
            world_flags = with_flags(world_flags, self.branches[b]["consequences"].get("world_flags", {}))
        assert self.game.world(self.world).flags == world_flags
        for character_id in self.characters:
            experience, flags, seals, bond = 0, {}, 0, None
            stats = dict(self.start[character_id].stats)
            for b in (b for c, b in self.chosen if c == character_id):
                consequences = self.branches[b]["consequences"]
                for name, move in consequences.get("stats", {}).items():
                    stats[name] = max(0, min(9_999, stats[name] + move))
                gained = level_for(experience + consequences.get("experience", 0)) - level_for(experience)
                experience += consequences.get("experience", 0)
                stats["health"] += 10 * gained
                stats["mana"] += 5 * gained
                flags = with_flags(flags, consequences.get("flags", {}))
                seals += sum(i["quantity"] for i in consequences.get("items", ()))
                seals -= consequences.get("take_items", {}).get("seal", 0)
                if str(self.other) in consequences.get("relationships", {}):
                    bond = max(-100, min(100, (bond or 0) + consequences["relationships"][str(self.other)]))
            character = self.game.character(character_id)
            assert character.experience == experience and character.level == level_for(experience)
            assert (character.flags, character.stats) == (flags, stats)
            assert character_has(character, "seal") == seals
            if bond is not None:
                pair = self.game.store.load(Relationship, relationship_id(character_id, self.other))
                assert pair.value == bond == character.relationships[str(self.other)]
                event("a relationship moved")

    def teardown(self):
        """Every aggregate, rebuilt from its events and from a snapshot, is the stored one."""
        if not hasattr(self, "game"):
            return
        for aggregate_id in (*self.characters, self.other, self.story, self.world):
            stored = self.game.store.repository.get(aggregate_id)
            assert replay(list(self.game.store.events.get(aggregate_id))) == stored
            assert restore_snapshot(stored) == stored


def character_has(character: Adventurer, item_name: str) -> int:
    return sum(s["quantity"] for s in character.inventory.values() if s["item_name"] == item_name)


StoryMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
TestStories = StoryMachine.TestCase
