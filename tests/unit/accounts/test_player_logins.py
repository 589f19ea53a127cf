"""Logins, credentials, claims and erasure of a Player: what mutation testing
showed no test stated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.accounts.errors import AccountLocked, CredentialsExist, PlayerErased, SaveSlotLimitReached
from domain.accounts.players import Player
from domain.kernel.errors import InvalidCommand

AT = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def account() -> Player:
    player = Player.create("Ada")
    player.register_credentials(" Ada_L ", " Ada@Example.org ", "$argon2id$hash")
    return player


def test_credentials_are_cleaned_once_and_registered_once():
    player = account()
    assert (player.username, player.email, player.password_hash) == ("Ada_L", "ada@example.org", "$argon2id$hash")
    with pytest.raises(CredentialsExist) as refused:
        player.register_credentials("other", "other@example.org", "h")
    assert refused.value.message == "this player already has a username and password"


def test_claims_are_the_platform_links_then_the_lower_cased_username_and_the_email():
    anonymous = Player.create()
    assert anonymous.claims() == []
    anonymous.link_platform("steam", "42")
    assert anonymous.claims() == [("steam", "42")]
    player = account()
    player.link_platform("psn", "7")
    assert player.claims() == [("psn", "7"), ("username", "ada_l"), ("email", "ada@example.org")]


def test_an_anonymous_player_cannot_log_in():
    with pytest.raises(InvalidCommand, match="this player has no password to log in with"):
        Player.create().check_login_allowed(AT)


def test_a_lock_an_earlier_version_recorded_holds_until_it_ends_and_says_how_long():
    player = account()
    player.locked_until = AT + timedelta(seconds=90)
    with pytest.raises(AccountLocked) as locked:
        player.check_login_allowed(AT)
    assert locked.value.details == {"retry_after": 91}
    with pytest.raises(AccountLocked) as almost:
        player.check_login_allowed(AT + timedelta(seconds=89, milliseconds=500))
    assert almost.value.details == {"retry_after": 1}
    player.check_login_allowed(AT + timedelta(seconds=90))  # over: allowed


def test_failures_count_up_and_a_success_after_them_resets_the_count():
    player = account()
    player.collect_events()
    player.login_failed(AT)
    player.login_failed(AT)
    assert (player.failed_logins, player.locked_until) == (2, None)
    player.login_succeeded(AT)
    assert player.failed_logins == 0
    recorded = [type(e).__name__ for e in player.collect_events()]
    assert recorded == ["LoginFailed", "LoginFailed", "LoginSucceeded", "Seen"]


def test_a_success_without_failures_records_only_presence():
    player = account()
    player.collect_events()
    player.login_succeeded(AT)
    assert [type(e).__name__ for e in player.collect_events()] == ["Seen"]


def test_an_erased_player_accepts_no_command_and_says_who_it_was():
    player = account()
    player.erase(AT)
    for command in (
        lambda: player.rename("Bob"),
        lambda: player.link_platform("steam", "1"),
        lambda: player.set_telemetry_opt_out(True),
        lambda: player.open_save_slot(uuid4(), 5),
        lambda: player.register_credentials("x_y_z", "x@example.org", "h"),
        lambda: player.check_login_allowed(AT),
    ):
        with pytest.raises(PlayerErased) as refused:
            command()
        assert refused.value.message == "this player was erased"
        assert refused.value.details == {"player_id": str(player.id)}
    player.collect_events()
    player.erase(AT)
    player.mark_seen(AT + timedelta(days=1))
    assert player.collect_events() == [], "erasing again, or presence after erasure, records nothing"


def test_the_save_slot_limit_is_exact_and_says_what_it_is():
    player = Player.create()
    for _ in range(2):
        player.open_save_slot(uuid4(), 2)
    assert len(player.save_slot_ids) == 2
    with pytest.raises(SaveSlotLimitReached) as refused:
        player.open_save_slot(uuid4(), 2)
    assert (refused.value.message, refused.value.details) == ("a player may hold at most 2 save slots", {"limit": 2})
