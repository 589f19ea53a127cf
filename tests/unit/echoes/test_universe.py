"""The static universe: the shipped data loads, inconsistent data never does,
versions only move forward, and jumps follow the range."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domain.echoes.universe import OlderUniverse, Universe, UniverseData, UniverseRefused, reachable

SHIPPED = Path(__file__).resolve().parents[3] / "infra" / "data" / "echoes-universe-v1.json"


def shipped() -> dict:
    return json.loads(SHIPPED.read_text())


def test_the_shipped_universe_is_consistent_and_loads_once():
    data = UniverseData.model_validate(shipped())
    assert data.problems() == []
    assert (len(data.regions), len(data.systems), len(data.stations), len(data.module_types)) == (3, 20, 10, 30)
    universe = Universe()
    universe.collect_events()
    universe.load(data)
    assert [type(e).__name__ for e in universe.collect_events()] == ["Loaded"]
    universe.load(data)
    assert universe.collect_events() == []
    assert universe.static() == data


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d["systems"][0].update(region_id=1), "names no known region"),
        (lambda d: d["stations"][0].update(system_id=1), "names no known system"),
        (lambda d: d["module_types"][1].update(id=d["module_types"][0]["id"]), "id"),
        (lambda d: d["regions"][1].update(name=d["regions"][0]["name"]), "name"),
    ],
)
def test_inconsistent_data_is_refused_naming_the_problem(change, problem):
    raw = shipped()
    change(raw)
    universe = Universe()
    with pytest.raises(UniverseRefused) as refused:
        universe.load(UniverseData.model_validate(raw))
    assert any(problem in p for p in refused.value.details["problems"])


def test_an_older_version_never_replaces_a_newer_one():
    universe = Universe()
    newer = {**shipped(), "version": 2}
    universe.load(UniverseData.model_validate(newer))
    with pytest.raises(OlderUniverse):
        universe.load(UniverseData.model_validate(shipped()))


def test_a_jump_reaches_only_systems_within_range():
    data = UniverseData.model_validate(shipped())
    first, second, far = data.systems[0].id, data.systems[1].id, data.systems[-1].id
    assert reachable(data, first, second)
    assert not reachable(data, first, far)
    assert not reachable(data, first, first) and not reachable(data, first, 1)
