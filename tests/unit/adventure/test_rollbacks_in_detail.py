"""Rolling agents' changes back at every bound (docs/adventure.md, "AI
agents", Rollback): what ``roll_back_since`` picks, what a cascade records,
how many it undoes, the compensation of each kind of change, and the race
where an agent answers a change while it is being undone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.adventure import Evolution
from domain.adventure import rollbacks as rollbacks_module
from domain.adventure.evolution import EvolutionHasDependents
from domain.kernel.errors import InvalidCommand
from tests.unit.adventure.helpers import adventure
from tests.unit.adventure.test_agent_kinds_in_detail import Census, crowd

PRODUCTS = [
    {"recipe_name": "P", "recipe_type": "cooking", "quantity": 90},
    {"recipe_name": "Q", "recipe_type": "cooking", "quantity": 1},
]


def rolled_back(game, entry_id):
    return [e for e in game.store.events.get(entry_id) if type(e).__name__ == "RolledBack"][-1]


def settlements(game, world_id, mason, *crowds):
    """One world-builder survey per list of crowds; the entries, in order."""
    made = []
    for seen in crowds:
        game.agents.census = Census(world_id, crowds=seen)
        (written,) = game.agents.survey_now(mason)
        made.append(written.aggregate)
    return made


def test_a_cascade_records_where_it_came_from_and_is_bounded(monkeypatch):
    game, world_id, *_ = adventure()
    mason = game.agents.register("Mason", "world_builder", {}).aggregate.id
    founded, west, east = settlements(
        game, world_id, mason, [crowd(0, 0, 5), crowd(1, 0, 5)], [crowd(0, 0, 10)], [crowd(1, 0, 10)]
    )
    assert sorted(founded.dependents) == []  # the loaded copy: read again below
    assert sorted(game.agents.entry(founded.id).dependents) == sorted([str(west.id), str(east.id)])
    with pytest.raises(
        EvolutionHasDependents, match=r"^2 later change\(s\) depend on this one: roll them back first, or cascade$"
    ):
        game.agents.roll_back(founded.id)
    head = game.store.recorder.max_notification_id()
    monkeypatch.setattr(rollbacks_module, "CASCADE_MAX", 2)
    with pytest.raises(InvalidCommand, match=r"^a rollback undoes at most 2 changes$"):
        game.agents.roll_back(founded.id, cascade=True)
    assert game.store.recorder.max_notification_id() == head  # refused before anything was undone
    monkeypatch.setattr(rollbacks_module, "CASCADE_MAX", 3)
    undone = game.agents.roll_back(founded.id, cascade=True, reason="too fast")
    assert set(undone[:2]) == {west.id, east.id} and undone[-1] == founded.id
    assert undone.position == game.store.recorder.max_notification_id()
    for dependent in (west.id, east.id):
        event = rolled_back(game, dependent)
        assert (event.reason, event.cascaded_from, event.agent_id) == ("too fast", founded.id, mason)
    assert rolled_back(game, founded.id).cascaded_from is None
    assert game.world(world_id).flags == {}
    reasons = [e.reason for e in game.store.events.get(world_id) if type(e).__name__ == "FlagsSet"]
    assert reasons[-3:] == ["rolled back"] * 3


def test_everything_one_agent_did_in_a_world_since_a_time_and_nothing_else():
    game, world_id, *_ = adventure()
    _, other_world, *_ = adventure()
    mason = game.agents.register("Mason", "world_builder", {}).aggregate.id
    scales = game.agents.register("Scales", "balance_keeper", {}).aggregate.id
    (early,) = settlements(game, world_id, mason, [crowd(5, 5, 5)])
    since = game.agents.entry(early.id).created_on + timedelta(microseconds=1)
    game.agents.census = Census(world_id, products=PRODUCTS)
    (shortage, _) = game.agents.survey(scales, datetime.now(UTC))
    later, last = settlements(game, world_id, mason, [crowd(7, 7, 5)], [crowd(8, 8, 5)])
    exactly = game.agents.entry(last.id).created_on  # an entry made at ``since`` itself is included
    candidates = [early.id, shortage.aggregate.id, later.id, last.id]
    undone = game.agents.roll_back_since(mason, world_id, exactly, candidates, False, "")
    assert list(undone) == [last.id]
    undone = game.agents.roll_back_since(mason, world_id, since, candidates, True, "cleanup")
    assert list(undone) == [later.id]  # not the early one, not another agent's, not one undone already
    assert rolled_back(game, later.id).reason == "cleanup"
    assert list(game.agents.roll_back_since(mason, other_world, since, candidates, False, "")) == []
    assert game.agents.entry(shortage.aggregate.id).is_active and game.agents.entry(early.id).is_active
    assert rolled_back(game, last.id).reason == "rolled back by an admin"


def test_each_kind_of_change_has_its_compensation():
    game, world_id, *_ = adventure()
    scales = game.agents.register("Scales", "balance_keeper", {}).aggregate.id
    game.agents.census = Census(world_id, products=PRODUCTS)
    (entry, _) = game.agents.survey(scales, datetime.now(UTC))
    event_id = entry.aggregate.changes_made["event_id"]
    game.seasons.cancel(event_id)  # over already: the rollback still records what undoes it
    game.agents.roll_back(entry.aggregate.id)
    assert rolled_back(game, entry.aggregate.id).compensation == {"event_cancelled": event_id}
    odd = Evolution(world_id=world_id, agent_id=scales, trigger="t", evolution_type="x",
                    changes_made={"kind": "bogus"}, reasoning={}, depends_on=[])  # fmt: skip
    game.store.write(odd)
    with pytest.raises(InvalidCommand, match=r"^no compensation for 'bogus'$"):
        game.agents.roll_back(odd.id)


def test_a_change_answered_while_it_is_undone_stops_the_rollback(monkeypatch):
    game, world_id, *_ = adventure()
    mason = game.agents.register("Mason", "world_builder", {}).aggregate.id
    first, second = settlements(game, world_id, mason, [crowd(0, 0, 5)], [crowd(9, 9, 5)])
    undo_once = game.agents._compensate

    def answered_meanwhile(entry):
        done = undo_once(entry)
        racer = game.agents.entry(entry.id)
        racer.add_dependent(second.id)  # an agent answered it between the check and the write
        game.store.write(racer)
        return done

    monkeypatch.setattr(game.agents, "_compensate", answered_meanwhile)
    with pytest.raises(
        EvolutionHasDependents, match=r"^a later change depends on this one now: roll back again$"
    ) as race:
        game.agents.roll_back(first.id)
    assert race.value.details == {"dependents": [str(second.id)]}
    assert game.agents.entry(first.id).is_active


def test_rolling_back_an_unknown_entry_is_not_found():
    game, *_ = adventure()
    from domain.kernel.errors import NotFound

    with pytest.raises(NotFound):
        game.agents.roll_back(uuid4())
