"""The live-play read model (seed 001), in the ``live`` schema."""

from projections.live import sessions
from projections.model import ReadModel

READ_MODEL = ReadModel(context="live", schema="live", projections=(sessions.PROJECTION,))
