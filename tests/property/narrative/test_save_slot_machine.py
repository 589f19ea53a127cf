"""Any sequence of SaveSlot commands (saves, syncs from two devices playing
offline, restores) keeps the invariants, and replaying the recorded events
rebuilds an equal slot.

Sync property (docs/sync.md): any interleaving of two devices' change lists
either merges into a state that keeps every invariant, or is refused and
changes nothing; an acknowledged change is never lost (what it reached or
chose stays until a restore explicitly goes back)."""

from __future__ import annotations

from uuid import uuid4

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from domain.kernel.errors import Conflict, InvalidCommand
from domain.narrative.catalogue import Catalogue, ItemDefinition, QuestDefinition, RewardBundle
from domain.narrative.rules import FLAGS, NODES
from domain.narrative.save_slots import SaveSlot
from tests import strategies as s
from tests.property.support import RecordingMachineMixin, attempt, replay


def catalogue() -> Catalogue:
    c = Catalogue()
    c.define_item(ItemDefinition(item_id="potion", name="Potion", max_stack=5, pickup_limit=2))
    c.define_item(ItemDefinition(item_id="key", name="Key", max_stack=1, pickup_limit=1))
    c.define_item(ItemDefinition(item_id="crown", name="Crown", max_stack=1, pickup_limit=0))
    c.publish_quest(
        QuestDefinition(
            quest_id="q1",
            title="One",
            required_flags=["a"],
            reward_bundle=RewardBundle(items={"crown": 1}, flags=["b"]),
        )
    )
    c.publish_quest(
        QuestDefinition(
            quest_id="q2", title="Two", required_flags=["b"], reward_bundle=RewardBundle(items={"potion": 3})
        )
    )
    return c


CATALOGUE = catalogue()
changes = st.one_of(
    st.builds(
        lambda t, f: {"type": t, "flag": f},
        st.sampled_from(["flag_set", "flag_cleared"]),
        st.sampled_from(["a", "b", "c"]),
    ),
    st.builds(lambda n: {"type": "node_reached", "node": n}, st.sampled_from(["n1", "n2", "n3"])),
    st.builds(
        lambda c, o: {"type": "choice_made", "choice": c, "option": o},
        st.sampled_from(["c1", "c2"]),
        st.sampled_from(["x", "y"]),
    ),
    st.builds(
        lambda t, q: {"type": t, "quest_id": q},
        st.sampled_from(["quest_progressed", "quest_completed", "quest_failed"]),
        st.sampled_from(["q1", "q2"]),
    ),
    st.builds(
        lambda t, i, n: {"type": t, "item_id": i, "quantity": n},
        st.sampled_from(["item_added", "item_removed"]),
        st.sampled_from(["potion", "key"]),
        st.integers(1, 2),
    ),
)
DEVICES = st.sampled_from(["phone", "laptop"])


