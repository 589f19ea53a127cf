"""Stories and choices at every bound (docs/adventure.md, "Stories")."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from domain.adventure import Story
from domain.adventure.characters import CHOICE_TEXT_MAX, InvalidCharacter
from domain.adventure.inventory import InsufficientItems
from domain.adventure.rules import InvalidRule
from domain.adventure.stories import (
    BRANCHES_MAX,
    BRANCHES_PER_WRITE,
    DEPTH_MAX,
    ORDER_MAX,
    TEXT_MAX,
    BranchCycle,
    BranchExists,
    BranchUnreachable,
    InvalidStory,
    StoryInactive,
)
from domain.adventure.storytelling import ChoiceRefused
from domain.kernel.errors import NotFound
from domain.kernel.text import InvalidDisplayName
from tests.unit.adventure.helpers import adventure


def story(**changes) -> Story:
    base = {"world_id": uuid4(), "title": "The King", "description": "", "story_type": "main", "metadata": {}}
    return Story.create(**{**base, **changes})


def branch(parent: UUID | None = None, **changes) -> dict:
    return {"branch_id": uuid4(), "parent_branch_id": parent, "branch_name": "B", **changes}


def test_a_story_is_checked_when_written():
    made = story(title="  The King  ", description="x" * TEXT_MAX, metadata={"mood": "grim"})
    assert (made.title, made.is_active, made.branches, made.metadata) == ("The King", True, {}, {"mood": "grim"})
    with pytest.raises(InvalidStory, match="'saga' is not a story type") as kind:
        story(story_type="saga")
    assert kind.value.details == {"story_types": ["main", "side", "personal", "world", "seasonal"]}
    with pytest.raises(InvalidStory, match=f"^description is a text of at most {TEXT_MAX} characters$"):
        story(description="x" * (TEXT_MAX + 1))
    with pytest.raises(InvalidStory, match=r"^description is a text"):
        story(description="a\x00b")
    with pytest.raises(InvalidStory, match=r"^description is a text"):
        story(description=3)
    with pytest.raises(InvalidDisplayName):
        story(title="")
    with pytest.raises(Exception, match="metadata must be a JSON object"):
        story(metadata=[])


def test_branches_are_added_parents_first_and_kept_for_choosing():
    made = story()
    root, child, grandchild = uuid4(), uuid4(), uuid4()
    given = [
        {"branch_id": str(grandchild), "parent_branch_id": child, "branch_name": "C", "branch_order": ORDER_MAX},
        {"branch_id": child, "parent_branch_id": root, "branch_name": "B", "content": "x" * TEXT_MAX},
        {"branch_id": root, "branch_name": "A", "conditions": {"level": 2}, "consequences": {"experience": 5}},
    ]
    assert made.add_branches(given) == [grandchild, child, root]  # the order given
    added = [e for e in made.pending_events if isinstance(e, Story.BranchAdded)]
    assert [e.branch_id for e in added] == [root, child, grandchild]  # recorded parents first
    assert added[1].content == "x" * TEXT_MAX and added[2].branch_order == ORDER_MAX
    assert made.branches[str(root)] == {
        "parent": None,
        "name": "A",
        "depth": 0,
        "conditions": {"level": 2},
        "consequences": {"experience": 5},
    }
    assert made.branches[str(grandchild)]["depth"] == 2 and "content" not in made.branches[str(child)]
    assert made.next_choices([]) == [str(root)]
    assert made.next_choices([str(root)]) == [str(child)]
    assert made.next_choices([str(root), str(child), str(grandchild)]) == []


@pytest.mark.parametrize(
    ("given", "error", "message"),
    [
        ([], InvalidStory, f"^a write adds 1 to {BRANCHES_PER_WRITE} branches$"),
        ([branch() for _ in range(BRANCHES_PER_WRITE + 1)], InvalidStory, "a write adds 1 to"),
        ([branch(branch_order=-1)], InvalidStory, f"^branches\\[0\\].branch_order is 0 to {ORDER_MAX}$"),
        ([branch(branch_order=ORDER_MAX + 1)], InvalidStory, "branch_order"),
        ([branch(branch_order="1")], InvalidStory, "branch_order"),
        ([{"branch_name": "no id"}], InvalidStory, r"^branches\[0\].branch_id is a UUID$"),
        ([branch(branch_id="nope")], InvalidStory, r"branch_id is a UUID"),
        ([branch(content="x" * (TEXT_MAX + 1))], InvalidStory, r"^branches\[0\].content is a text"),
        ([branch(conditions={"level": 0})], InvalidRule, r"^branches\[0\].conditions.level"),
        ([branch(), branch(consequences={"gold": 1})], InvalidRule, r"^branches\[1\].consequences is an object"),
        ([branch(parent=uuid4())], InvalidStory, "is not a branch of this story"),
    ],
)
def test_bad_branches_are_refused_and_record_nothing(given, error, message):
    made = story()
    with pytest.raises(error, match=message):
        made.add_branches(given)
    assert made.branches == {} and len(made.pending_events) == 1


def test_an_id_twice_or_a_circle_is_refused():
    made = story()
    root = branch()
    made.add_branches([root])
    with pytest.raises(BranchExists, match=f"branch {root['branch_id']} is already in the story"):
        made.add_branches([{**root, "branch_name": "Again"}])
    twin = branch()
    with pytest.raises(BranchExists):
        made.add_branches([twin, twin])
    a, b, c = uuid4(), uuid4(), uuid4()
    with pytest.raises(BranchCycle) as cycle:
        made.add_branches([branch(a, branch_id=b), branch(b, branch_id=a), branch(root["branch_id"], branch_id=c)])
    assert cycle.value.details == {"branch_ids": sorted([str(a), str(b)])}
    with pytest.raises(BranchCycle):
        made.add_branches([branch(a, branch_id=a)])
    assert list(made.branches) == [str(root["branch_id"])]


def test_a_story_is_at_most_so_deep_and_so_large():
    made = story()
    chain, parent = [], None
    for _ in range(DEPTH_MAX + 1):
        chain.append(branch(parent))
        parent = chain[-1]["branch_id"]
    with pytest.raises(InvalidStory, match=f"^a story is at most {DEPTH_MAX} branches deep$"):
        made.add_branches(chain)
    made.add_branches(chain[: DEPTH_MAX - 1])
    assert max(b["depth"] for b in made.branches.values()) == DEPTH_MAX - 2
    made.add_branches([chain[DEPTH_MAX - 1]])  # the deepest there is: DEPTH_MAX choices from the way in
    with pytest.raises(InvalidStory, match="branches deep"):
        made.add_branches([chain[DEPTH_MAX]])
    made.branches.update({str(uuid4()): {"parent": None, "depth": 0} for _ in range(BRANCHES_MAX - DEPTH_MAX)})
    with pytest.raises(InvalidStory, match=f"^a story has at most {BRANCHES_MAX} branches$"):
        made.add_branches([branch()])
    assert len(made.branches) == BRANCHES_MAX


def test_a_choice_is_a_next_step_of_the_path_in_an_active_story():
    made = story()
    root, other_root = branch(), branch()
    child = branch(root["branch_id"], branch_name="Bow")
    made.add_branches([root, other_root, child])
    r, o, c = (str(b["branch_id"]) for b in (root, other_root, child))
    assert made.choice([], root["branch_id"])["name"] == "B"
    assert made.choice([r], child["branch_id"])["name"] == "Bow"
    with pytest.raises(BranchUnreachable, match=r"^'Bow' is not a next choice: the character has not begun the story$"):
        made.choice([], child["branch_id"])
    with pytest.raises(BranchUnreachable, match=r"^'B' is not a next choice: the character is at 'Bow'$") as where:
        made.choice([r, c], other_root["branch_id"])
    assert where.value.details == {"branch_id": o, "current_branch_id": c}
    with pytest.raises(BranchUnreachable, match="the character chose it already"):
        made.choice([r, c], child["branch_id"])
    with pytest.raises(InvalidStory, match="is not in the story 'The King'"):
        made.choice([], uuid4())
    made.set_active(False)
    made.set_active(False)  # no second event
    assert sum(isinstance(e, Story.ActivityChanged) for e in made.pending_events) == 1
    with pytest.raises(StoryInactive, match=r"^the story 'The King' is not active$"):
        made.choice([], root["branch_id"])


def test_a_choice_applies_every_consequence_in_one_write():
    game, world_id, player, ada, bob = adventure()
    other = game.create_character(uuid4(), world_id, "Cid", "mage", {}, (0, 70, 0)).aggregate.id
    root, step = uuid4(), uuid4()
    consequences = {
        "experience": 100,
        "stats": {"charisma": 3, "health": -5},
        "items": [{"item_type": "trinket", "item_name": "seal", "quantity": 2}],
        "flags": {"met_king": True},
        "world_flags": {"court": "pleased"},
        "relationships": {str(other): 7, str(ada): 5},  # ada herself: no relationship with oneself
    }
    made = game.stories.create_story(
        world_id,
        "The King",
        "",
        "main",
        {},
        [
            {"branch_id": root, "branch_name": "Bow", "consequences": consequences},
            {
                "branch_id": step,
                "parent_branch_id": root,
                "branch_name": "Give",
                "consequences": {"take_items": {"seal": 3}},
            },
        ],
    ).aggregate
    before = game.store.recorder.max_notification_id()
    written = game.stories.choose(player, ada, made.id, root, "I bow", {"gesture": "deep"})
    character = written.aggregate
    assert character.stories == {str(made.id): [str(root)]} and character.flags == {"met_king": True}
    assert character.experience == 100 and character.level == 2
    assert character.stats["charisma"] == 17 and character.stats["health"] == 100 + 10 - 5
    assert sum(s["quantity"] for s in character.inventory.values()) == 2
    assert character.relationships == {str(other): 7}
    assert game.world(world_id).flags == {"court": "pleased"}
    events = list(game.store.events.get(ada, gt=1))
    chosen = next(e for e in events if type(e).__name__ == "BranchChosen")
    assert (chosen.choice_text, chosen.choice_data, chosen.consequences["experience"]) == (
        "I bow",
        {"gesture": "deep"},
        100,
    )
    slot_changes = [e for e in events if type(e).__name__ == "SlotChanged"]
    assert {e.reference for e in slot_changes} == {root} and {e.reason for e in slot_changes} == {"story"}
    assert game.store.recorder.max_notification_id() > before
    head = game.store.recorder.max_notification_id()
    with pytest.raises(InsufficientItems):
        game.stories.choose(player, ada, made.id, step)
    with pytest.raises(BranchUnreachable):
        game.stories.choose(player, bob, made.id, step)
    assert game.store.recorder.max_notification_id() == head


def test_choices_are_refused_across_worlds_and_for_text_too_long():
    game, world_id, player, ada, _ = adventure()
    elsewhere = game.create_world("Elsewhere", "flat", 3, {}, {}).aggregate.id
    stranger = game.create_character(uuid4(), elsewhere, "Eve", "mage", {}, (0, 70, 0)).aggregate.id
    root = uuid4()
    made = game.stories.create_story(elsewhere, "Far", "", "side", {}, [{"branch_id": root, "branch_name": "Go"}])
    with pytest.raises(InvalidStory, match=r"^the story is in another world than the character$"):
        game.stories.choose(player, ada, made.aggregate.id, root)
    with pytest.raises(InvalidStory, match=r"^branches\[0\].consequences.relationships: .* is no character"):
        game.stories.create_story(
            world_id, "T", "", "main", {}, [branch(consequences={"relationships": {str(stranger): 1}})]
        )
    with pytest.raises(InvalidStory, match="is no character of the story's world"):
        game.stories.add_branches(made.aggregate.id, [branch(consequences={"relationships": {str(uuid4()): 1}})])
    with pytest.raises(NotFound):
        game.stories.create_story(uuid4(), "T", "", "main", {})
    here = game.stories.create_story(world_id, "Near", "", "side", {}, [{"branch_id": root, "branch_name": "Go"}])
    with pytest.raises(InvalidCharacter, match=f"^choice_text is a text of at most {CHOICE_TEXT_MAX} characters$"):
        game.stories.choose(player, ada, here.aggregate.id, root, "x" * (CHOICE_TEXT_MAX + 1))
    conditional = game.stories.add_branches(
        here.aggregate.id,
        [
            {
                "branch_id": uuid4(),
                "parent_branch_id": root,
                "branch_name": "Up",
                "conditions": {"level": 9, "world_flags": {"court": "pleased"}},
            }
        ],
    ).aggregate
    game.stories.choose(player, ada, here.aggregate.id, root, "x" * CHOICE_TEXT_MAX)
    up = next(UUID(k) for k, b in conditional.branches.items() if b["name"] == "Up")
    with pytest.raises(ChoiceRefused, match=r"^'Up' needs level 9, world flag court = 'pleased'$") as refused:
        game.stories.choose(player, ada, here.aggregate.id, up)
    assert refused.value.details["unmet"] == ["level 9", "world flag court = 'pleased'"]
    assert game.stories.set_story_active(here.aggregate.id, False).aggregate.is_active is False


def test_choices_read_the_world_and_the_players_achievements_and_move_every_bond_named():
    from domain.adventure import Relationship
    from domain.adventure.achievements import Achievements, achievements_id
    from domain.adventure.relationships import relationship_id
    from domain.kernel.errors import PermissionDenied, VersionConflict

    game, world_id, player, ada, _ = adventure()
    cid = game.create_character(uuid4(), world_id, "Cid", "mage", {}, (0, 70, 0)).aggregate.id
    dee = game.create_character(uuid4(), world_id, "Dee", "mage", {}, (0, 70, 0)).aggregate.id
    game.interact(player, ada, cid, "greet", 5)  # a bond that exists already
    root, gate, honour = uuid4(), uuid4(), uuid4()
    story = game.stories.create_story(
        world_id,
        "Gate",
        "",
        "main",
        {},
        [
            {"branch_id": root, "branch_name": "Open", "consequences": {"world_flags": {"gate": "open"},
             "relationships": {str(ada): 3, str(cid): 4, str(dee): -6}}},
            {"branch_id": gate, "parent_branch_id": root, "branch_name": "Through",
             "conditions": {"world_flags": {"gate": "open"}, "achievements": ["first_craft"]}},
            {"branch_id": honour, "parent_branch_id": gate, "branch_name": "Honour"},
        ],
    ).aggregate  # fmt: skip
    with pytest.raises(VersionConflict):
        game.stories.add_branches(story.id, [branch(honour)], expected_version=1)
    assert game.stories.add_branches(story.id, [branch(honour, consequences={"relationships": {str(cid): 1}})],
                                     expected_version=story.version).aggregate.version > story.version  # fmt: skip
    with pytest.raises(VersionConflict):
        game.stories.set_story_active(story.id, False, expected_version=1)
    with pytest.raises(PermissionDenied):
        game.stories.choose(uuid4(), ada, story.id, root)
    game.stories.choose(player, ada, story.id, root)
    assert game.world(world_id).flags == {"gate": "open"}
    mirrored = game.character(ada).relationships
    assert mirrored == {str(cid): 9, str(dee): -6}  # herself skipped; the bond with Cid moved on from 5
    for other, value in ((cid, 9), (dee, -6)):
        pair = game.store.load(Relationship, relationship_id(ada, other))
        assert pair.value == value and pair.history[-1]["detail"] == {"branch_id": str(root)}
        assert game.character(other).relationships == {str(ada): value}
    with pytest.raises(ChoiceRefused) as refused:
        game.stories.choose(player, ada, story.id, gate)
    assert refused.value.details == {"branch_id": str(gate), "unmet": ["achievement first_craft"]}
    achievements = Achievements(owner=player)
    achievements.trigger_event(
        Achievements.Unlocked,
        owner=player,
        achievement_name="first_craft",
        description="",
        points=10,
        unlock_data={},
        hidden=False,
    )
    game.store.write(achievements)
    assert achievements.id == achievements_id(player)
    game.stories.choose(player, ada, story.id, gate)
    with pytest.raises(InvalidStory) as elsewhere:
        other_world = game.create_world("Far", "flat", 2, {}, {}).aggregate.id
        far = game.stories.create_story(other_world, "Far", "", "main", {}, [branch()]).aggregate
        game.stories.choose(player, ada, far.id, UUID(next(iter(far.branches))))
    assert elsewhere.value.details == {"story_id": str(far.id)}


def test_every_story_refusal_names_what_it_is_about():
    made = story(title="x" * 128, description="d", story_type="side")
    assert (made.title, made.description, made.story_type) == ("x" * 128, "d", "side")
    with pytest.raises(InvalidDisplayName):
        story(title="x" * 129)
    assert len(made.add_branches([branch() for _ in range(BRANCHES_PER_WRITE)])) == BRANCHES_PER_WRITE
    added = made.pending_events[1]
    assert (added.branch_order, added.content) == (0, "")  # the defaults
    assert made.branches[str(added.branch_id)]["depth"] == 0
    with pytest.raises(InvalidDisplayName):
        made.add_branches([{"branch_id": uuid4()}])  # no name
    with pytest.raises(InvalidDisplayName):
        made.add_branches([branch(branch_name="x" * 129)])
    known = str(added.branch_id)
    with pytest.raises(BranchExists) as exists:
        made.add_branches([branch(branch_id=added.branch_id)])
    assert exists.value.details == {"branch_id": known}
    orphan = branch(uuid4())
    with pytest.raises(InvalidStory) as lost:
        made.add_branches([orphan])
    assert lost.value.details == {"branch_id": str(orphan["branch_id"])}
    with pytest.raises(
        BranchCycle, match=r"^these branches' parents lead round in a circle: none of them reaches a root$"
    ):
        looped = uuid4()
        made.add_branches([branch(looped, branch_id=looped)])
    with pytest.raises(InvalidStory) as unknown:
        made.choice([], UUID(int=5))
    assert unknown.value.details == {"branch_id": str(UUID(int=5))}
    made.set_active(False)
    with pytest.raises(StoryInactive) as closed:
        made.choice([], added.branch_id)
    assert closed.value.details == {"story_id": str(made.id)}
    full = story()
    full.branches.update({str(uuid4()): {"parent": None, "depth": 0} for _ in range(BRANCHES_MAX - 1)})
    full.add_branches([branch()])  # the last one there is room for
    with pytest.raises(InvalidStory) as crowded:
        full.add_branches([branch()])
    assert crowded.value.details == {"branches": BRANCHES_MAX}
    chain, parent = [], None
    for _ in range(DEPTH_MAX + 1):
        chain.append(branch(parent))
        parent = chain[-1]["branch_id"]
    with pytest.raises(InvalidStory) as deep:
        story().add_branches(chain)
    assert deep.value.details == {"branch_id": str(chain[-1]["branch_id"])}
