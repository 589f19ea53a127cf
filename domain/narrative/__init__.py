"""Narrative (seed 000): save slots synced across devices, the catalogue of
quests and items, content packages."""

from domain.kernel.context import DomainContext
from domain.narrative.catalogue import Catalogue
from domain.narrative.content import ContentPackage
from domain.narrative.save_slots import SaveSlot
from domain.narrative.use_cases import NarrativeUseCases

CONTEXT = DomainContext(
    name="narrative",
    aggregates=(SaveSlot, Catalogue, ContentPackage),
    use_cases=NarrativeUseCases,
    snapshot_intervals={SaveSlot: 50},
)

__all__ = ["CONTEXT", "Catalogue", "ContentPackage", "NarrativeUseCases", "SaveSlot"]
