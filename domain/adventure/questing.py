"""The quests' use cases (docs/adventure.md, "Quests"): admins (and agents,
through the same calls) post quests; a character begins one, or joins a
party's run of it; the game's own events move it on.

Progress is never reported by a client: a policy sets a durable timer when
a character does something an objective may count (finds items, crafts,
builds, chooses a story branch, gains experience, takes a quest), and its
handler (``advance``) counts the character's events since the last counted
for each run it is in. Counting records how far it got (``seen``), so
running it again counts nothing twice. Experience rewards scale with the run
and with the world's active events (``world_events``). The run that completes is written
with every member's rewards and their leaving the quest: one write. Runs
expire at the quest's ``expires_at`` (another timer), and the quest closes
to new runs then."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.adventure.characters import EXPERIENCE_GRANT_MAX
from domain.adventure.quest_counting import counted
from domain.adventure.quest_runs import ABANDONED, ACTIVE, COMPLETED, EXPIRED, QuestProgress, progress_id
from domain.adventure.quests import Quest, QuestRefused
from domain.adventure.rules import befall, facts, unmet
from domain.adventure.world_events import quest_experience
from domain.kernel import clock
from domain.kernel.aggregate import Aggregate
from domain.kernel.errors import NotFound, PermissionDenied
from domain.kernel.store import Lorekeeper, Written
from domain.kernel.writing import writes

if TYPE_CHECKING:
    from domain.adventure.characters import Adventurer
    from domain.adventure.use_cases import AdventureUseCases


class Questing:
    def __init__(self, store: Lorekeeper, game: AdventureUseCases) -> None:
        self.store = store
        self.game = game

    def quest(self, quest_id: UUID) -> Quest:
        return self.store.load(Quest, quest_id)

    def run(self, run_id: UUID) -> QuestProgress:
        return self.store.load(QuestProgress, run_id)

    def new_quest(
        self,
        world_id: UUID,
        title: str,
        description: str,
        quest_type: str,
        requirements: dict[str, Any],
        rewards: dict[str, Any],
        difficulty_level: int,
        objectives: list[dict[str, Any]],
        party_max: int = 1,
        expires_at: datetime | None = None,
        origin: UUID | None = None,
    ) -> Quest:
        """A quest, not yet written (``origin``: the evolution entry of the agent
        posting it, which names it and is written with it)."""
        self.game.world(world_id)
        quest = Quest.create(
            world_id,
            title,
            description,
            quest_type,
            requirements,
            rewards,
            difficulty_level,
            objectives,
            party_max,
            expires_at,
            clock.now(),
            origin,
        )
        return quest

    create_quest = writes(new_quest)

    def set_quest_active(self, quest_id: UUID, is_active: bool, expected_version: int | None = None) -> Written:
        return self.store.command(Quest, quest_id, lambda q: q.set_active(is_active), expected_version)

    def _check_may_take(self, quest: Quest, character: Adventurer) -> None:
        quest.check_open(clock.now())
        if character.world_id != quest.world_id:
            raise QuestRefused("the quest is in another world than the character", quest_id=str(quest.id))
        if str(quest.id) in character.quests:
            raise QuestRefused("the character has this quest under way", quest_id=str(quest.id))
        missing = unmet(quest.requirements, facts(character, set(self.game.unlocked(character.owner))))
        if missing:
            raise QuestRefused(f"{quest.title!r} needs {', '.join(missing)}", unmet=missing)

    def begin(self, owner: UUID, character_id: UUID, quest_id: UUID) -> Written:
        """The character begins the quest as a party of one (others may join):
        its objectives' counts scale to its level now."""
        quest = self.quest(quest_id)

        def step() -> Written:
            character = self.game.character(character_id, owner)
            self._check_may_take(quest, character)
            try:
                self.run(progress_id(quest.id, character.id))
                raise QuestRefused("the character has begun this quest before", quest_id=str(quest.id))
            except NotFound:
                run = QuestProgress.begin(quest, character)
            character.take_quest(quest.id, run.id)
            return Written(run, self.store.write(run, character))

        return self.store.change(character_id, step)

    def join(self, owner: UUID, character_id: UUID, quest_id: UUID, party_id: UUID) -> Written:
        """The character joins a party's run of the quest while there is room."""
        quest = self.quest(quest_id)

        def step() -> Written:
            character = self.game.character(character_id, owner)
            run = self.run(party_id)
            if run.quest_id != quest.id:
                raise QuestRefused("that party is on another quest", party_id=str(party_id))
            self._check_may_take(quest, character)
            run.join(character, quest.party_max)
            character.take_quest(quest.id, run.id)
            return Written(run, self.store.write(run, character))

        return self.store.change(party_id, step)

    def abandon(self, owner: UUID, character_id: UUID, quest_id: UUID) -> Written:
        """The leader gives the run up, for the whole party."""
        character = self.game.character(character_id, owner)
        run_id = character.quests.get(str(quest_id))
        if run_id is None:
            raise QuestRefused("the character has no run of this quest under way", quest_id=str(quest_id))

        def step() -> Written:
            run = self.run(UUID(run_id))
            if run.leader_id != character_id:
                raise PermissionDenied("only the party's leader abandons its run")
            return self._end(run, ABANDONED, {})

        return self.store.change(UUID(run_id), step)

    def _end(self, run: QuestProgress, status: str, rewards: dict[str, Any]) -> Written:
        """End the run: each member leaves the quest (and gets ``rewards``): one write."""
        changed: list[Aggregate] = []
        world = self.game.world(run.world_id)
        for member_id in run.members:
            member = self.game.character(UUID(member_id))
            if rewards:
                befall(member, rewards, f"quest:{run.quest_id}", run.id)
            member.leave_quest(run.quest_id, status)
            changed.append(member)
        if rewards.get("world_flags"):
            world.set_flags(rewards["world_flags"], f"quest:{run.quest_id}")
        run.end(status, rewards)
        return Written(run, self.store.write(run, *changed, *([world] if world.pending_events else [])))

    # -- the timers' handlers ----------------------------------------------------------

    def advance(self, character_id: UUID, due: datetime) -> list[Written]:
        """Count the character's new events toward each run it is in; a run
        whose last objective is done completes, with its rewards."""
        try:
            character = self.game.character(character_id)
        except NotFound:
            return []
        return [
            self.store.change(run_id, partial(self._advance, character_id, run_id))
            for run_id in map(UUID, character.quests.values())
        ]

    def _advance(self, character_id: UUID, run_id: UUID) -> Written:
        run = self.run(run_id)
        character = self.game.character(character_id)
        if run.status != ACTIVE or str(character_id) not in run.members:
            return Written(run, None)
        quest = self.quest(run.quest_id)
        seen = run.members[str(character_id)]
        events = self.store.events.get(character_id, gt=seen, lte=character.version)
        counts, current = counted(quest, run, character, events)
        run.advance(character_id, character.version, counts, current)
        if not run.done:
            return self.store.written(run)
        rewards = dict(quest.rewards)
        if "experience" in rewards:
            boost = quest_experience(self.game.world(run.world_id).active_events)  # a festival's, say
            rewards["experience"] = min(EXPERIENCE_GRANT_MAX, max(1, round(rewards["experience"] * run.scale * boost)))
        return self._end(run, COMPLETED, rewards)

    def expire(self, run_id: UUID, due: datetime) -> Written | None:
        """A run still under way at its quest's ``expires_at`` expires."""
        try:
            run = self.run(run_id)
        except NotFound:
            return None
        if run.expires_at is None or run.expires_at > due:
            return None

        def step() -> Written:
            now = self.run(run_id)
            return self._end(now, EXPIRED, {}) if now.status == ACTIVE else Written(now, None)

        return self.store.change(run_id, step)

    def close(self, quest_id: UUID, due: datetime) -> Written | None:
        """The quest closes to new runs at its ``expires_at``."""
        try:
            quest = self.quest(quest_id)
        except NotFound:
            return None
        if quest.expires_at is None or quest.expires_at > due:
            return None
        return self.store.command(Quest, quest_id, lambda q: q.set_active(False, expired=True))
