"""Rolling agents' changes back (docs/adventure.md, "AI agents", Rollback):
compensating events undo an evolution entry's change (the quest closed, the
event cancelled, the story closed, the world's flags restored with who set
them) and turn it inactive; an entry that active later entries depend on is
refused unless the admin cascades, and then they are undone first. Nothing
is deleted. ``Stewardship`` (the agents' turns) extends this."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.adventure.agents import Agent
from domain.adventure.evolution import (
    EVENT_SCHEDULED,
    FLAGS_SET,
    QUEST_POSTED,
    STORY_WRITTEN,
    Evolution,
    EvolutionHasDependents,
)
from domain.kernel.errors import DomainError, InvalidCommand
from domain.kernel.store import Lorekeeper, Written

if TYPE_CHECKING:
    from domain.adventure.use_cases import AdventureUseCases

CASCADE_MAX = 100  # entries one rollback may undo


class Undone(list[UUID]):
    """The entries a rollback undid, dependents first, and the position of its last write."""

    position: int | None = None


class Rollbacks:
    store: Lorekeeper
    game: AdventureUseCases

    def agent(self, agent: UUID) -> Agent:
        return self.store.load(Agent, agent)

    def entry(self, entry_id: UUID) -> Evolution:
        return self.store.load(Evolution, entry_id)

    def roll_back(self, entry_id: UUID, cascade: bool = False, reason: str = "") -> Undone:
        """Undo one entry (and, with ``cascade``, every active entry depending on
        it, first); the entries undone, dependents first."""
        undone = Undone()
        self._undo_all(entry_id, cascade, reason, undone)
        return undone

    def roll_back_since(
        self, agent: UUID, world_id: UUID, since: datetime, entries: list[UUID], cascade: bool, reason: str
    ) -> Undone:
        """Undo everything ``agent`` did in the world since ``since``: ``entries``
        are the candidates (the log's read table), each checked here; newest first."""
        undone = Undone()
        for entry_id in entries:
            entry = self.entry(entry_id)
            if entry.agent_id != agent or entry.world_id != world_id or entry.created_on < since:
                continue
            if entry.is_active and entry_id not in undone:
                self._undo_all(entry_id, cascade, reason, undone)
        return undone

    def _undo_all(self, entry_id: UUID, cascade: bool, reason: str, undone: Undone) -> None:
        """The entry and (``cascade``) what depends on it, dependents first; the
        whole cascade is planned, and refused, before anything is written."""
        for step_id, cascaded_from in self._plan(entry_id, cascade):
            self._undo(step_id, reason, cascaded_from, undone)

    def _plan(self, entry_id: UUID, cascade: bool) -> list[tuple[UUID, UUID | None]]:
        """The entries to undo, dependents first, each with the entry whose
        cascade reached it; 409 naming the active dependents without ``cascade``."""
        entry = self.entry(entry_id)
        entry.check_active()
        dependents = self._active_dependents(entry)
        if dependents and not cascade:
            raise EvolutionHasDependents(
                f"{len(dependents)} later change(s) depend on this one: roll them back first, or cascade",
                dependents=[str(d) for d in dependents],
            )
        order: list[tuple[UUID, UUID | None]] = []
        seen: set[UUID] = set()

        def visit(current: Evolution, cascaded_from: UUID | None) -> None:
            seen.add(current.id)
            for dependent in self._active_dependents(current):
                if dependent not in seen:
                    visit(self.entry(dependent), current.id)
            order.append((current.id, cascaded_from))
            if len(order) > CASCADE_MAX:
                raise InvalidCommand(f"a rollback undoes at most {CASCADE_MAX} changes")

        visit(entry, None)
        return order

    def _active_dependents(self, entry: Evolution) -> list[UUID]:
        return [UUID(d) for d in entry.dependents if self.entry(UUID(d)).is_active]

    def _undo(self, entry_id: UUID, reason: str, cascaded_from: UUID | None, undone: Undone) -> None:
        entry = self.entry(entry_id)
        compensation = self._compensate(entry)

        def step() -> Written:
            now = self.entry(entry_id)
            later = [d for d in now.dependents if UUID(d) not in undone and self.entry(UUID(d)).is_active]
            if later:  # an agent answered something of this change while it was being undone
                raise EvolutionHasDependents(
                    "a later change depends on this one now: roll back again", dependents=later
                )
            written_with = []
            if now.changes_made["kind"] == FLAGS_SET:  # restored in the same write as the rollback
                world = self.game.world(now.world_id)
                done = self._restore_flags(world, now)
                compensation.update(done)
                written_with = [world] if world.pending_events else []
            now.roll_back(reason or "rolled back by an admin", compensation, cascaded_from)
            return Written(now, self.store.write(now, *written_with))

        written = self.store.change(entry_id, step)
        undone.append(entry_id)
        undone.position = max(undone.position or 0, written.position or 0) or None

    def _restore_flags(self, world: Any, entry: Evolution) -> dict[str, Any]:
        """Each flag the entry set back to what it was, unless it moved on since
        (then it is another's change now)."""
        changes = entry.changes_made
        restored = {k: v for k, v in changes["previous"].items() if world.flag_origins.get(k) == str(entry.id)}
        built_on = changes.get("built_on", {})
        for origin in dict.fromkeys(built_on.get(k) for k in restored):  # each back with who set it
            again = {k: v for k, v in restored.items() if built_on.get(k) == origin}
            self.game.flag(world, again, "rolled back", UUID(origin) if origin else None)
        return {"flags_restored": restored}

    def _compensate(self, entry: Evolution) -> dict[str, Any]:
        """What undoes the entry's change, done (again, harmlessly, after a crash)."""
        changes = entry.changes_made
        if changes["kind"] == QUEST_POSTED:
            quest = UUID(changes["quest_id"])
            self.game.quests.set_quest_active(quest, False)
            return {"quest_closed": str(quest)}
        if changes["kind"] == EVENT_SCHEDULED:
            event = UUID(changes["event_id"])
            with contextlib.suppress(DomainError):  # over already (ended, or cancelled by a rollback cut short)
                self.game.seasons.cancel(event)
            return {"event_cancelled": str(event)}
        if changes["kind"] == STORY_WRITTEN:
            story = UUID(changes["story_id"])
            self.game.stories.set_story_active(story, False)
            return {"story_closed": str(story)}
        if changes["kind"] == FLAGS_SET:
            return {}  # restored in the rollback's own write (``_restore_flags``)
        raise InvalidCommand(f"no compensation for {changes['kind']!r}")
