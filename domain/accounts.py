"""Players (seed 000): anonymous creation, the upgrade to an account (platform
links, username/email and a password hash), login failures and lockout,
presence, telemetry preference, erasure, and the save slots a player owns.

A platform id, username or email may belong to one player only. The event
store cannot enforce uniqueness across aggregates, so each is also a
``PlatformLink`` claim aggregate whose id is derived from (kind, value): two
players claiming the same value race to create the same aggregate, and the
store's (originator_id, version) key lets exactly one of them win. Erasure
releases a player's claims, so the values can be used again.

Personal fields (display name, platform user ids, username, email, password
hash) are declared ``PERSONAL``: infrastructure stores them sealed under the
player's own key, and erasure destroys that key (docs/data-protection.md).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.base import ERASED, Aggregate
from domain.errors import (
    AccountLocked,
    CredentialsExist,
    InvalidCommand,
    InvalidDisplayName,
    InvalidPlatformLink,
    PlatformIdTaken,
    PlayerErased,
    SaveSlotLimitReached,
)

PLATFORMS = frozenset({"steam", "epic", "psn", "xbox", "nintendo", "apple", "google", "device"})
DISPLAY_NAME_MAX = 64
PLATFORM_USER_ID_MAX = 128
# Presence is recorded at most this often: a game pings constantly, history need not.
SEEN_RESOLUTION = timedelta(minutes=5)
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


def clean_display_name(name: str) -> str:
    """Trimmed, NFC-normalised display name, or InvalidDisplayName."""
    cleaned = unicodedata.normalize("NFC", name).strip()
    if not 1 <= len(cleaned) <= DISPLAY_NAME_MAX:
        raise InvalidDisplayName(f"display name must be 1 to {DISPLAY_NAME_MAX} characters", length=len(cleaned))
    if any(unicodedata.category(ch).startswith("C") for ch in cleaned):
        raise InvalidDisplayName("display name must not contain control characters")
    return cleaned


class Player(Aggregate):
    """An account: anonymous at first, later linked to platform identities."""

    TOPIC = "lorekeeper.player"
    snapshot_types: ClassVar[dict[str, object]] = {
        "last_seen": datetime | None,
        "locked_until": datetime | None,
        "erased_at": datetime | None,
    }
    personal_state: ClassVar[dict[str, object]] = {
        "display_name": None,
        "platform_links": {},
        "username": None,
        "email": None,
        "password_hash": None,
    }

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.player.Created"
        PERSONAL: ClassVar[tuple[str, ...]] = ("display_name",)
        display_name: str | None

    class Renamed(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.player.Renamed"
        PERSONAL: ClassVar[tuple[str, ...]] = ("display_name",)
        display_name: str

        def apply(self, player: Player) -> None:
            player.display_name = self.display_name

    class PlatformLinked(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.player.PlatformLinked"
        PERSONAL: ClassVar[tuple[str, ...]] = ("platform_user_id",)
        platform: str
        platform_user_id: str

        def apply(self, player: Player) -> None:
            player.platform_links[self.platform] = self.platform_user_id

    class Seen(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.player.Seen"
        at: datetime

        def apply(self, player: Player) -> None:
            player.last_seen = self.at

    class TelemetryPreferenceChanged(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.player.TelemetryPreferenceChanged"
        opted_out: bool

        def apply(self, player: Player) -> None:
            player.telemetry_opt_out = self.opted_out

    class SaveSlotOpened(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.player.SaveSlotOpened"
        slot_id: str

        def apply(self, player: Player) -> None:
            player.save_slot_ids.append(self.slot_id)

    class CredentialsRegistered(Aggregate.Event):
        """The anonymous player upgraded to an account with a password (argon2id hash)."""

        TOPIC: ClassVar[str] = "lorekeeper.player.CredentialsRegistered"
        PERSONAL: ClassVar[tuple[str, ...]] = ("username", "email", "password_hash")
        username: str
        email: str
        password_hash: str

        def apply(self, player: Player) -> None:
            player.username = self.username
            player.email = self.email
            player.password_hash = self.password_hash

    class LoginFailed(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.player.LoginFailed"
        at: datetime
        failures: int  # in a row, counting this one; 0 once a lockout starts
        locked_until: datetime | None

        def apply(self, player: Player) -> None:
            player.failed_logins = self.failures
            player.locked_until = self.locked_until

    class LoginSucceeded(Aggregate.Event):
        """Recorded only after failures, to reset their count (not every login)."""

        TOPIC: ClassVar[str] = "lorekeeper.player.LoginSucceeded"
        at: datetime

        def apply(self, player: Player) -> None:
            player.failed_logins = 0
            player.locked_until = None

    class Erased(Aggregate.Event):
        """Erasure (GDPR/CCPA): personal state is gone and no command is accepted."""

        TOPIC: ClassVar[str] = "lorekeeper.player.Erased"
        at: datetime

        def apply(self, player: Player) -> None:
            for name, value in Player.personal_state.items():
                setattr(player, name, value.copy() if isinstance(value, dict) else value)
            player.erased_at = self.at

    def __init__(self, display_name: str | None) -> None:
        self.display_name = display_name
        self.platform_links: dict[str, str] = {}
        self.last_seen: datetime | None = None
        self.telemetry_opt_out = False
        self.save_slot_ids: list[str] = []
        self.username: str | None = None
        self.email: str | None = None
        self.password_hash: str | None = None
        self.failed_logins = 0
        self.locked_until: datetime | None = None
        self.erased_at: datetime | None = None

    @property
    def erased(self) -> bool:
        return self.erased_at is not None

    def _live(self) -> None:
        if self.erased:
            raise PlayerErased("this player was erased", player_id=str(self.id))

    @property
    def owner_id(self) -> UUID:
        return self.id

    @classmethod
    def create(cls, display_name: str | None = None) -> Player:
        name = clean_display_name(display_name) if display_name is not None else None
        return cls(display_name=name)

    def rename(self, display_name: str) -> None:
        self._live()
        name = clean_display_name(display_name)
        if name != self.display_name:
            self.trigger_event(self.Renamed, display_name=name)

    def link_platform(self, platform: str, platform_user_id: str) -> None:
        self._live()
        platform, platform_user_id = check_platform_link(platform, platform_user_id)
        current = self.platform_links.get(platform)
        if current == platform_user_id:
            return
        if current is not None:
            raise PlatformIdTaken(
                f"this player is already linked to another {platform} account",
                platform=platform,
            )
        self.trigger_event(self.PlatformLinked, platform=platform, platform_user_id=platform_user_id)

    def mark_seen(self, at: datetime) -> None:
        if self.erased:
            return
        if self.last_seen is None or at - self.last_seen >= SEEN_RESOLUTION:
            self.trigger_event(self.Seen, at=at)

    def set_telemetry_opt_out(self, opted_out: bool) -> None:
        self._live()
        if opted_out != self.telemetry_opt_out:
            self.trigger_event(self.TelemetryPreferenceChanged, opted_out=opted_out)

    def open_save_slot(self, slot_id: UUID, limit: int) -> None:
        self._live()
        if len(self.save_slot_ids) >= limit:
            raise SaveSlotLimitReached(f"a player may hold at most {limit} save slots", limit=limit)
        self.trigger_event(self.SaveSlotOpened, slot_id=str(slot_id))

    def register_credentials(self, username: str, email: str, password_hash: str) -> None:
        """Upgrade to an account; the caller has claimed username and email."""
        self._live()
        if self.username is not None:
            raise CredentialsExist("this player already has a username and password")
        self.trigger_event(
            self.CredentialsRegistered,
            username=clean_username(username),
            email=clean_email(email),
            password_hash=password_hash,
        )

    def check_login_allowed(self, at: datetime) -> None:
        self._live()
        if self.username is None:
            raise InvalidCommand("this player has no password to log in with")
        if self.locked_until is not None and at < self.locked_until:
            retry_after = max(1, int((self.locked_until - at).total_seconds()) + 1)
            raise AccountLocked("too many failed logins; try again later", retry_after=retry_after)

    def login_failed(self, at: datetime, max_failures: int, lockout: timedelta) -> None:
        failures = self.failed_logins + 1
        if failures >= max_failures:
            self.trigger_event(self.LoginFailed, at=at, failures=0, locked_until=at + lockout)
        else:
            self.trigger_event(self.LoginFailed, at=at, failures=failures, locked_until=None)

    def login_succeeded(self, at: datetime) -> None:
        if self.failed_logins or self.locked_until is not None:
            self.trigger_event(self.LoginSucceeded, at=at)
        self.mark_seen(at)

    def erase(self, at: datetime) -> None:
        if not self.erased:
            self.trigger_event(self.Erased, at=at)

    def claims(self) -> list[tuple[str, str]]:
        """Every (kind, value) this player holds a claim on."""
        held = list(self.platform_links.items())
        if self.username is not None and self.email is not None:
            held += [(USERNAME, self.username.lower()), (EMAIL, self.email)]
        return held


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
    def create_id(platform: str, platform_user_id: str, **_: object) -> UUID:  # type: ignore[override]
        return platform_link_id(platform, platform_user_id)


def platform_link_id(platform: str, platform_user_id: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"lorekeeper:/platform-link/{platform}/{platform_user_id}")
