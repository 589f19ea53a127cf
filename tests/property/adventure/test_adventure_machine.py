"""Adventure through its use cases, under any sequence of chunk edits and
restores, loot, slot moves, drops, trades, crafts (any rolls), interactions,
experience and achievement checks, by two players' characters:

- a refused command writes nothing;
- items are conserved: every character's holdings of each item are what came
  in, less what was dropped, used up or traded away, plus what was crafted or
  traded in; no slot holds an empty or oversize stack, equipment slots hold
  one item of their kinds;
- a chunk's edits are exactly the model's, and a restore brings back the
  chunk as it was at that version;
- a pair's relationship is one value within -100..100, mirrored by both
  characters, with at most 20 interactions kept;
- a level follows experience; achievements are unlocked once each;
- a command that changes nothing records nothing;
- and every aggregate rebuilt from its recorded events, or from a snapshot,
  is the aggregate the store holds.
"""

from __future__ import annotations

from collections import Counter
from uuid import uuid4

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.adventure import Achievements, Adventurer, AdventureUseCases, Chunk, Relationship
from domain.adventure.achievements import achievements_id
from domain.adventure.chunks import chunk_id
from domain.adventure.inventory import BAG_SLOTS, EQUIPMENT, STACK_MAX
from domain.adventure.relationships import HISTORY_MAX, relationship_id
from domain.adventure.skills import level_for
from domain.kernel.errors import DomainError, NotFound
from tests.property.support import replay, restore_snapshot
from tests.unit.adventure.helpers import PLANKS, store

ITEMS = st.sampled_from(
    [("material", "log", None), ("material", "stick", None), ("tool", "pickaxe", {"durability": 50})]
)
KEYS = st.sampled_from(["0,0,0", "1,2,3", "15,15,15", "16,0,0"])  # the last is outside the chunk
TYPES = st.sampled_from(["stone", "air", "brick", "lava"])  # lava is no block type
COORDINATES = (0, 4, 0)


