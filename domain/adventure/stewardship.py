"""The agents' use cases (docs/adventure.md, "AI agents"): admins register,
configure and pause agents and roll their changes back; the agents' turns
(timers set by ``policies``, taken in the ``lorekeeper-ai`` consumer group
when a broker is configured) let each active agent of a type decide, and
carry out its decision through the use case an admin would use.

**Exactly once.** The entry of an agent's change is named by the agent and
the trigger, and so is what the change makes (the quest posted, the event
scheduled, the story written); the change and its entry are one write. A
turn taken again finds the entry and does nothing; one cut short wrote
neither. Rolling changes back is ``rollbacks``'.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.adventure.agent_policies import POLICIES, SURVEYORS
from domain.adventure.agents import REGISTRY, Agent, AgentMemory, AgentNameTaken, AgentRegistry, memory_id
from domain.adventure.characters import Adventurer
from domain.adventure.decisions import (
    AgentPolicy,
    Census,
    Decision,
    PostQuest,
    PostStory,
    ScheduleEvent,
    SetWorldFlags,
    Trigger,
    Turn,
)
from domain.adventure.evolution import (
    EVENT_SCHEDULED,
    FLAGS_SET,
    QUEST_POSTED,
    STORY_WRITTEN,
    Evolution,
    evolution_id,
)
from domain.adventure.quest_runs import COMPLETED, QuestProgress
from domain.adventure.quests import Quest
from domain.adventure.relationships import Relationship, relationship_type
from domain.adventure.rollbacks import Rollbacks
from domain.adventure.stories import Story
from domain.adventure.surveyors import SURVEYED, survey_key
from domain.adventure.world_events import WorldEvent
from domain.kernel import clock
from domain.kernel.errors import Conflict, InvalidCommand, NotFound
from domain.kernel.store import Lorekeeper, Written

if TYPE_CHECKING:
    from domain.adventure.use_cases import AdventureUseCases

SURVEY_WORLDS_MAX = 100  # worlds one survey looks at
STORIES_CHECKED = 16  # a character's stories (the last begun) story_weaver looks at in one turn


class NotASurveyor(Conflict):
    code = "not_a_surveyor"


class Stewardship(Rollbacks):
    def __init__(
        self,
        store: Lorekeeper,
        game: AdventureUseCases,
        policies: Mapping[str, AgentPolicy] = POLICIES,
        census: Census | None = None,
    ):
        self.store = store
        self.game = game
        self.policies = policies
        self.census = census  # the read side's view of whole worlds (set by infrastructure)

    # -- admins --------------------------------------------------------------------

    def register(self, agent_name: str, agent_type: str, configuration: dict[str, Any]) -> Written:
        made = Agent.register(agent_name, agent_type, configuration)

        def step() -> Written:
            try:
                self.agent(made.id)
                raise AgentNameTaken(f"there is an agent named {made.agent_name!r}", agent_name=made.agent_name)
            except NotFound:
                pass
            try:
                registry = self.store.load(AgentRegistry, REGISTRY)
            except NotFound:
                registry = AgentRegistry()
            registry.trigger_event(AgentRegistry.Listed, agent_id=made.id, agent_type=made.agent_type)
            return Written(made, self.store.write(made, registry))

        return self.store.change(REGISTRY, step)

    def configure(
        self,
        agent: UUID,
        configuration: dict[str, Any] | None,
        is_active: bool | None,
        expected_version: int | None = None,
    ) -> Written:
        return self.store.command(Agent, agent, lambda a: a.configure(configuration, is_active), expected_version)

    # -- the agents' turns ---------------------------------------------------------------

    def quest_completed(self, run_id: UUID, due: datetime) -> list[Written]:
        """``quest_generator``'s turn: a run of a quest completed."""
        run = self.store.load(QuestProgress, run_id)
        if run.status != COMPLETED:
            return []
        quest = self.store.load(Quest, run.quest_id)
        depends = (quest.origin,) if quest.origin is not None else ()
        return self._turn("quest_generator", Turn(f"quest:{quest.id}", run.world_id, (quest, run), depends))

    def season_began(self, event_id: UUID, due: datetime) -> list[Written]:
        """``event_coordinator``'s turn: a season's window opened."""
        season = self.store.load(WorldEvent, event_id)
        if season.status != "active" or season.event_type != "season":
            return []
        depends = (season.triggered_by,) if season.trigger == "agent" and season.triggered_by else ()
        key = f"season:{season.id}:{season.start_time.isoformat()}"
        return self._turn("event_coordinator", Turn(key, season.world_id, season, depends))

    def branch_chosen(self, character_id: UUID, due: datetime) -> list[Written]:
        """``story_weaver``'s turn: the character chose a branch; a story whose
        ending it reached is answered once (the first character to end it).
        Every choice sets this turn: with no story weaver, it reads no story."""
        if not self._agents_of("story_weaver"):
            return []
        try:
            character = self.store.load(Adventurer, character_id)
        except NotFound:
            return []  # erased
        made = []
        for story_key, path in list(character.stories.items())[-STORIES_CHECKED:]:
            story = self.store.load(Story, UUID(story_key))
            if not story.is_active or story.next_choices(path):
                continue
            origin = story.metadata.get("evolution_id")
            depends = (UUID(origin),) if origin else ()
            subject = (story, character, path)
            made += self._turn("story_weaver", Turn(f"story_end:{story.id}", story.world_id, subject, depends))
        return made

    def relationship_soured(self, relationship_id: UUID, due: datetime) -> list[Written]:
        """``character_master``'s turn: a relationship turned hostile (answered
        if it still is), once per turning (``due``: when it turned)."""
        with self.store.preloaded(relationship_id, REGISTRY):
            relationship = self.store.load(Relationship, relationship_id)
        if relationship_type(relationship.value) != "hostile":
            return []
        key, memory = f"hostile:{relationship.id}:{due.isoformat()}", f"rift:{relationship.id}"
        pair_ids = (relationship.first_id, relationship.second_id)
        with self._preparing("character_master", key, relationship.world_id, memory, *pair_ids):
            try:
                pair = [self.store.load(Adventurer, c) for c in pair_ids]
            except NotFound:
                return []  # one of them is erased
            subject = (relationship, *pair)
            return self._turn("character_master", Turn(key, relationship.world_id, subject, (), memory))

    def survey(self, agent_key: UUID, due: datetime, scheduled: bool = True) -> list[Written]:
        """A surveyor's look at each world it serves (the read side's census of
        it), then (``scheduled``) its next survey, one interval on. Taken again
        for the same ``due``, it finds its entries and its schedule moved on."""
        agent = self.agent(agent_key)
        policy = self.policies.get(agent.agent_type)
        if agent.agent_type not in SURVEYORS or policy is None:
            return []
        if scheduled and agent.next_survey is not None and due < agent.next_survey:
            return []  # that survey was taken
        made = []
        if agent.is_active and self.census is not None:
            worlds = [UUID(w) for w in agent.configuration.get("worlds", [])] or self.census.worlds()
            for world_id in worlds[:SURVEY_WORLDS_MAX]:
                turn = Turn(survey_key(world_id, due), world_id, SURVEYED[agent.agent_type](self.census, world_id))
                made.append(
                    self.store.change(evolution_id(agent.id, turn.key), partial(self._act, agent.id, policy, turn))
                )
        if scheduled:
            made.append(self.store.command(Agent, agent.id, lambda a: a.surveyed(due, clock.now())))
        return made

    def survey_now(self, agent_key: UUID) -> list[Written]:
        """An admin's survey, now (its schedule stays as it is)."""
        agent = self.agent(agent_key)
        if agent.agent_type not in SURVEYORS:
            raise NotASurveyor(
                f"a {agent.agent_type} answers events; only {sorted(SURVEYORS)} survey", agent_type=agent.agent_type
            )
        return self.survey(agent_key, clock.now(), scheduled=False)

    def _agents_of(self, agent_type: str) -> list[UUID]:
        """The registered agents of a type with a policy to decide for them."""
        try:
            registry = self.store.load(AgentRegistry, REGISTRY)
        except NotFound:
            return []
        return registry.of_type(agent_type) if agent_type in self.policies else []

    def _turn(self, agent_type: str, turn: Turn) -> list[Written]:
        """Every agent of the type answers the turn (each once)."""
        with self._preparing(agent_type, turn.key, turn.world_id, turn.memory_type, *turn.depends):
            return [self._answer(agent, self.policies[agent_type], turn) for agent in self._agents_of(agent_type)]

    def _preparing(
        self, agent_type: str, key: str, world_id: UUID, memory_type: str | None, *others: UUID
    ) -> AbstractContextManager[None]:
        """What the agents of the type will load to answer a turn (themselves,
        their entries and memories, the world, ``others``), read at once."""
        agents = self._agents_of(agent_type)
        entries = [evolution_id(agent, key) for agent in agents]
        memories = [memory_id(agent, world_id, memory_type or agent_type) for agent in agents]
        return self.store.preloaded(*agents, *entries, *memories, world_id, *others)

    def _answer(self, agent: UUID, policy: AgentPolicy, turn: Turn) -> Written:
        """One agent's answer to the turn: its entry, written once (retried whole on a race)."""
        return self.store.change(evolution_id(agent, turn.key), partial(self._act, agent, policy, turn))

    def _act(self, agent_key: UUID, policy: AgentPolicy, turn: Turn) -> Written:
        entry_id, world_id, depends = evolution_id(agent_key, turn.key), turn.world_id, list(turn.depends)
        agent = self.agent(agent_key)
        try:
            return Written(self.entry(entry_id), None)  # acted on this trigger already
        except NotFound:
            pass
        parents = []
        for parent_id in depends:
            try:
                parents.append(self.entry(parent_id))
            except NotFound:
                continue
        if not agent.serves(world_id) or not all(p.is_active for p in parents):
            return Written(agent, None)  # paused, elsewhere, or set off by a change rolled back: no answer
        try:
            world = self.game.world(world_id)
        except NotFound:
            return Written(agent, None)  # a world the census knew and the store does not (yet)
        now = clock.now()
        memory_type = turn.memory_type or agent.agent_type
        try:
            memory = self.store.load(AgentMemory, memory_id(agent.id, world_id, memory_type))
        except NotFound:
            memory = AgentMemory(agent_id=agent.id, world_id=world_id, memory_type=memory_type)
        trigger = Trigger(key=turn.key, world=world, subject=turn.subject, now=now, memory=memory.recall(now))
        decision = policy.decide(agent, trigger)
        if decision is None:
            return Written(agent, None)
        changes, written_with = self._carry_out(world, entry_id, decision)
        # A change to flags an agent set before builds on that change: it depends on it.
        builds_on = [UUID(origin) for origin in changes.get("built_on", {}).values()]
        for origin in dict.fromkeys(builds_on):
            if origin not in depends and origin != entry_id:
                depends = [*depends, origin]
                parents.append(self.entry(origin))
        entry = Evolution(
            world_id=world_id,
            agent_id=agent.id,
            trigger=turn.key,
            evolution_type=decision.evolution_type,
            changes_made=changes,
            reasoning={**decision.reasoning, "seed": str(trigger.seed(agent.id))},  # the dice, recorded
            depends_on=depends,
        )
        for parent in parents:
            parent.add_dependent(entry.id)
        if decision.remember is not None:
            memory.remember(decision.remember, now + decision.remember_for)
        remembered = [memory] if memory.pending_events else []
        return Written(entry, self.store.write(entry, *remembered, *parents, *written_with))

    def _carry_out(self, world: Any, entry_id: UUID, decision: Decision) -> tuple[dict[str, Any], list[Any]]:
        """The decision, through the use case an admin uses (its decision, not
        its write): what it made, to be written with the entry in one write.
        So a change and its entry are never one without the other."""
        change, world_id = decision.change, world.id
        if isinstance(change, PostQuest):
            quest = self.game.quests.new_quest(world_id, **vars(change), origin=entry_id)
            return {"kind": QUEST_POSTED, "quest_id": str(quest.id), "title": change.title}, [quest]
        if isinstance(change, ScheduleEvent):
            happening = self.game.seasons.new_event(world_id, **vars(change), trigger="agent", triggered_by=entry_id)
            return {"kind": EVENT_SCHEDULED, "event_id": str(happening.id), "event_name": change.event_name}, [
                happening
            ]
        if isinstance(change, PostStory):
            story = self.game.stories.new_story(world_id, **vars(change), origin=entry_id)
            return {"kind": STORY_WRITTEN, "story_id": str(story.id), "title": change.title}, [story]
        if isinstance(change, SetWorldFlags):
            previous = {name: world.flags.get(name) for name in change.flags}
            built_on = {name: world.flag_origins[name] for name in change.flags if name in world.flag_origins}
            self.game.flag(world, change.flags, change.reason, origin=entry_id)
            flagged = {"kind": FLAGS_SET, "flags": change.flags, "previous": previous, "built_on": built_on}
            return flagged, [world]
        raise InvalidCommand(f"an agent cannot make a {type(change).__name__}")

    # -- memory -------------------------------------------------------------------------

    def forget(self, memory: UUID, due: datetime) -> Written | None:
        try:
            return self.store.command(AgentMemory, memory, lambda m: m.forget(max(due, clock.now())))
        except NotFound:
            return None
