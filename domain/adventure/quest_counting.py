"""Counting toward quests (``quests``): how far one of a character's events
takes an objective, the party's counts once a member's new events are
counted, and the policies that set the quests' timers (progress, a run's
expiry, a quest's closing)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from domain.adventure.building import BLOCK_EXPERIENCE
from domain.adventure.characters import Adventurer
from domain.adventure.quest_runs import QuestProgress
from domain.adventure.quests import Quest
from domain.adventure.rules import facts, unmet
from domain.kernel.timers import Policy, SetTimer, TimerChange


def contribution(wanted: dict[str, Any], event: Any) -> int:
    """How far one of a character's events takes an objective (0: not at all)."""
    kind, name = wanted["kind"], type(event).__name__
    if kind == "gather" and name == "ItemsFound" and event.item_name == wanted["item_name"]:
        return int(event.quantity)
    if kind == "craft" and name == "CraftAttempted" and event.succeeded and event.recipe_name == wanted["recipe_name"]:
        return 1
    if kind == "build" and name == "SkillExperienceGained" and event.skill == "building":
        return int(event.amount) // BLOCK_EXPERIENCE
    if kind == "reach_branch" and name == "BranchChosen" and str(event.branch_id) == wanted["branch_id"]:
        return 1
    if kind == "reach_level" and name == "ExperienceGained":
        return int(event.level)
    return 0


def counted(quest: Quest, run: QuestProgress, character: Any, events: Iterable[Any]) -> tuple[list[int], int]:
    """The party's counts and current objective once ``events`` (a member's,
    after the last of its counted) are counted, in order: each counts toward
    the objective under way, if its ``unlock`` holds of the character now; a
    level objective completes as soon as it is under way and the character
    has the level now."""
    counts, current = list(run.counts), run.current
    known = facts(character)

    def under_way() -> dict[str, Any] | None:
        if current >= len(run.targets):
            return None
        wanted: dict[str, Any] = quest.objectives[current]["requirements"]
        return None if "unlock" in wanted and unmet(wanted["unlock"], known) else wanted

    def levels_held() -> None:
        nonlocal current
        while (wanted := under_way()) is not None and wanted["kind"] == "reach_level":
            counts[current] = min(run.targets[current], max(counts[current], character.level))
            if counts[current] < run.targets[current]:
                return
            current += 1

    for event in events:
        levels_held()
        wanted = under_way()
        if wanted is None:
            break
        gained = contribution(wanted, event)
        if wanted["kind"] == "reach_level":
            counts[current] = min(run.targets[current], max(counts[current], gained))
        else:
            counts[current] = min(run.targets[current], counts[current] + gained)
        if counts[current] >= run.targets[current]:
            current += 1
    levels_held()
    return counts, current


QUEST_PROGRESS = "adventure.quest_progress"  # count a character's new events toward its runs
QUEST_EXPIRY = "adventure.quest_expiry"  # a run expires at its quest's expires_at
QUEST_CLOSING = "adventure.quest_closing"  # the quest closes to new runs then


def policies(_: Any) -> Mapping[str, Policy]:
    """What sets the quests' timers (domain/kernel/timers.py)."""

    def progress(event: Any) -> Iterable[TimerChange]:
        return [SetTimer(QUEST_PROGRESS, event.originator_id, event.timestamp)]

    def expiry(event: Any) -> Iterable[TimerChange]:
        return [SetTimer(QUEST_EXPIRY, event.originator_id, event.expires_at)] if event.expires_at else []

    def closing(event: Any) -> Iterable[TimerChange]:
        return [SetTimer(QUEST_CLOSING, event.originator_id, event.expires_at)] if event.expires_at else []

    counted_events = (
        Adventurer.ItemsFound,
        Adventurer.CraftAttempted,
        Adventurer.SkillExperienceGained,
        Adventurer.BranchChosen,
        Adventurer.ExperienceGained,
        Adventurer.QuestTaken,
    )
    return {
        **{cls.TOPIC: progress for cls in counted_events},
        QuestProgress.Created.TOPIC: expiry,
        Quest.Created.TOPIC: closing,
    }
