"""The command side: one eventsourcing Application for every aggregate, so that
all events share one notification log and one global order.

Each public method is a use case. It loads, lets the aggregate decide, and
saves everything the decision touched in one atomic write; it returns a
``Written`` with the global position of the last event, so callers can wait
for projections to catch up (read-your-writes).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.persistence import IntegrityError, Notification, Recording

from domain.accounts import (
    EMAIL,
    USERNAME,
    PlatformLink,
    Player,
    check_platform_link,
    clean_email,
    clean_username,
    platform_link_id,
)
from domain.base import Aggregate, Snapshot, Written
from domain.characters import Character
from domain.content import ContentPackage, PackageExists
from domain.errors import (
    ConcurrentWrite,
    Conflict,
    IdentifierTaken,
    InvalidCommand,
    InvalidCredentials,
    NotFound,
    PermissionDenied,
    PlatformIdTaken,
    TooManyEvents,
    VersionConflict,
)
from domain.live import LiveSessionUseCases
from domain.narrative import CATALOGUE_ID, Catalogue, ItemDefinition, QuestDefinition
from domain.progression import SaveSlot
from domain.sessions import PlayerSession

A = TypeVar("A", bound=Aggregate)

# The eventsourcing 9.5.6 PostgreSQL recorder was seen to hang on a single save of
# ~4,000 events. No use case needs more than a handful, so a save is bounded.
MAX_EVENTS_PER_SAVE = 500


def _collect(objs: Sequence[Any], kwargs: dict[str, Any]) -> ProcessingEvent[UUID]:
    """eventsourcing's ``ProcessingEvent.collect_events``, without its runtime
    ``Protocol`` isinstance check per object: that check alone was an eighth of
    the API process's CPU per live action."""
    processing = ProcessingEvent[UUID]()
    for obj in objs:
        if isinstance(obj, Aggregate):
            processing.events.extend(obj.collect_events())
            processing.aggregates[obj.id] = obj
        elif obj is not None:
            processing.collect_events(obj)
    processing.saved_kwargs.update(kwargs)
    return processing


def _check_bound(aggregates: Sequence[Aggregate]) -> None:
    pending = sum(len(a.pending_events) for a in aggregates)
    if pending > MAX_EVENTS_PER_SAVE:
        raise TooManyEvents(
            f"one save may write at most {MAX_EVENTS_PER_SAVE} events, not {pending}", limit=MAX_EVENTS_PER_SAVE
        )


