"""The world events' use cases (docs/adventure.md, "World events"): admins
schedule events (seasons that come back, festivals, storms), a player's
character sets off a small one of its own (no effects, an hour at most), and
agents, later, through the same call; the timers' handlers open and close
each window, writing the event and the world's active effects together."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.adventure.world_events import WorldEvent, WorldEventRefused
from domain.kernel import clock
from domain.kernel.errors import NotFound, PermissionDenied
from domain.kernel.store import Lorekeeper, Written
from domain.kernel.writing import writes

if TYPE_CHECKING:
    from domain.adventure.use_cases import AdventureUseCases


class Seasons:
    def __init__(self, store: Lorekeeper, game: AdventureUseCases) -> None:
        self.store = store
        self.game = game

    def event(self, event_id: UUID) -> WorldEvent:
        return self.store.load(WorldEvent, event_id)

    def new_event(
        self,
        world_id: UUID,
        event_type: str,
        event_name: str,
        description: str,
        effects: dict[str, Any],
        start_time: datetime,
        end_time: datetime,
        every_seconds: int | None = None,
        trigger: str = "admin",
        triggered_by: UUID | None = None,
        owner: UUID | None = None,
    ) -> WorldEvent:
        """A world event, not yet written; a player's (``trigger="player"``) is
        set off by its own character (``triggered_by``), which must be in the world."""
        world = self.game.world(world_id)
        world.check_active()
        if trigger == "player":
            if triggered_by is None:
                raise PermissionDenied("a player's event is set off by one of its characters")
            character = self.game.character(triggered_by, owner)
            if character.world_id != world_id:
                raise WorldEventRefused("the character is in another world", character_id=str(triggered_by))
        happening = WorldEvent.create(
            world_id,
            event_type,
            event_name,
            description,
            effects,
            start_time,
            end_time,
            every_seconds,
            trigger,
            triggered_by,
        )
        return happening

    schedule = writes(new_event)

    def cancel(self, event_id: UUID, actor: UUID | None = None) -> Written:
        """End it now (an admin, or the player whose character set it off: ``actor``)."""

        def step() -> Written:
            happening = self.event(event_id)
            if actor is not None:
                by = happening.triggered_by
                if by is None or self.game.character(by).owner != actor:
                    raise PermissionDenied("only an admin, or the player who set it off, cancels an event")
            happening.check_cancellable()
            happening.end(clock.now(), cancel=True)
            return self._with_world(happening)

        return self.store.change(event_id, step)

    def _with_world(self, happening: WorldEvent) -> Written:
        """The event and the world's active effects, in one write."""
        world = self.game.world(happening.world_id)
        if happening.status == "active":
            world.begin_event(happening.id, happening.effects)
        else:
            world.end_event(happening.id)
        return Written(happening, self.store.write(happening, *([world] if world.pending_events else [])))

    # -- the timers' handlers ----------------------------------------------------------

    def start(self, event_id: UUID, due: datetime) -> Written | None:
        return self._turn_window(event_id, due, WorldEvent.start)

    def end(self, event_id: UUID, due: datetime) -> Written | None:
        return self._turn_window(event_id, due, WorldEvent.end)

    def _turn_window(
        self, event_id: UUID, due: datetime, turn: Callable[[WorldEvent, datetime], bool]
    ) -> Written | None:
        """Open or close the window if it is time (``turn``), with the world's effects."""

        def step() -> Written:
            happening = self.event(event_id)
            if not turn(happening, max(due, clock.now())):
                return Written(happening, None)
            return self._with_world(happening)

        try:
            return self.store.change(event_id, step)
        except NotFound:
            return None
