"""The docs that can be checked against the code are."""

from __future__ import annotations

import re
from pathlib import Path

import projections
from infra.catalogue import render

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_event_catalogue_matches_the_registered_events():
    assert (DOCS / "events.md").read_text() == render(), "regenerate: python -m infra.catalogue > docs/events.md"


def test_every_read_table_and_column_is_in_the_read_model_map():
    text = (DOCS / "read-model.md").read_text()
    for projection in projections.ALL.values():
        for table in projection.tables:
            assert f"`{table.name}`" in text, table.name
            for column in table.column_names:
                assert re.search(rf"\b{column}\b", text), f"{table.name}.{column}"
