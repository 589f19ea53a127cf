"""The kernel's store, on eventsourcing's in-memory recorder: loading with its
checks, the one load-decide-save loop, bounded saves."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.accounts import Player
from domain.kernel.errors import ConcurrentWrite, NotFound, PermissionDenied, TooManyEvents, VersionConflict
from domain.kernel.saving import MAX_EVENTS_PER_SAVE
from domain.live import Character
from tests.support import memory_app


def test_load_checks_type_ownership_and_version():
    app = memory_app()
    player = app.accounts.create_player("Ada").aggregate
    with pytest.raises(NotFound):
        app.store.load(Character, player.id)  # the id exists, as another type
    with pytest.raises(NotFound):
        app.store.load(Player, uuid4())
    with pytest.raises(PermissionDenied):
        app.store.load(Player, player.id, actor_id=uuid4())
    with pytest.raises(VersionConflict) as conflict:
        app.store.load(Player, player.id, expected_version=1)
    assert conflict.value.details == {"current_version": player.version}


def test_a_command_that_loses_a_race_is_decided_again_on_fresh_state():
    app = memory_app()
    player = app.accounts.create_player("Ada").aggregate
    seen = []

    def decide(p: Player) -> None:
        seen.append(p.version)
        if len(seen) == 1:  # another writer gets in between this load and its save
            app.accounts.update_player(player.id, telemetry_opt_out=True)
        p.rename(f"Ada {len(seen)}")

    written = app.store.command(Player, player.id, decide)
    assert seen == [player.version, player.version + 1]
    assert written.aggregate.display_name == "Ada 2"
    assert written.aggregate.telemetry_opt_out is True


def test_with_an_expected_version_a_lost_race_is_the_callers_to_resolve():
    app = memory_app()
    player = app.accounts.create_player("Ada").aggregate

    def decide(p: Player) -> None:
        app.accounts.update_player(player.id, telemetry_opt_out=True)
        p.rename("late")

    with pytest.raises(VersionConflict) as conflict:
        app.store.command(Player, player.id, decide, expected_version=player.version)
    assert conflict.value.details == {"current_version": player.version + 1}
    assert app.accounts.get_player(player.id).display_name == "Ada"


def test_a_race_lost_every_time_gives_up_with_concurrent_write():
    app = memory_app()
    player = app.accounts.create_player("Ada").aggregate

    def decide(p: Player) -> None:
        app.accounts.update_player(player.id, telemetry_opt_out=not p.telemetry_opt_out)
        p.rename("never")

    with pytest.raises(ConcurrentWrite):
        app.store.command(Player, player.id, decide)


def test_one_save_is_bounded():
    app = memory_app()
    character = app.live.create_character(uuid4(), "Ada").aggregate
    for i in range(MAX_EVENTS_PER_SAVE + 1):
        character.trigger_event(Character.Moved, position_x=i % 2, position_y=0)
    with pytest.raises(TooManyEvents) as refused:
        app.store.write(character)
    assert refused.value.details == {"limit": MAX_EVENTS_PER_SAVE}
    assert app.live.get_character(character.id).version == 1, "nothing of a refused save is stored"
