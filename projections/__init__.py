"""Read models built from the event store. Each module owns its tables, a
schema version and its handlers; ``ALL`` is the registry the runner follows."""

from projections import content, live, narrative, players, save_slots
from projections.model import Projection

ALL: dict[str, Projection] = {
    p.name: p
    for p in (players.PROJECTION, save_slots.PROJECTION, narrative.PROJECTION, content.PROJECTION, live.PROJECTION)
}
