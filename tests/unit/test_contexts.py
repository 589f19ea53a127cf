"""The contexts' declarations hold together: nothing registered by half.

Every context listed in infra/entrypoints/contexts.py declares its domain,
read model and HTTP side; these tests check the registries against each
other, so a context that forgets one fails here, not in production."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from domain.kernel.aggregate import event_classes
from domain.kernel.holdings import Holdings
from infra.entrypoints.contexts import CONTEXTS, domain_contexts, read_models, snapshot_intervals

ROOT = Path(__file__).resolve().parents[2]

TOPICS = {
    cls.TOPIC: aggregate
    for aggregate in [Holdings, *(a for c in domain_contexts() for a in c.aggregates)]
    for cls in event_classes(aggregate)
}
HANDLED = {topic for model in read_models() for p in model.projections for topic in p.topics}  # handlers, statements
UNPROJECTED = {topic for model in read_models() for topic in model.unprojected}
# The kernel's holdings are read by erasure and export from the event store, not from a table.
KERNEL_UNPROJECTED = {Holdings.Created.TOPIC, Holdings.Acquired.TOPIC}


def test_every_context_declares_all_three_layers_under_its_own_name():
    assert [c.name for c in domain_contexts()] == list(CONTEXTS)
    assert [m.context for m in read_models()] == list(CONTEXTS)


def test_every_event_topic_is_projected_or_declared_unprojected():
    missing = set(TOPICS) - HANDLED - UNPROJECTED - KERNEL_UNPROJECTED
    assert not missing, f"events no projection handles (project them, or declare them unprojected): {missing}"


def test_every_projection_handler_names_a_topic_that_exists():
    assert not HANDLED - set(TOPICS), "handlers for topics no aggregate declares"
    assert not UNPROJECTED - set(TOPICS), "unprojected topics no aggregate declares"


def test_a_declared_unprojected_topic_is_not_projected_after_all():
    assert not UNPROJECTED & HANDLED


def test_every_table_is_in_its_contexts_schema_and_says_whose_rows_it_holds():
    for model in read_models():
        for table in model.tables:
            assert table.schema == model.schema == model.context
            if table.owner is not None:
                assert table.owner.column in table.column_names, table.qualified
                assert table.owner.via in ("player", "aggregate"), table.qualified


def test_no_two_projections_share_a_name_or_a_table():
    projections = [p for model in read_models() for p in model.projections]
    assert len({p.name for p in projections}) == len(projections)
    tables = [t.qualified for model in read_models() for t in model.tables]
    assert len(set(tables)) == len(tables)


def test_every_context_has_an_import_contract_that_keeps_its_internals_its_own():
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    protected = {m for c in contracts if c["type"] == "protected" for m in c["protected_modules"]}
    for name in CONTEXTS:
        assert {f"domain.{name}.*", f"projections.{name}.*", f"api.{name}.*"} <= protected, name


def test_snapshot_intervals_come_from_the_contexts_and_settings_override_them_by_name():
    contexts = domain_contexts()
    declared = snapshot_intervals(contexts, {})
    save_slot = next(a for c in contexts for a in c.aggregates if a.__name__ == "SaveSlot")
    assert declared[save_slot] == 50
    assert snapshot_intervals(contexts, {"SaveSlot": 7})[save_slot] == 7
    assert save_slot not in snapshot_intervals(contexts, {"SaveSlot": 0})
    with pytest.raises(ValueError, match="Savesl0t"):
        snapshot_intervals(contexts, {"Savesl0t": 5})