AGGREGATE_TYPES: dict[str, type[Aggregate]] = {
    "Player": Player,
    "PlatformLink": PlatformLink,
    "SaveSlot": SaveSlot,
    "Character": Character,
    "PlayerSession": PlayerSession,
    "Catalogue": Catalogue,
    "ContentPackage": ContentPackage,
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
        """eventsourcing's save, bounded, with lost races reported and the cache kept honest."""
        with self._writing([o for o in objs if isinstance(o, Aggregate)]):
            processing = _collect(objs, kwargs)
            recordings = self._record(processing)
            self._take_snapshots(processing)
            self._notify(recordings)
            return recordings

    async def save_async(self, *aggregates: Aggregate) -> list[Recording[UUID]]:
        """``save`` for an event loop, the same rules and results.

        With a recorder that can insert without blocking (the group-commit
        recorder's ``insert_events_async``), no thread waits on the write: the
        events are mapped here (microseconds, unless personal fields need a
        subject key, which may mean a database read: then on a worker thread),
        and a due snapshot is taken on a worker thread. Other recorders (the
        in-memory one of unit tests) are called as ``save`` would.
        """
        insert = getattr(self.recorder, "insert_events_async", None)
        if insert is None:
            return self.save(*aggregates)
        with self._writing(aggregates):
            processing = _collect(aggregates, {})
            events = processing.events
            if any(type(e).PERSONAL for e in events):  # type: ignore[attr-defined]
                stored = await asyncio.to_thread(lambda: [self.mapper.to_stored_event(e) for e in events])
            else:
                stored = [self.mapper.to_stored_event(e) for e in events]
            ids = await insert(stored)
        recordings = [
            Recording(
                d,
                Notification(
                    originator_id=s.originator_id,
                    originator_version=s.originator_version,
                    topic=s.topic,
                    state=s.state,
                    id=n,
                ),
            )
            for d, s, n in zip(events, stored, ids or (), strict=False)
        ]
        if self.repository.cache and not self.repository.fastforward:  # as Application._record does
            for aggregate_id, aggregate in processing.aggregates.items():
                self.repository.cache.put(aggregate_id, aggregate)
        if self._snapshot_due(processing):
            await asyncio.to_thread(self._take_snapshots, processing)
        return recordings

    @contextlib.contextmanager
    def _writing(self, aggregates: Sequence[Aggregate]) -> Iterator[None]:
        """Around a write: the size bound, lost races as ``ConcurrentWrite``, and
        on any failure the aggregates leave the cache (a caller may hold the very
        instance the cache holds, now with unsaved events)."""
        try:
            _check_bound(aggregates)
            try:
                yield
            except IntegrityError as e:
                raise ConcurrentWrite("another writer changed this aggregate first") from e
        except BaseException:
            for aggregate in aggregates:
                self._evict(aggregate.id)
            raise

    def _snapshot_due(self, processing: ProcessingEvent[UUID]) -> bool:
        if not (self.snapshots and self.snapshotting_intervals):
            return False
        for event in processing.events:
            interval = self.snapshotting_intervals.get(type(processing.aggregates.get(event.originator_id)))
            if interval and event.originator_version % interval == 0:
                return True
        return False

    def cached(self, *aggregate_ids: UUID) -> bool:
        """True if loading these aggregates needs no database read."""
        cache = self.repository.cache
        return cache is not None and all(i in cache.cache for i in aggregate_ids)

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
        player = self.load(Player, player_id, expected_version, actor_id)
        wanted = [(platform, platform_user_id)]
        claims = self._claims(player, wanted)
        player.link_platform(platform, platform_user_id)
        if not claims:  # already ours: nothing new to claim
            return Written(player, self._write(player) if player.pending_events else None)
        player.mark_seen(now())
        return self._save_claims(player, wanted, claims)

    def register_credentials(
        self,
        player_id: UUID,
        username: str,
        email: str,
        password_hash: str,
        expected_version: int | None = None,
        actor_id: UUID | None = None,
    ) -> Written:
        """Upgrade an anonymous player to an account: username and email are
        claimed (one player each) in the same write as the credentials."""
        username, email = clean_username(username), clean_email(email)
        player = self.load(Player, player_id, expected_version, actor_id)
        wanted = [(USERNAME, username.lower()), (EMAIL, email)]
        claims = self._claims(player, wanted)
        player.register_credentials(username, email, password_hash)
        return self._save_claims(player, wanted, claims)

    def login(
        self,
        login: str,
        password_matches: Callable[[str | None], bool],
        *,
        max_failures: int,
        lockout: timedelta,
    ) -> Written:
        """Check a username-or-email and password. ``password_matches(hash)`` is
        called exactly once, with None for an unknown login, so that every
        refusal costs the caller the same. Failures count towards a lockout."""
        player_id = self._claimant(login)
        if player_id is None:
            password_matches(None)
            raise InvalidCredentials("unknown login or wrong password")
        for _ in range(4):
            player = self.load(Player, player_id)
            at = now()
            player.check_login_allowed(at)
            ok = password_matches(player.password_hash)
            if ok:
                player.login_succeeded(at)
            else:
                player.login_failed(at, max_failures, lockout)
            try:
                position = self._write(player) if player.pending_events else None
            except ConcurrentWrite:
                continue  # another login moved the count on: decide again
            if not ok:
                raise InvalidCredentials("unknown login or wrong password")
            return Written(player, position)
        raise ConcurrentWrite("too many concurrent logins for this account")

    def _claimant(self, login: str) -> UUID | None:
        try:
            kind, value = (EMAIL, clean_email(login)) if "@" in login else (USERNAME, clean_username(login).lower())
            return self.load(PlatformLink, platform_link_id(kind, value)).player_id
        except (NotFound, InvalidCommand):
            return None

    def erase_player(self, player_id: UUID, character_ids: list[UUID], actor_id: UUID | None = None) -> Written:
        """Erasure: the player's claims are released, its characters' names and
        its personal state are gone. (Destroying the player's key, which makes
        the stored personal fields unreadable, is infrastructure's part.)"""
        for attempt in range(4):
            player = self.load(Player, player_id, actor_id=actor_id)
            if player.erased:
                return Written(player, None)
            touched: list[Aggregate] = []
            for kind, value in player.claims():
                with contextlib.suppress(NotFound):
                    link = self.load(PlatformLink, platform_link_id(kind, value))
                    if link.player_id == player.id:
                        link.release()
                        touched.append(link)
            for character_id in character_ids:
                character = self.load(Character, character_id)
                if character.owner_id == player.id:
                    character.erase()
                    touched.append(character)
            player.erase(now())
            try:
                return Written(player, self._write(player, *touched))
            except ConcurrentWrite:
                if attempt == 3:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _claims(self, player: Player, wanted: list[tuple[str, str]]) -> list[PlatformLink]:
        """The claim aggregates to save with ``player``: new, or released and
        reclaimed. A value another player holds raises its kind's conflict."""
        claims = []
        for kind, value in wanted:
            try:
                link = self.load(PlatformLink, platform_link_id(kind, value))
            except NotFound:
                claims.append(PlatformLink(platform=kind, platform_user_id=value, player_id=player.id))
                continue
            if link.player_id == player.id:
                continue
            if link.player_id is not None:
                raise _taken(kind, value)
            link.reclaim(player.id)
            claims.append(link)
        return claims

    def _save_claims(self, player: Player, wanted: list[tuple[str, str]], claims: list[PlatformLink]) -> Written:
        try:
            return Written(player, self._write(player, *claims))
        except ConcurrentWrite:
            # Either the player moved on, or someone claimed a value between
            # our read and our write; tell the caller which.
            for kind, value in wanted:
                with contextlib.suppress(NotFound):
                    holder = self.load(PlatformLink, platform_link_id(kind, value)).player_id
                    if holder not in (None, player.id):
                        raise _taken(kind, value) from None
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

    def sync_save_slot(
        self, slot_id: UUID, base_version: int, changes: list[Any], actor_id: UUID | None = None
    ) -> Written:
        """Offline changes since ``base_version``, rebased onto the slot's state
        (all or nothing; see SaveSlot.sync). A lost race re-decides on fresh state."""
        catalogue = self.catalogue()
        return self._command(SaveSlot, slot_id, lambda s: s.sync(base_version, changes, catalogue), None, actor_id)

    def restore_save_slot(
        self, slot_id: UUID, version: int, expected_version: int | None = None, actor_id: UUID | None = None
    ) -> Written:
        """Restore the slot as it was at aggregate ``version``, as new events."""
        current = self.load(SaveSlot, slot_id, expected_version, actor_id)
        if not 1 <= version <= current.version:
            raise NotFound(f"save slot {slot_id} has no version {version}", id=str(slot_id))
        past = self.repository.get(slot_id, version=version)
        return self._command(SaveSlot, slot_id, lambda s: s.restore(past), expected_version, actor_id)

    # -- content ----------------------------------------------------------------

    def publish_content(self, package: ContentPackage) -> Written:
        """Save a package built (and its checksum verified) by ``ContentPackage.publish``."""
        try:
            return Written(package, self._write(package))
        except ConcurrentWrite:
            raise PackageExists(
                f"{package.kind} {package.version} is already published", package_id=str(package.id)
            ) from None

    # -- catalogue (quests, items) ----------------------------------------------

    def catalogue(self) -> Catalogue:
        try:
            return self.load(Catalogue, CATALOGUE_ID)
        except NotFound:
            return Catalogue()

    def define_item(self, item: ItemDefinition) -> Written:
        return self._change_catalogue(lambda c: c.define_item(item))

    def publish_quest(self, quest: QuestDefinition) -> Written:
        return self._change_catalogue(lambda c: c.publish_quest(quest))

    def _change_catalogue(self, decide: Callable[[Catalogue], None]) -> Written:
        for attempt in range(4):
            catalogue = self.catalogue()
            decide(catalogue)
            try:
                return Written(catalogue, self._write(catalogue) if catalogue.pending_events else None)
            except ConcurrentWrite:
                if attempt == 3:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover


def _taken(kind: str, value: str) -> Conflict:
    if kind in (USERNAME, EMAIL):
        return IdentifierTaken(f"that {kind} belongs to another player", field=kind)
    return PlatformIdTaken(f"{kind} id {value!r} is linked to another player", platform=kind)


def now() -> datetime:
    return datetime.now(UTC)
