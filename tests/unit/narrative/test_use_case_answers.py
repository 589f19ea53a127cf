"""The narrative context's use cases, what mutation testing showed unstated:
the default slot limit, the owner and version each command checks, the range
a restore accepts, and the answers of a package published twice."""

from __future__ import annotations

import hashlib

import pytest

from domain.accounts import SaveSlotLimitReached
from domain.kernel.errors import NotFound, PermissionDenied, VersionConflict
from domain.kernel.store import Lorekeeper
from domain.narrative.content import ContentPackage, PackageExists
from domain.narrative.use_cases import NarrativeUseCases
from tests.support import memory_app


def slot_of_ada():
    app = memory_app()
    ada, bob = (app.accounts.create_player(n).aggregate for n in ("Ada", "Bob"))
    slot = app.narrative.open_save_slot(ada.id, "main", {"chapter": 1}).aggregate
    return app, ada, bob, slot


def test_without_settings_a_player_has_five_slots():
    app = memory_app()
    narrative = NarrativeUseCases(app.store)
    assert isinstance(app.store, Lorekeeper) and narrative.max_save_slots_per_player == 5
    ada = app.accounts.create_player("Ada").aggregate
    for i in range(5):
        narrative.open_save_slot(ada.id, f"slot {i}")
    with pytest.raises(SaveSlotLimitReached):
        narrative.open_save_slot(ada.id, "sixth")


def test_every_command_on_a_slot_checks_its_owner():
    app, _, bob, slot = slot_of_ada()
    for command in (
        lambda: app.narrative.get_save_slot(slot.id, actor_id=bob.id),
        lambda: app.narrative.save_progress(slot.id, {"chapter": 9}, None, actor_id=bob.id),
        lambda: app.narrative.sync_save_slot(slot.id, 0, [{"type": "flag_set", "flag": "x"}], actor_id=bob.id),
        lambda: app.narrative.restore_save_slot(slot.id, 1, actor_id=bob.id),
    ):
        with pytest.raises(PermissionDenied):
            command()
    assert app.narrative.get_save_slot(slot.id).version == slot.version


def test_saving_and_restoring_check_the_expected_version():
    app, ada, _, slot = slot_of_ada()
    with pytest.raises(VersionConflict):
        app.narrative.save_progress(slot.id, {"chapter": 2}, slot.version + 1, actor_id=ada.id)
    saved = app.narrative.save_progress(slot.id, {"chapter": 2}, slot.version, actor_id=ada.id).aggregate
    with pytest.raises(VersionConflict):
        app.narrative.restore_save_slot(slot.id, 1, expected_version=slot.version, actor_id=ada.id)
    restored = app.narrative.restore_save_slot(slot.id, 1, expected_version=saved.version, actor_id=ada.id)
    assert restored.aggregate.narrative_state == {"chapter": 1}


def test_a_restore_accepts_every_version_the_slot_had_and_names_one_it_never_had():
    app, ada, _, slot = slot_of_ada()
    app.narrative.save_progress(slot.id, {"chapter": 2}, slot.version)
    current = app.narrative.get_save_slot(slot.id).version
    assert app.narrative.restore_save_slot(slot.id, current).aggregate.narrative_state == {"chapter": 2}
    for missing in (0, app.narrative.get_save_slot(slot.id).version + 1):
        with pytest.raises(NotFound) as refused:
            app.narrative.restore_save_slot(slot.id, missing, actor_id=ada.id)
        assert refused.value.message == f"save slot {slot.id} has no version {missing}"
        assert refused.value.details == {"id": str(slot.id)}


def test_a_package_published_twice_names_the_first():
    app = memory_app()
    content = b"hotfix"
    digest = hashlib.sha256(content).hexdigest()
    first = app.narrative.publish_content(ContentPackage.publish("hotfix", "1.0.1", "", digest, content, "1.0"))
    assert isinstance(first.aggregate, ContentPackage) and first.position is not None
    with pytest.raises(PackageExists) as refused:
        app.narrative.publish_content(ContentPackage.publish("hotfix", "1.0.1", "", digest, content, "1.0"))
    assert refused.value.message == "hotfix 1.0.1 is already published"
    assert refused.value.details == {"package_id": str(first.aggregate.id)}
