"""Accounts' use cases, what mutation testing showed no test stated: the
version and owner each command checks, the messages of a taken identity, a
claim lost to a racing writer, and one password check however often a login's
write is retried."""

from __future__ import annotations

import pytest

from domain.accounts.claims import PlatformLink, platform_link_id
from domain.accounts.errors import IdentifierTaken, InvalidCredentials, PlatformIdTaken
from domain.kernel.errors import ConcurrentWrite, PermissionDenied, VersionConflict
from tests.support import memory_app


def two_players():
    app = memory_app()
    ada, bob = (app.accounts.create_player(n).aggregate for n in ("Ada", "Bob"))
    return app, ada, bob


def test_updating_a_player_renames_and_checks_version_and_owner():
    app, ada, bob = two_players()
    renamed = app.accounts.update_player(ada.id, display_name="Countess", expected_version=ada.version, actor_id=ada.id)
    assert renamed.aggregate.display_name == "Countess"
    with pytest.raises(VersionConflict):
        app.accounts.update_player(ada.id, display_name="Late", expected_version=ada.version)
    with pytest.raises(PermissionDenied):
        app.accounts.update_player(ada.id, display_name="Mallory", actor_id=bob.id)
    assert app.accounts.get_player(ada.id).display_name == "Countess"


@pytest.mark.parametrize("command", ["link", "register"])
def test_claims_check_version_and_owner_first(command):
    app, ada, bob = two_players()

    def claim(**kwargs):
        if command == "link":
            return app.accounts.link_platform(ada.id, "steam", "765", **kwargs)
        return app.accounts.register_credentials(ada.id, "ada", "ada@example.org", "hash", **kwargs)

    with pytest.raises(VersionConflict):
        claim(expected_version=ada.version + 1)
    with pytest.raises(PermissionDenied):
        claim(actor_id=bob.id)
    assert claim(expected_version=ada.version, actor_id=ada.id).position is not None


def test_a_taken_identity_is_named_in_the_answer():
    app, ada, bob = two_players()
    app.accounts.link_platform(ada.id, "steam", "765")
    with pytest.raises(PlatformIdTaken) as taken:
        app.accounts.link_platform(bob.id, "steam", "765")
    assert taken.value.message == "steam id '765' is linked to another player"
    assert taken.value.details == {"platform": "steam"}
    app.accounts.register_credentials(ada.id, "ada", "ada@example.org", "hash")
    with pytest.raises(IdentifierTaken) as taken:
        app.accounts.register_credentials(bob.id, "ada", "bob@example.org", "hash")
    assert taken.value.message == "that username belongs to another player"


@pytest.mark.parametrize("if_match", [False, True])
def test_a_claim_lost_to_a_racing_writer_names_what_was_taken(if_match):
    app, ada, bob = two_players()
    expected_version = ada.version if if_match else None
    store = app.store
    written = store.written

    def bob_wins_first(aggregate, *others):
        if others and not getattr(bob_wins_first, "done", False):
            bob_wins_first.done = True
            written(PlatformLink(platform="steam", platform_user_id="765", player_id=bob.id))
            raise ConcurrentWrite("another writer changed this aggregate first")
        return written(aggregate, *others)

    store.written = bob_wins_first
    with pytest.raises(PlatformIdTaken) as taken:
        app.accounts.link_platform(ada.id, "steam", "765", expected_version=expected_version)
    assert taken.value.details == {"platform": "steam"}
    assert store.load(PlatformLink, platform_link_id("steam", "765")).player_id == bob.id
    assert app.accounts.get_player(ada.id).platform_links == {}


def test_a_login_retried_after_a_lost_race_checks_the_password_once():
    app, ada, _ = two_players()
    app.accounts.register_credentials(ada.id, "ada", "ada@example.org", "right")
    store = app.store
    written, raced = store.written, []

    def lose_once(aggregate, *others):
        if not raced:
            raced.append(True)
            raise ConcurrentWrite("another writer changed this aggregate first")
        return written(aggregate, *others)

    store.written = lose_once
    checks = []
    logged_in = app.accounts.login("ada", lambda stored: checks.append(stored) or stored == "right")
    assert checks == ["right"] and raced == [True]
    assert logged_in.aggregate.failed_logins == 0

    raced.clear()
    checks.clear()
    with pytest.raises(InvalidCredentials) as refused:
        app.accounts.login("ADA@example.org", lambda stored: checks.append(stored) or False)
    assert checks == ["right"]
    assert refused.value.message == "unknown login or wrong password"
    assert app.accounts.get_player(ada.id).failed_logins == 1
