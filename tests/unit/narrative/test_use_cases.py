"""The narrative context's use cases on the in-memory store."""

from __future__ import annotations

import hashlib

import pytest

from domain.accounts import SaveSlotLimitReached
from domain.kernel.errors import NotFound, PermissionDenied
from domain.narrative.catalogue import ItemDefinition, QuestDefinition, RewardBundle
from domain.narrative.content import ContentPackage, PackageExists
from domain.narrative.save_slots import InvalidChanges
from tests.support import memory_app


def test_a_slot_is_counted_on_its_player_and_the_limit_holds():
    app = memory_app(max_save_slots_per_player=2)
    ada = app.accounts.create_player("Ada").aggregate
    slots = [app.narrative.open_save_slot(ada.id, f"slot {i}").aggregate for i in range(2)]
    with pytest.raises(SaveSlotLimitReached) as refused:
        app.narrative.open_save_slot(ada.id, "one too many")
    assert refused.value.details == {"limit": 2}
    assert app.accounts.get_player(ada.id).save_slot_ids == [str(s.id) for s in slots]


def test_a_sync_reads_the_published_catalogue():
    app = memory_app()
    ada = app.accounts.create_player("Ada").aggregate
    slot = app.narrative.open_save_slot(ada.id, "main").aggregate
    change = {"type": "item_added", "item_id": "potion", "quantity": 1}
    with pytest.raises(InvalidChanges):
        app.narrative.sync_save_slot(slot.id, 0, [change])
    app.narrative.define_item(ItemDefinition(item_id="potion", name="Potion", max_stack=3, pickup_limit=1))
    synced = app.narrative.sync_save_slot(slot.id, 0, [change]).aggregate
    assert synced.held("potion") == 1 and synced.progression_version == 1


def test_a_quest_reward_needs_its_items_defined_and_republishing_the_same_records_nothing():
    app = memory_app()
    quest = QuestDefinition(quest_id="q", title="Q", reward_bundle=RewardBundle(items={"gem": 1}))
    with pytest.raises(Exception, match="not defined"):
        app.narrative.publish_quest(quest)
    app.narrative.define_item(ItemDefinition(item_id="gem", name="Gem"))
    assert app.narrative.publish_quest(quest).position is not None
    assert app.narrative.publish_quest(quest).position is None


def test_restore_needs_a_version_the_slot_had_and_its_owner():
    app = memory_app()
    ada, bob = (app.accounts.create_player(n).aggregate for n in ("Ada", "Bob"))
    slot = app.narrative.open_save_slot(ada.id, "main", {"chapter": 1}).aggregate
    app.narrative.save_progress(slot.id, {"chapter": 2}, expected_version=1)
    with pytest.raises(PermissionDenied):
        app.narrative.restore_save_slot(slot.id, 1, actor_id=bob.id)
    with pytest.raises(NotFound):
        app.narrative.restore_save_slot(slot.id, 9, actor_id=ada.id)
    restored = app.narrative.restore_save_slot(slot.id, 1, actor_id=ada.id).aggregate
    assert restored.narrative_state == {"chapter": 1} and restored.progression_version == 2


def test_a_content_package_is_published_once():
    app = memory_app()
    content = b"hotfix"
    digest = hashlib.sha256(content).hexdigest()
    app.narrative.publish_content(ContentPackage.publish("hotfix", "1.0.1", "", digest, content, "1.0"))
    with pytest.raises(PackageExists):
        app.narrative.publish_content(ContentPackage.publish("hotfix", "1.0.1", "", digest, content, "1.0"))


def test_a_package_keeps_its_own_version_apart_from_the_aggregates():
    package = ContentPackage.publish("hotfix", "2.1", "", hashlib.sha256(b"x").hexdigest(), b"x", "1.0")
    assert package.package_version == "2.1" and package.version == 1
