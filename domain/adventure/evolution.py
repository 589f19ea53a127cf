"""The world evolution log (seed 002's ``world_evolution_log``): every change
an agent makes to a world is one entry, with what it changed
(``changes_made``) and why (``reasoning``), and the entries it depends on.

An entry's id comes from the agent and the trigger (``evolution_id``), so an
agent acts **once per triggering event**: a trigger seen again (Kafka
redelivering, a timer fired twice, a member killed mid-batch) finds its
entry and does nothing. Rolling an entry back records compensating events
(nothing is deleted) and turns it inactive; an entry another active one
depends on is rolled back only with them (``cascade``)."""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID, uuid5

from domain.kernel.aggregate import Aggregate
from domain.kernel.errors import Conflict

QUEST_POSTED, EVENT_SCHEDULED = "quest_posted", "event_scheduled"
STORY_WRITTEN, FLAGS_SET = "story_written", "flags_set"


class EvolutionRolledBack(Conflict):
    code = "evolution_rolled_back"


class EvolutionHasDependents(Conflict):
    code = "evolution_has_dependents"


def evolution_id(agent_id: UUID, trigger: str) -> UUID:
    return uuid5(agent_id, f"evolution/{trigger}")


class Evolution(Aggregate):
    TOPIC = "lorekeeper.evolution"
    snapshot_types: ClassVar[dict[str, object]] = {"world_id": UUID, "agent_id": UUID}

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.evolution.Created"
        world_id: UUID
        agent_id: UUID
        trigger: str
        evolution_type: str
        changes_made: dict[str, Any]  # {"kind": quest_posted | event_scheduled | story_written | flags_set, ...}
        reasoning: dict[str, Any]
        depends_on: list[UUID]

    class DependentAdded(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.evolution.DependentAdded"
        evolution_id: UUID

        def apply(self, entry: Evolution) -> None:
            entry.dependents = [*entry.dependents, str(self.evolution_id)]

    class RolledBack(Aggregate.Event):
        """Undone by compensating events (``compensation``: what they were)."""

        TOPIC: ClassVar[str] = "lorekeeper.evolution.RolledBack"
        reason: str
        cascaded_from: UUID | None
        compensation: dict[str, Any]
        agent_id: UUID | None = None  # whose change it was (the read model counts each agent's rollbacks)

        def apply(self, entry: Evolution) -> None:
            entry.is_active = False

    def __init__(
        self,
        world_id: UUID,
        agent_id: UUID,
        trigger: str,
        evolution_type: str,
        changes_made: dict[str, Any],
        reasoning: dict[str, Any],
        depends_on: list[UUID],
    ) -> None:
        self.world_id = world_id
        self.agent_id = agent_id
        self.trigger = trigger
        self.evolution_type = evolution_type
        self.changes_made = changes_made
        self.reasoning = reasoning
        self.depends_on = [str(d) for d in depends_on]
        self.dependents: list[str] = []
        self.is_active = True

    @staticmethod
    def create_id(agent_id: UUID, trigger: str, **_: object) -> UUID:
        return evolution_id(agent_id, trigger)

    def add_dependent(self, dependent: UUID) -> None:
        if str(dependent) not in self.dependents:
            self.trigger_event(self.DependentAdded, evolution_id=dependent)

    def check_active(self) -> None:
        if not self.is_active:
            raise EvolutionRolledBack("this change was rolled back already", evolution_id=str(self.id))

    def roll_back(self, reason: str, compensation: dict[str, Any], cascaded_from: UUID | None = None) -> None:
        self.check_active()
        self.trigger_event(
            self.RolledBack,
            reason=reason,
            cascaded_from=cascaded_from,
            compensation=compensation,
            agent_id=self.agent_id,
        )
