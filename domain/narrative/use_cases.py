"""Use cases of the narrative context (seed 000): save slots and their sync,
history and restore; the catalogue of quests and items; content packages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol
from uuid import UUID

from domain.accounts import Player
from domain.kernel.clock import now
from domain.kernel.errors import ConcurrentWrite, NotFound
from domain.kernel.store import Lorekeeper, Written
from domain.narrative.catalogue import CATALOGUE_ID, Catalogue, ItemDefinition, QuestDefinition
from domain.narrative.content import ContentPackage, PackageExists
from domain.narrative.save_slots import SaveSlot


class NarrativeSettings(Protocol):
    max_save_slots_per_player: int


class NarrativeUseCases:
    def __init__(self, store: Lorekeeper, settings: NarrativeSettings | None = None) -> None:
        self.store = store
        self.max_save_slots_per_player = settings.max_save_slots_per_player if settings else 5

    # -- save slots ---------------------------------------------------------------

    def open_save_slot(self, owner_id: UUID, name: str, narrative_state: dict[str, Any] | None = None) -> Written:
        """A new slot, counted on its player (bounded per player) in the same write."""

        def step() -> Written:
            player = self.store.load(Player, owner_id)
            slot = SaveSlot.open(owner_id, name, narrative_state)
            player.open_save_slot(slot.id, self.max_save_slots_per_player)
            player.mark_seen(now())
            holdings = self.store.holdings(owner_id)
            holdings.acquire(slot)
            return Written(slot, self.store.write(player, slot, holdings))

        return self.store.change(owner_id, step)

    def get_save_slot(self, slot_id: UUID, actor_id: UUID | None = None) -> SaveSlot:
        """The slot; with ``actor_id``, only if that player owns it (``PermissionDenied``)."""
        return self.store.load(SaveSlot, slot_id, actor_id=actor_id)

    def save_progress(
        self,
        slot_id: UUID,
        narrative_state: dict[str, Any],
        expected_version: int | None,
        actor_id: UUID | None = None,
    ) -> Written:
        return self.store.command(
            SaveSlot, slot_id, lambda s: s.save_progress(narrative_state), expected_version, actor_id
        )

    def sync_save_slot(
        self, slot_id: UUID, base_version: int, changes: list[Any], actor_id: UUID | None = None
    ) -> Written:
        """Offline changes since ``base_version``, rebased onto the slot's state
        (all or nothing; see SaveSlot.sync). A lost race re-decides on fresh state."""
        catalogue = self.catalogue()
        return self.store.command(SaveSlot, slot_id, lambda s: s.sync(base_version, changes, catalogue), None, actor_id)

    def restore_save_slot(
        self, slot_id: UUID, version: int, expected_version: int | None = None, actor_id: UUID | None = None
    ) -> Written:
        """Restore the slot as it was at aggregate ``version``, as new events."""
        current = self.store.load(SaveSlot, slot_id, expected_version, actor_id)
        if not 1 <= version <= current.version:
            raise NotFound(f"save slot {slot_id} has no version {version}", id=str(slot_id))
        past = self.store.load_at(SaveSlot, slot_id, version)
        return self.store.command(SaveSlot, slot_id, lambda s: s.restore(past), expected_version, actor_id)

    # -- content ------------------------------------------------------------------

    def publish_content(self, package: ContentPackage) -> Written:
        """Save a package built (and its checksum verified) by ``ContentPackage.publish``."""
        try:
            return Written(package, self.store.write(package))
        except ConcurrentWrite:
            raise PackageExists(
                f"{package.kind} {package.package_version} is already published", package_id=str(package.id)
            ) from None

    # -- catalogue (quests, items) ------------------------------------------------

    def catalogue(self) -> Catalogue:
        try:
            return self.store.load(Catalogue, CATALOGUE_ID)
        except NotFound:
            return Catalogue()

    def define_item(self, item: ItemDefinition) -> Written:
        return self._change_catalogue(lambda c: c.define_item(item))

    def publish_quest(self, quest: QuestDefinition) -> Written:
        return self._change_catalogue(lambda c: c.publish_quest(quest))

    def _change_catalogue(self, decide: Callable[[Catalogue], None]) -> Written:
        def step() -> Written:
            catalogue = self.catalogue()
            decide(catalogue)
            return self.store.written(catalogue)

        return self.store.change(CATALOGUE_ID, step)