class SaveSlotMachine(RecordingMachineMixin, RuleBasedStateMachine):
    @initialize(state=s.narrative_states, name=st.text(min_size=1, max_size=20).filter(str.strip))
    def open(self, state, name):
        self.recorded = []
        self.owner = uuid4()
        self.slot = SaveSlot.open(self.owner, name, state)
        self.saves = 0
        self.devices = {d: {"base": 0, "pending": []} for d in ("phone", "laptop")}
        self.acked_nodes: set[str] = set()
        self.acked_choices: dict[str, str] = {}
        self.versions = [self.slot.version]  # aggregate version after each save, by progression version

    def _saved(self):
        self.saves += 1
        self.collect(self.slot)
        self.versions.append(self.slot.version)

    @rule(state=s.narrative_states)
    def put(self, state):
        before = self.slot.progression_version
        self.slot.save_progress(state)
        self._saved()
        assert self.slot.progression_version == before + 1
        assert {k: v for k, v in self.slot.narrative_state.items() if k not in ("flags", "nodes", "choices")} == state

    @rule(device=DEVICES, change=changes)
    def play_offline(self, device, change):
        pending = self.devices[device]["pending"]
        if len(pending) < 8:
            pending.append(change)

    @rule(device=DEVICES)
    def sync(self, device):
        d = self.devices[device]
        if attempt(self.slot, lambda: self.slot.sync(d["base"], d["pending"], CATALOGUE)):
            self._saved()
            for change in d["pending"]:  # acknowledged: must never be lost
                if change["type"] == "node_reached":
                    self.acked_nodes.add(change["node"])
                if change["type"] == "choice_made":
                    self.acked_choices[change["choice"]] = change["option"]
        # Acknowledged or refused, the device takes the server's state and starts afresh.
        d["base"], d["pending"] = self.slot.progression_version, []

    @precondition(lambda self: self.saves > 0)
    @rule(data=st.data())
    def restore(self, data):
        target = data.draw(st.integers(0, self.slot.progression_version))
        events_upto = self.versions[target]
        self.collect(self.slot)
        past = replay(self.recorded[:events_upto])
        assert past.progression_version == target
        self.slot.restore(past)
        self._saved()
        self.acked_nodes = set(past.narrative_state.get(NODES, []))
        self.acked_choices = dict(past.narrative_state.get("choices", {}))

    @invariant()
    def progression_counts_saves_and_owner_never_changes(self):
        assert self.slot.progression_version == self.saves
        assert self.slot.owner_id == self.owner

    @invariant()
    def inventory_is_within_the_rules(self):
        for item_id, entry in self.slot.inventory.items():
            assert item_id in CATALOGUE.items
            assert 1 <= entry["quantity"] <= CATALOGUE.items[item_id]["max_stack"]

    @invariant()
    def quests_follow_their_flags_and_statuses(self):
        flags = set(self.slot.narrative_state.get(FLAGS, []))
        for quest_id, status in self.slot.quests.items():
            assert status in ("locked", "available", "active", "completed", "failed")
            if status == "available":
                assert set(CATALOGUE.quests[quest_id]["required_flags"]) <= flags

    @invariant()
    def acknowledged_changes_are_never_lost(self):
        assert self.acked_nodes <= set(self.slot.narrative_state.get(NODES, []))
        choices = self.slot.narrative_state.get("choices", {})
        assert all(choices.get(c) == o for c, o in self.acked_choices.items())

    @invariant()
    def replay_rebuilds_the_same_slot(self):
        self.check_replay(self.slot)


SaveSlotMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
TestSaveSlotMachine = SaveSlotMachine.TestCase


def test_rewards_are_granted_once_per_completion():
    slot = SaveSlot.open(uuid4(), "main")
    slot.sync(
        0,
        [
            {"type": "flag_set", "flag": "a"},
            {"type": "quest_progressed", "quest_id": "q1"},
            {"type": "quest_completed", "quest_id": "q1"},
        ],
        CATALOGUE,
    )
    slot.sync(1, [{"type": "quest_completed", "quest_id": "q1"}], CATALOGUE)  # again: a no-op
    grants = [e for e in slot.collect_events() if isinstance(e, SaveSlot.ItemAdded) and e.source == "reward"]
    assert [(g.item_id, g.quest_id) for g in grants] == [("crown", "q1")]
    assert slot.quests["q2"] == "available"  # the reward's flag opened the next quest


def test_a_refused_sync_is_a_conflict_only_when_the_server_moved_on():
    slot = SaveSlot.open(uuid4(), "main")
    spend = [{"type": "item_removed", "item_id": "potion", "quantity": 1}]
    assert not attempt(slot, lambda: slot.sync(0, spend, CATALOGUE))
    try:
        slot.sync(0, spend, CATALOGUE)
    except Conflict:
        raise AssertionError("the client was up to date: invalid, not a conflict") from None
    except InvalidCommand:
        pass
    slot.save_progress({})
    try:
        slot.sync(0, spend, CATALOGUE)
    except Conflict as e:
        assert e.details["server_state"]["progression_version"] == 1
    else:
        raise AssertionError("expected a conflict")