class AdventureMachine(RuleBasedStateMachine):
    @initialize()
    def open(self):
        self.game = AdventureUseCases(store())
        self.world = self.game.create_world("Eldoria", "standard", 99, {}, {}).aggregate.id
        self.players = (uuid4(), uuid4())
        self.characters = [
            self.game.create_character(player, self.world, name, "artisan", {}, (8, 70, 8)).aggregate.id
            for player, name in ((self.players[0], "Ada"), (self.players[0], "Bob"), (self.players[1], "Cid"))
        ]
        self.owner = {c: self.players[0 if i < 2 else 1] for i, c in enumerate(self.characters)}
        self.game.create_recipe(**PLANKS)
        self.held = {c: Counter() for c in self.characters}  # the model of every character's items
        self.edits: list[dict] = [{}]  # the chunk's edits after each of its versions (index: version - 1)
        self.rolls = iter(())

    def states(self) -> dict:
        """Every aggregate's domain state (what a command may change)."""
        found = {}
        for aggregate_id in self.aggregate_ids():
            try:
                found[aggregate_id] = self.game.store.repository.get(aggregate_id).state()
            except Exception:  # not created yet
                continue
        return found

    def run(self, command) -> bool:
        """Run a command: a refusal writes nothing, and so does a command that changes nothing."""
        before, states = self.game.store.recorder.max_notification_id(), self.states()
        try:
            command()
        except DomainError as refused:
            assert self.game.store.recorder.max_notification_id() == before, "a refused command wrote"
            event(f"refused: {type(refused).__name__}")
            return False
        if self.states() == states:
            assert self.game.store.recorder.max_notification_id() == before, "a command that changed nothing wrote"
            event("no-op")
        event("done")
        return True

    def character(self, i: int) -> Adventurer:
        return self.game.character(self.characters[i % 3])

    @rule(i=st.integers(0, 2), item=ITEMS, quantity=st.integers(1, 40), gather=st.booleans())
    def loot(self, i, item, quantity, gather):
        kind, name, data = item
        c = self.characters[i]
        if self.run(lambda: self.game.give_items(c, kind, name, quantity, data, "gather" if gather else "loot")):
            self.held[c][name] += quantity

    @rule(i=st.integers(0, 2), from_slot=st.sampled_from([0, 1, 2, 35, 104]), to_slot=st.sampled_from([0, 3, 104, 100]))
    def move(self, i, from_slot, to_slot):
        c = self.characters[i]
        self.run(lambda: self.game.move_item(self.owner[c], c, from_slot, to_slot))

    @rule(i=st.integers(0, 2), name=st.sampled_from(["log", "stick", "pickaxe"]), quantity=st.integers(1, 70))
    def drop(self, i, name, quantity):
        c = self.characters[i]
        if self.run(lambda: self.game.drop_items(self.owner[c], c, name, quantity)):
            self.held[c][name] -= quantity

    @rule(
        i=st.integers(0, 2), j=st.integers(0, 2), name=st.sampled_from(["log", "pickaxe"]), quantity=st.integers(1, 70)
    )
    def trade(self, i, j, name, quantity):
        a, b = self.characters[i], self.characters[j]
        if self.run(lambda: self.game.trade(self.owner[a], a, b, name, quantity)):
            self.held[a][name] -= quantity
            self.held[b][name] += quantity

    @rule(i=st.integers(0, 2), rolls=st.lists(st.floats(0, 0.999), min_size=1, max_size=1))
    def craft(self, i, rolls):
        c = self.characters[i]
        self.game.roll = iter(rolls).__next__
        before = self.character(i).crafts["succeeded"]
        if self.run(lambda: self.game.craft(self.owner[c], c, "Planks")):
            self.held[c]["log"] -= 1
            if self.character(i).crafts["succeeded"] > before:
                self.held[c]["planks"] += 4

    @rule(
        i=st.integers(0, 2),
        j=st.integers(0, 2),
        kind=st.sampled_from(["help", "attack", "wave"]),
        delta=st.integers(-30, 30),
    )
    def interact(self, i, j, kind, delta):
        a, b = self.characters[i], self.characters[j]
        self.run(lambda: self.game.interact(self.owner[a], a, b, kind, delta))

    @rule(i=st.integers(0, 2), amount=st.integers(1, 5000))
    def experience(self, i, amount):
        self.run(lambda: self.game.grant_experience(self.characters[i], amount, "quest"))

    @rule(i=st.integers(0, 2))
    def check_achievements(self, i):
        from datetime import UTC, datetime

        self.run(lambda: self.game.check_achievements(self.characters[i], datetime.now(UTC)))

    @rule(i=st.integers(0, 2), changes=st.dictionaries(KEYS, TYPES, min_size=1, max_size=3))
    def edit(self, i, changes):
        c = self.characters[i]
        blocks = {k: {"type": t} for k, t in changes.items()}
        if self.run(lambda: self.game.building.edit_chunk(self.owner[c], self.world, COORDINATES, blocks, None, c)):
            self.edits.append({**self.edits[-1], **{k: {"type": t, "metadata": {}} for k, t in changes.items()}})

    @rule(version=st.integers(0, 12))
    def restore(self, version):
        if self.run(lambda: self.game.building.restore_chunk(self.world, COORDINATES, version, None)):
            chunk = self.game.store.load(Chunk, chunk_id(self.world, *COORDINATES))
            while len(self.edits) < chunk.version:
                self.edits.append(self.edits[version - 1])
            assert chunk.edits == self.edits[version - 1]

    @invariant()
    def items_are_conserved_and_slots_sound(self):
        for i, c in enumerate(self.characters):
            inventory = self.character(i).inventory
            counted = Counter()
            for slot, stack in inventory.items():
                counted[stack["item_name"]] += stack["quantity"]
                assert 0 < stack["quantity"] <= (STACK_MAX if not stack["item_data"] else 1)
                assert int(slot) < BAG_SLOTS or int(slot) in EQUIPMENT
                if int(slot) in EQUIPMENT:
                    assert stack["item_type"] in EQUIPMENT[int(slot)][1]
            assert counted == +self.held[c], (counted, self.held[c])

    @invariant()
    def the_chunk_holds_the_models_edits(self):
        try:
            chunk = self.game.store.load(Chunk, chunk_id(self.world, *COORDINATES))
        except NotFound:
            return
        assert chunk.edits == self.edits[-1]

    @invariant()
    def a_pair_has_one_value_both_characters_mirror(self):
        for i in range(3):
            for j in range(i + 1, 3):
                a, b = self.characters[i], self.characters[j]
                try:
                    pair = self.game.store.load(Relationship, relationship_id(a, b))
                except NotFound:
                    continue
                assert -100 <= pair.value <= 100 and len(pair.history) <= HISTORY_MAX
                assert self.character(i).relationships[str(b)] == self.character(j).relationships[str(a)] == pair.value

    @invariant()
    def levels_follow_experience_and_achievements_are_unlocked_once(self):
        for i in range(3):
            character = self.character(i)
            assert character.level == level_for(character.experience)
        for player in self.players:
            try:
                achievements = self.game.store.load(Achievements, achievements_id(player))
            except NotFound:
                continue
            names = [
                e.achievement_name
                for e in self.game.store.events.get(achievements.id)
                if hasattr(e, "achievement_name")
            ]
            assert len(names) == len(set(names)) == len(achievements.unlocked)

    def aggregate_ids(self) -> set:
        return {
            *self.characters,
            chunk_id(self.world, *COORDINATES),
            *(relationship_id(a, b) for a in self.characters for b in self.characters if a != b),
            *(achievements_id(p) for p in self.players),
        }

    def teardown(self):
        """Every aggregate, rebuilt from its events and from a snapshot, is the stored one."""
        if not hasattr(self, "game"):
            return
        for aggregate_id in self.aggregate_ids():
            events = list(self.game.store.events.get(aggregate_id))
            if not events:
                continue
            stored = self.game.store.repository.get(aggregate_id)
            assert replay(events) == stored
            assert restore_snapshot(stored) == stored


AdventureMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
TestAdventure = AdventureMachine.TestCase
