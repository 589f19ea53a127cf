"""The narrative read model (seed 000), in the ``narrative`` schema."""

from domain.narrative import Catalogue
from projections.model import ReadModel
from projections.narrative import content, progress, save_slots, telemetry

READ_MODEL = ReadModel(
    context="narrative",
    schema="narrative",
    projections=(save_slots.PROJECTION, progress.PROJECTION, content.PROJECTION),
    consumer_tables=(telemetry.TELEMETRY_EVENTS, telemetry.TELEMETRY_SUBJECTS),
    unprojected=frozenset({Catalogue.Created.TOPIC}),  # an empty catalogue: its quests and items come later
)
