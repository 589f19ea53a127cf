"""Claims: a platform id, username or email may belong to one player only.

The event store cannot enforce uniqueness across aggregates, so each value is
a ``PlatformLink`` claim aggregate whose id is derived from (kind, value): two
players claiming the same value race to create the same aggregate, and the
store's (originator_id, version) key lets exactly one of them win. Erasure
releases a player's claims, so the values can be used again. (Pilot names,
world names and recipe names reuse the same idea.)
"""

from __future__ import annotations

import re
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.accounts.errors import InvalidPlatformLink
from domain.kernel.aggregate import ERASED, Aggregate
from domain.kernel.errors import InvalidCommand

PLATFORMS = frozenset({"steam", "epic", "psn", "xbox", "nintendo", "apple", "google", "device"})
PLATFORM_USER_ID_MAX = 128
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{3,32}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{1,63}$")
# Claim kinds beside the platforms: the login identifiers.
USERNAME, EMAIL = "username", "email"


def clean_username(username: str) -> str:
    """The username as given (it displays that way); claims compare it lower-cased."""
    cleaned = username.strip()
    if not USERNAME_PATTERN.match(cleaned):
        raise InvalidCommand("a username is 3 to 32 letters, digits, '_', '.' or '-'", field="username")
    return cleaned


def clean_email(email: str) -> str:
    cleaned = email.strip().lower()
    if len(cleaned) > 254 or not EMAIL_PATTERN.match(cleaned):
        raise InvalidCommand("that is not an email address", field="email")
    return cleaned


def check_platform_link(platform: str, platform_user_id: str) -> tuple[str, str]:
    platform = platform.strip().lower()
    if platform not in PLATFORMS:
        raise InvalidPlatformLink(f"unknown platform {platform!r}", allowed=sorted(PLATFORMS))
    platform_user_id = platform_user_id.strip()
    if not 1 <= len(platform_user_id) <= PLATFORM_USER_ID_MAX:
        raise InvalidPlatformLink(f"platform user id must be 1 to {PLATFORM_USER_ID_MAX} characters")
    return platform, platform_user_id


class PlatformLink(Aggregate):
    """Claims one identity (a platform id, a username or an email) for one
    player: the uniqueness index. ``platform`` is the claim's kind."""

    TOPIC = "lorekeeper.platform_link"

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.platform_link.Created"
        PERSONAL: ClassVar[tuple[str, ...]] = ("platform_user_id",)
        PERSONAL_SUBJECT: ClassVar[str] = "player_id"
        platform: str
        platform_user_id: str
        player_id: UUID

    class Released(Aggregate.Event):
        """The holder was erased (or let go): the value may be claimed again."""

        TOPIC: ClassVar[str] = "lorekeeper.platform_link.Released"

        def apply(self, link: PlatformLink) -> None:
            link.player_id = None
            link.platform_user_id = ERASED

    class Reclaimed(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.platform_link.Reclaimed"
        player_id: UUID

        def apply(self, link: PlatformLink) -> None:
            link.player_id = self.player_id

    def __init__(self, platform: str, platform_user_id: str, player_id: UUID) -> None:
        self.platform = platform
        self.platform_user_id = platform_user_id
        self.player_id: UUID | None = player_id

    snapshot_types: ClassVar[dict[str, object]] = {"player_id": UUID | None}
    personal_state: ClassVar[dict[str, object]] = {"platform_user_id": ERASED}

    @property
    def owner_id(self) -> UUID | None:
        return self.player_id

    def release(self) -> None:
        if self.player_id is not None:
            self.trigger_event(self.Released)

    def reclaim(self, player_id: UUID) -> None:
        """A released claim taken by another (or the same) player."""
        assert self.player_id is None, "only a released claim can be reclaimed"
        self.trigger_event(self.Reclaimed, player_id=player_id)

    @staticmethod
    def create_id(platform: str, platform_user_id: str, **_: object) -> UUID:
        return platform_link_id(platform, platform_user_id)


def platform_link_id(platform: str, platform_user_id: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"lorekeeper:/platform-link/{platform}/{platform_user_id}")
