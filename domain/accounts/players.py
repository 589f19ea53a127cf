"""Players (seed 000): anonymous creation, the upgrade to an account (platform
links, username/email and a password hash), login failures, presence,
telemetry preference, erasure, and the save slots a player owns.

Personal fields (display name, platform user ids, username, email, password
hash) are declared ``PERSONAL``: infrastructure stores them sealed under the
player's own key, and erasure destroys that key (docs/data-protection.md).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar
from uuid import UUID

from domain.accounts.claims import EMAIL, USERNAME, check_platform_link, clean_email, clean_username
from domain.accounts.errors import (
    AccountLocked,
    CredentialsExist,
    PlatformIdTaken,
    PlayerErased,
    SaveSlotLimitReached,
)
from domain.kernel.aggregate import Aggregate
from domain.kernel.errors import InvalidCommand
from domain.kernel.text import clean_display_name

# Presence is recorded at most this often: a game pings constantly, history need not.
SEEN_RESOLUTION = timedelta(minutes=5)


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
        failures: int  # in a row, counting this one
        locked_until: datetime | None  # set by versions that locked accounts; None since throttling

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
        if self.locked_until is not None and at < self.locked_until:  # a lock an earlier version recorded
            retry_after = max(1, int((self.locked_until - at).total_seconds()) + 1)
            raise AccountLocked("too many failed logins; try again later", retry_after=retry_after)

    def login_failed(self, at: datetime) -> None:
        """Recorded for the player's history. Nothing locks: a lock any
        stranger can trigger is a denial of service; logins are throttled
        per account and address at the edge instead."""
        self.trigger_event(self.LoginFailed, at=at, failures=self.failed_logins + 1, locked_until=None)

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
