"""The docs that can be checked against the code are."""

from __future__ import annotations

import re
from pathlib import Path

from infra.entrypoints.catalogue import render
from infra.entrypoints.contexts import read_models

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


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


def test_every_file_the_docs_name_exists():
    root = DOCS.parent
    for page in [*DOCS.glob("*.md"), root / "README.md"]:
        for path in re.findall(
            r"`((?:domain|projections|api|infra|tests|bench|docs)/[\w/.-]+\.(?:py|md))`", page.read_text()
        ):
            assert (root / path).exists(), f"{page.name} names {path}, which does not exist"


def test_the_domain_imports_exactly_the_libraries_the_architecture_names():
    import ast
    import sys

    allowed = {"pydantic", "pydantic_core", "eventsourcing", "opensimplex"}
    used = set()
    for module in (DOCS.parent / "domain").rglob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            used |= {n.split(".")[0] for n in names}
    libraries = used - set(sys.stdlib_module_names) - {"domain", "__future__"}
    assert libraries <= allowed, f"the domain imports {libraries - allowed}"
    text = (DOCS / "architecture.md").read_text()
    assert all(name in text for name in libraries)


def test_the_architecture_describes_the_writer_lock_the_recorder_takes():
    from infra.group_commit import GroupCommitRecorder

    source = Path(__import__("inspect").getsourcefile(GroupCommitRecorder)).read_text()
    assert "pg_advisory_xact_lock" in source
    text = " ".join((DOCS / "architecture.md").read_text().split())
    assert "Writers serialise on a transaction-level advisory lock" in text
    assert "recorder locks the events table" not in text, "the doc says writers take a table lock"


def test_every_error_code_the_server_can_answer_is_documented():
    """docs/api.md (HTTP) and docs/sessions.md (WebSocket) name every code."""
    codes: set[str] = set()
    for path in ROOT.glob("api/**/*.py"):
        text = path.read_text()
        codes |= set(re.findall(r'Problem\(\s*\d{3},\s*"([a-z_]+)"', text))
        codes |= set(re.findall(r'"code":\s*"([a-z_]+)"', text))
        codes |= set(re.findall(r'code="([a-z_]+)"', text))
        codes |= set(re.findall(r'\(\d{3}, "([a-z_]+)"', text))
    for path in ROOT.glob("domain/**/*.py"):
        codes |= set(re.findall(r'^\s+code = "([a-z_]+)"', path.read_text(), re.MULTILINE))
    documented = (ROOT / "docs/api.md").read_text() + (ROOT / "docs/sessions.md").read_text()
    assert len(codes) > 30
    assert not sorted(c for c in codes if f"`{c}`" not in documented)
