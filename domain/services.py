"""The command side: one eventsourcing Application for every aggregate, so that
all events share one notification log and one global order.

Each public method is a use case. It loads, lets the aggregate decide, and
saves everything the decision touched in one atomic write; it returns a
``Written`` with the global position of the last event, so callers can wait
for projections to catch up (read-your-writes).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError

from domain.accounts import PlatformLink, Player, check_platform_link, platform_link_id
from domain.base import Aggregate, Snapshot, Written
from domain.characters import Character
from domain.errors import (
    ConcurrentWrite,
    NotFound,
    PermissionDenied,
    PlatformIdTaken,
    TooManyEvents,
    VersionConflict,
)
from domain.live import LiveSessionUseCases
from domain.progression import SaveSlot
from domain.sessions import PlayerSession

A = TypeVar("A", bound=Aggregate)

# The eventsourcing 9.5.6 PostgreSQL recorder was seen to hang on a single save of
# ~4,000 events. No use case needs more than a handful, so a save is bounded.
MAX_EVENTS_PER_SAVE = 500

AGGREGATE_TYPES: dict[str, type[Aggregate]] = {
    "Player": Player,
    "PlatformLink": PlatformLink,
    "SaveSlot": SaveSlot,
    "Character": Character,
    "PlayerSession": PlayerSession,
}


class Lorekeeper(LiveSessionUseCases, Application[UUID]):
    """All use cases. With an aggregate cache configured, cached aggregates are
    trusted rather than fast-forwarded on every load: the store's unique
    (id, version) key still refuses any write based on a stale copy, and such a
    refusal evicts the copy, so the next attempt reads the store."""

    name = "Lorekeeper"
    snapshot_class = Snapshot
    max_save_slots_per_player: ClassVar[int] = 5

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        snapshot_intervals: dict[str, int] | None = None,
        max_save_slots_per_player: int | None = None,
    ) -> None:
        env = dict(env or {})
        if snapshot_intervals:
            env["IS_SNAPSHOTTING_ENABLED"] = "y"
        super().__init__(env)
        # Per-instance so that settings, not code, choose which types snapshot.
        self.snapshotting_intervals = {  # type: ignore[misc]
            AGGREGATE_TYPES[name]: interval for name, interval in (snapshot_intervals or {}).items()
        }
        if max_save_slots_per_player is not None:
            self.max_save_slots_per_player = max_save_slots_per_player  # type: ignore[misc]
        # Plain counters (the domain imports no metrics library); infra exports them.
        self.cache_lookups = 0
        self.cache_hits = 0

    # -- plumbing -------------------------------------------------------------

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        """Bounded, and on any failure the aggregates leave the cache: a caller
        may hold the very instance the cache holds, now with unsaved events."""
        aggregates = [o for o in objs if isinstance(o, Aggregate)]
        try:
            pending = sum(len(a.pending_events) for a in aggregates)
            if pending > MAX_EVENTS_PER_SAVE:
                raise TooManyEvents(
                    f"one save may write at most {MAX_EVENTS_PER_SAVE} events, not {pending}",
                    limit=MAX_EVENTS_PER_SAVE,
                )
            try:
                return super().save(*objs, **kwargs)
            except IntegrityError as e:
                raise ConcurrentWrite("another writer changed this aggregate first") from e
        except BaseException:
            for aggregate in aggregates:
                self._evict(aggregate.id)
            raise

    def _evict(self, aggregate_id: UUID) -> None:
        if self.repository.cache is not None:
            with contextlib.suppress(KeyError):
                self.repository.cache.get(aggregate_id, evict=True)

    def _write(self, *aggregates: Aggregate) -> int | None:
        recordings = self.save(*aggregates)
        return recordings[-1].notification.id if recordings else None

    def load(
        self,
        cls: type[A],
        aggregate_id: UUID,
        expected_version: int | None = None,
        actor_id: UUID | None = None,
    ) -> A:
        """The aggregate, checked for type, ownership (when an actor is given)
        and version (when one is expected)."""
        cache = self.repository.cache
        if cache is not None:
            self.cache_lookups += 1
            self.cache_hits += aggregate_id in cache.cache  # a peek, not a second (locked) LRU access
        try:
            aggregate = self.repository.get(aggregate_id)
            if aggregate.pending_events or (expected_version is not None and aggregate.version < expected_version):
                # A cached copy someone changed without saving, or one that
                # trails a write made elsewhere: read the store instead.
                self._evict(aggregate_id)
                aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(f"{cls.__name__} {aggregate_id} not found", id=str(aggregate_id)) from None
        if not isinstance(aggregate, cls):
            raise NotFound(f"{cls.__name__} {aggregate_id} not found", id=str(aggregate_id))
        if actor_id is not None and aggregate.owner_id != actor_id:
            raise PermissionDenied(f"{cls.__name__} {aggregate_id} belongs to another player")
        if expected_version is not None and aggregate.version != expected_version:
            raise VersionConflict(
                f"expected version {expected_version}, current version is {aggregate.version}",
                current_version=aggregate.version,
            )
        return aggregate

    def _command(
        self,
        cls: type[A],
        aggregate_id: UUID,
        decide: Callable[[A], None],
        expected_version: int | None,
        actor_id: UUID | None,
        retries: int = 3,
    ) -> Written:
        """Load, decide, save. Without an expected version a lost race is retried
        on fresh state (the decision is re-made, never blindly replayed)."""
        for attempt in range(retries + 1):
            aggregate = self.load(cls, aggregate_id, expected_version, actor_id)
            decide(aggregate)
            try:
                return Written(aggregate, self._write(aggregate))
            except ConcurrentWrite:
                if expected_version is not None:
                    # Report what the caller must now resolve against.
                    current = self.load(cls, aggregate_id).version
                    raise VersionConflict(
                        f"expected version {expected_version}, current version is {current}",
                        current_version=current,
                    ) from None
                if attempt == retries:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    # -- players --------------------------------------------------------------

    def create_player(self, display_name: str | None = None) -> Written:
        player = Player.create(display_name)
        player.mark_seen(now())
        return Written(player, self._write(player))

    def update_player(
        self,
        player_id: UUID,
        *,
        display_name: str | None = None,
        telemetry_opt_out: bool | None = None,
        expected_version: int | None = None,
        actor_id: UUID | None = None,
    ) -> Written:
        def decide(player: Player) -> None:
            if display_name is not None:
                player.rename(display_name)
            if telemetry_opt_out is not None:
                player.set_telemetry_opt_out(telemetry_opt_out)
            player.mark_seen(now())

        return self._command(Player, player_id, decide, expected_version, actor_id)

    def link_platform(
        self,
        player_id: UUID,
        platform: str,
        platform_user_id: str,
        expected_version: int | None = None,
        actor_id: UUID | None = None,
    ) -> Written:
        platform, platform_user_id = check_platform_link(platform, platform_user_id)
        link_id = platform_link_id(platform, platform_user_id)
        player = self.load(Player, player_id, expected_version, actor_id)
        try:
            link = self.load(PlatformLink, link_id)
        except NotFound:
            link = None
        if link is not None and link.player_id != player.id:
            raise PlatformIdTaken(
                f"{platform} id {platform_user_id!r} is linked to another player",
                platform=platform,
            )
        player.link_platform(platform, platform_user_id)
        if link is not None:  # already ours: nothing new to claim
            return Written(player, self._write(player) if player.pending_events else None)
        link = PlatformLink(platform=platform, platform_user_id=platform_user_id, player_id=player.id)
        player.mark_seen(now())
        try:
            return Written(player, self._write(player, link))
        except ConcurrentWrite:
            # Either the player moved on, or someone claimed the id between our
            # read and our write; tell the caller which.
            try:
                claimed = self.load(PlatformLink, link_id)
            except NotFound:
                raise
            if claimed.player_id != player.id:
                raise PlatformIdTaken(
                    f"{platform} id {platform_user_id!r} is linked to another player",
                    platform=platform,
                ) from None
            raise

    def get_player(self, player_id: UUID) -> Player:
        return self.load(Player, player_id)

    # -- save slots -----------------------------------------------------------

    def open_save_slot(self, owner_id: UUID, name: str, narrative_state: dict[str, Any] | None = None) -> Written:
        for attempt in range(4):
            player = self.load(Player, owner_id)
            slot = SaveSlot.open(owner_id, name, narrative_state)
            player.open_save_slot(slot.id, self.max_save_slots_per_player)
            player.mark_seen(now())
            try:
                return Written(slot, self._write(player, slot))
            except ConcurrentWrite:
                if attempt == 3:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def save_progress(
        self,
        slot_id: UUID,
        narrative_state: dict[str, Any],
        expected_version: int | None,
        actor_id: UUID | None = None,
    ) -> Written:
        return self._command(SaveSlot, slot_id, lambda s: s.save_progress(narrative_state), expected_version, actor_id)

    def get_save_slot(self, slot_id: UUID) -> SaveSlot:
        return self.load(SaveSlot, slot_id)


def now() -> datetime:
    return datetime.now(UTC)
