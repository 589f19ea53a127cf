"""The identifiers a player can claim, at their boundaries, with the messages
and fields clients show."""

from __future__ import annotations

import pytest

from domain.accounts.claims import (
    PLATFORM_USER_ID_MAX,
    PLATFORMS,
    check_platform_link,
    clean_email,
    clean_username,
)
from domain.accounts.errors import InvalidPlatformLink
from domain.kernel.errors import InvalidCommand


@pytest.mark.parametrize("name", ["abc", "a" * 32, "Ada_L.ove-lace", " ada_l "])
def test_usernames_of_3_to_32_allowed_characters_are_kept_as_given_but_trimmed(name):
    assert clean_username(name) == name.strip()


@pytest.mark.parametrize("name", ["ab", "a" * 33, "has space", "ädä", "a@b", "", "   "])
def test_other_usernames_are_refused_naming_the_field(name):
    with pytest.raises(InvalidCommand) as refused:
        clean_username(name)
    assert refused.value.details == {"field": "username"}
    assert refused.value.message == "a username is 3 to 32 letters, digits, '_', '.' or '-'"


def test_emails_are_trimmed_and_lower_cased():
    assert clean_email("  Ada@Example.ORG ") == "ada@example.org"


def test_an_email_of_254_characters_is_the_longest_accepted():
    local, domain = "a" * 64, "b" * 184 + ".org"  # 64 + 1 + 188 = 253
    assert clean_email(f"{local}@{domain}x") == f"{local}@{domain}x"
    with pytest.raises(InvalidCommand):
        clean_email(f"{local}@{domain}xy")


@pytest.mark.parametrize("email", ["ada", "ada@", "@example.org", "a@b", "a b@example.org", "a@@example.org"])
def test_what_is_not_an_email_is_refused_naming_the_field(email):
    with pytest.raises(InvalidCommand) as refused:
        clean_email(email)
    assert (refused.value.message, refused.value.details) == ("that is not an email address", {"field": "email"})


def test_platforms_are_case_insensitive_and_ids_trimmed_up_to_their_bound():
    assert check_platform_link(" Steam ", " 42 ") == ("steam", "42")
    assert check_platform_link("psn", "x" * PLATFORM_USER_ID_MAX) == ("psn", "x" * PLATFORM_USER_ID_MAX)
    with pytest.raises(InvalidPlatformLink, match=f"platform user id must be 1 to {PLATFORM_USER_ID_MAX}"):
        check_platform_link("psn", "x" * (PLATFORM_USER_ID_MAX + 1))
    with pytest.raises(InvalidPlatformLink):
        check_platform_link("psn", "   ")


def test_an_unknown_platform_is_refused_listing_the_known_ones():
    with pytest.raises(InvalidPlatformLink) as refused:
        check_platform_link("myspace", "42")
    assert refused.value.message == "unknown platform 'myspace'"
    assert refused.value.details == {"allowed": sorted(PLATFORMS)}
