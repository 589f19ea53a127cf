"""The docs that can be checked against the code are."""

from __future__ import annotations

import re
from pathlib import Path

from infra.entrypoints.catalogue import render
from infra.entrypoints.contexts import read_models

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_event_catalogue_matches_the_registered_events():
    assert (DOCS / "events.md").read_text() == render(), (
        "regenerate: python -m infra.entrypoints.catalogue > docs/events.md"
    )


def test_every_read_table_and_column_is_in_the_read_model_map():
    text = (DOCS / "read-model.md").read_text()
    for model in read_models():
        for table in model.tables:
            assert f"`{table.qualified}`" in text, table.qualified
            for column in table.column_names:
                assert re.search(rf"\b{column}\b", text), f"{table.name}.{column}"
