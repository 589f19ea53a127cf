"""Players (seed 000): anonymous creation, display name, platform links,
presence, telemetry preference, and the save slots a player owns.

A platform id may belong to one player only. The event store cannot enforce
uniqueness across aggregates, so each link is also a ``PlatformLink``
aggregate whose id is derived from (platform, platform user id): two players
claiming the same id race to create the same aggregate, and the store's
(originator_id, version) key lets exactly one of them win.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.base import Aggregate
from domain.errors import (
    InvalidDisplayName,
    InvalidPlatformLink,
    PlatformIdTaken,
    SaveSlotLimitReached,
)

PLATFORMS = frozenset({"steam", "epic", "psn", "xbox", "nintendo", "apple", "google", "device"})
DISPLAY_NAME_MAX = 64
PLATFORM_USER_ID_MAX = 128
# Presence is recorded at most this often: a game pings constantly, history need not.
SEEN_RESOLUTION = timedelta(minutes=5)


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
    snapshot_types: ClassVar[dict[str, object]] = {"last_seen": datetime | None}

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.player.Created"
        display_name: str | None

    class Renamed(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.player.Renamed"
        display_name: str

        def apply(self, player: Player) -> None:
            player.display_name = self.display_name

    class PlatformLinked(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.player.PlatformLinked"
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

    def __init__(self, display_name: str | None) -> None:
        self.display_name = display_name
        self.platform_links: dict[str, str] = {}
        self.last_seen: datetime | None = None
        self.telemetry_opt_out = False
        self.save_slot_ids: list[str] = []

    @property
    def owner_id(self) -> UUID:
        return self.id

    @classmethod
    def create(cls, display_name: str | None = None) -> Player:
        name = clean_display_name(display_name) if display_name is not None else None
        return cls(display_name=name)

    def rename(self, display_name: str) -> None:
        name = clean_display_name(display_name)
        if name != self.display_name:
            self.trigger_event(self.Renamed, display_name=name)

    def link_platform(self, platform: str, platform_user_id: str) -> None:
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
        if self.last_seen is None or at - self.last_seen >= SEEN_RESOLUTION:
            self.trigger_event(self.Seen, at=at)

    def set_telemetry_opt_out(self, opted_out: bool) -> None:
        if opted_out != self.telemetry_opt_out:
            self.trigger_event(self.TelemetryPreferenceChanged, opted_out=opted_out)

    def open_save_slot(self, slot_id: UUID, limit: int) -> None:
        if len(self.save_slot_ids) >= limit:
            raise SaveSlotLimitReached(f"a player may hold at most {limit} save slots", limit=limit)
        self.trigger_event(self.SaveSlotOpened, slot_id=str(slot_id))


def check_platform_link(platform: str, platform_user_id: str) -> tuple[str, str]:
    platform = platform.strip().lower()
    if platform not in PLATFORMS:
        raise InvalidPlatformLink(f"unknown platform {platform!r}", allowed=sorted(PLATFORMS))
    platform_user_id = platform_user_id.strip()
    if not 1 <= len(platform_user_id) <= PLATFORM_USER_ID_MAX:
        raise InvalidPlatformLink(f"platform user id must be 1 to {PLATFORM_USER_ID_MAX} characters")
    return platform, platform_user_id


class PlatformLink(Aggregate):
    """Claims one platform identity for one player (the uniqueness index)."""

    TOPIC = "lorekeeper.platform_link"

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.platform_link.Created"
        platform: str
        platform_user_id: str
        player_id: UUID

    def __init__(self, platform: str, platform_user_id: str, player_id: UUID) -> None:
        self.platform = platform
        self.platform_user_id = platform_user_id
        self.player_id = player_id

    snapshot_types: ClassVar[dict[str, object]] = {"player_id": UUID}

    @property
    def owner_id(self) -> UUID:
        return self.player_id

    @staticmethod
    def create_id(platform: str, platform_user_id: str, **_: object) -> UUID:  # type: ignore[override]
        return platform_link_id(platform, platform_user_id)


def platform_link_id(platform: str, platform_user_id: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"lorekeeper:/platform-link/{platform}/{platform_user_id}")
