"""Accounts' use cases on the in-memory store: claims, logins, erasure."""

from __future__ import annotations

import pytest

from domain.accounts.errors import IdentifierTaken, InvalidCredentials, PlatformIdTaken, PlayerErased
from domain.accounts.players import Player
from domain.kernel.aggregate import ERASED
from domain.live import Character
from domain.narrative import SaveSlot
from tests.support import MemorySteps, memory_app


def test_a_platform_id_belongs_to_one_player_until_that_player_is_erased():
    app = memory_app()
    ada, bob = (app.accounts.create_player(n).aggregate for n in ("Ada", "Bob"))
    app.accounts.link_platform(ada.id, "steam", "765")
    with pytest.raises(PlatformIdTaken):
        app.accounts.link_platform(bob.id, "steam", "765")
    app.erasure.erase(ada.id)
    assert app.accounts.link_platform(bob.id, "steam", "765").aggregate.platform_links == {"steam": "765"}


def test_linking_the_same_id_again_records_nothing():
    app = memory_app()
    ada = app.accounts.create_player("Ada").aggregate
    first = app.accounts.link_platform(ada.id, "steam", "765")
    again = app.accounts.link_platform(ada.id, "steam", "765")
    assert again.position is None
    assert again.aggregate.version == first.aggregate.version


def test_a_username_or_email_someone_holds_is_refused_naming_which():
    app = memory_app()
    ada, bob = (app.accounts.create_player(n).aggregate for n in ("Ada", "Bob"))
    app.accounts.register_credentials(ada.id, "Ada", "ada@example.org", "hash")
    with pytest.raises(IdentifierTaken) as taken:
        app.accounts.register_credentials(bob.id, "ADA", "bob@example.org", "hash")
    assert taken.value.details == {"field": "username"}
    with pytest.raises(IdentifierTaken) as taken:
        app.accounts.register_credentials(bob.id, "bob", "ADA@example.org", "hash")
    assert taken.value.details == {"field": "email"}
    assert app.accounts.get_player(bob.id).username is None, "a refused upgrade changes nothing"


def test_an_unknown_login_costs_one_password_check_and_says_nothing_more():
    app = memory_app()
    checked = []
    with pytest.raises(InvalidCredentials) as refused:
        app.accounts.login("nobody", lambda stored: checked.append(stored) or False)
    assert checked == [None]
    assert refused.value.message == "unknown login or wrong password"


def test_failed_logins_are_recorded_and_never_lock_the_account():
    app = memory_app()
    ada = app.accounts.create_player("Ada").aggregate
    app.accounts.register_credentials(ada.id, "ada", "ada@example.org", "right")
    for _ in range(20):
        with pytest.raises(InvalidCredentials):
            app.accounts.login("ada", lambda stored: False)
    assert app.accounts.get_player(ada.id).failed_logins == 20
    assert app.accounts.login("ADA@example.org", lambda stored: stored == "right").aggregate.failed_logins == 0


def test_a_right_password_logs_in_and_resets_the_count():
    app = memory_app()
    ada = app.accounts.create_player("Ada").aggregate
    app.accounts.register_credentials(ada.id, "ada", "ada@example.org", "right")
    with pytest.raises(InvalidCredentials):
        app.accounts.login("ada", lambda stored: False)
    written = app.accounts.login("ada@example.org", lambda stored: stored == "right")
    assert written.aggregate.id == ada.id
    assert written.aggregate.failed_logins == 0


def test_erasure_forgets_everything_the_player_owns_in_chunks_and_then_the_player():
    app = memory_app()
    app.erasure.chunk = 2
    ada = app.accounts.create_player("Ada").aggregate
    app.accounts.link_platform(ada.id, "steam", "765")
    characters = [app.live.create_character(ada.id, f"Ada {i}").aggregate for i in range(5)]
    slot = app.narrative.open_save_slot(ada.id, "main").aggregate
    written = app.erasure.erase(ada.id)
    assert written.aggregate.erased
    assert all(app.live.get_character(c.id).display_name == ERASED for c in characters)
    assert app.narrative.get_save_slot(slot.id).owner_id == ada.id
    steps = app.erasure.steps
    assert isinstance(steps, MemorySteps) and steps.begun == [ada.id] and steps.finished == [ada.id]
    with pytest.raises(PlayerErased):
        app.accounts.update_player(ada.id, display_name="back")


def test_erasing_again_answers_the_same_and_records_nothing():
    app = memory_app()
    ada = app.accounts.create_player("Ada").aggregate
    app.live.create_character(ada.id, "Ada")
    first = app.erasure.erase(ada.id)
    version = app.accounts.get_player(ada.id).version
    again = app.erasure.erase(ada.id)
    assert again.position is None and again.aggregate.erased_at == first.aggregate.erased_at
    assert app.accounts.get_player(ada.id).version == version


def test_an_erasure_a_crash_interrupted_is_finished_by_resume():
    app = memory_app()
    ada = app.accounts.create_player("Ada").aggregate
    character = app.live.create_character(ada.id, "Ada").aggregate
    app.erasure.steps.begin(ada.id)  # the erasure began; the process died
    assert app.erasure.resume() == 1
    assert app.accounts.get_player(ada.id).erased
    assert app.live.get_character(character.id).display_name == ERASED
    assert app.erasure.resume() == 0


def test_what_a_player_owns_is_read_from_the_store_not_a_read_model():
    app = memory_app()
    ada = app.accounts.create_player("Ada").aggregate
    character = app.live.create_character(ada.id, "Ada").aggregate
    slot = app.narrative.open_save_slot(ada.id, "main").aggregate
    owned = app.erasure.owned(app.accounts.get_player(ada.id))
    assert set(owned) == {character.id, slot.id}
    kinds = app.store.holdings(ada.id).owned
    assert kinds == {str(character.id): Character.__name__, str(slot.id): SaveSlot.__name__}
    assert isinstance(app.accounts.get_player(ada.id), Player)
