"""The analysts' commands: ``export``, ``replay``, as-of ``projections rebuild``
and ``relay --from``. The command line (cli.py) registers them; the work is
done by infra/export.py, projections/as_of.py and the relay."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from infra.entrypoints.cli_support import console, progress_bar
from infra.entrypoints.cli_support import container as _container
from infra.export import FORMATS, Exporter, ExportRefused
from infra.selection import BadSelection, parse_cut, parse_globs
from projections.as_of import SchemaRefused, build, target_schema
from projections.model import Projection
from projections.tracking import SchemaVersionMismatch

if TYPE_CHECKING:
    from infra.entrypoints.bootstrap import Container

T = TypeVar("T")


def _parsed(parse: Callable[[str], T], text: str) -> T:
    """``parse(text)``, or the reason it cannot be and exit status 2."""
    try:
        return parse(text)
    except BadSelection as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(2) from None


def export(
    out: Annotated[Path, typer.Option(help="The export's directory (created; run again to add what is new).")],
    format: Annotated[str, typer.Option(help=f"One of {', '.join(FORMATS)}.")] = "parquet",
    after: Annotated[int | None, typer.Option(min=0, help="Begin after this position (first run only).")] = None,
    until: Annotated[str | None, typer.Option(help="End at this position or ISO time (default: the head).")] = None,
    topics: Annotated[str | None, typer.Option(help="Comma-separated topic globs (default: every topic).")] = None,
    chunk: Annotated[int, typer.Option(min=1, max=1_000_000, help="Positions per chunk of files.")] = 50_000,
    data_dir: Annotated[Path | None, typer.Option()] = None,
) -> None:
    """Write the event history as Parquet (or NDJSON), partitioned by topic and
    day, with a manifest of the positions exported: incremental, and safe to
    kill and run again (docs/analysts.md)."""
    container = _container(data_dir)
    cut = _parsed(parse_cut, until) if until is not None else None
    exporter = Exporter(
        container.history,
        out,
        format,
        _parsed(parse_globs, topics or ""),
        chunk,
        pause_before_commit=container.settings.fault_export_pause_seconds,
    )
    try:
        with progress_bar(f"exporting to {out}") as update:
            manifest = exporter.run(after, cut, update)
    except ExportRefused as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(2) from None
    finally:
        container.close()
    console.print(f"{out}: {manifest.rows} events in {len(manifest.files)} files, up to position {manifest.position}")


def replay(
    target: Annotated[str, typer.Argument(help="MODULE:PROJECTION, e.g. my_analysis:SAVES_PER_DAY.")],
    schema: Annotated[str, typer.Option(help="The schema its tables go in.")],
    until: Annotated[str | None, typer.Option(help="Stop at this position or ISO time (default: the head).")] = None,
    replace: Annotated[bool, typer.Option(help="Build it again from nothing.")] = False,
    data_dir: Annotated[Path | None, typer.Option()] = None,
) -> None:
    """Run your own projection (projections.model.Projection) over the whole
    history into your schema: batched, exactly once, resumable (docs/analysts.md)."""
    projection = _load(target)
    container = _container(data_dir)
    container.setup()
    build_as_of(container, projection, schema, until, replace, f"replay:{projection.name}@{schema}")


def build_as_of(
    container: Container, projection: Projection, schema: str | None, until: str | None, replace: bool, tracking: str
) -> None:
    if schema is None:
        console.print("[red]an as-of build goes into a schema of your own: --schema S[/]")
        raise typer.Exit(2)
    try:
        schema = target_schema(schema, {model.schema for model in container.read_models})
        cut = container.history.cut(_parsed(parse_cut, until)) if until is not None else None
        with progress_bar(f"{projection.name} into {schema}") as update:
            position = build(
                projection,
                container.pool,
                container.event_log,
                container.mapper.open_state,
                schema=schema,
                until=cut,
                tracking_name=tracking,
                replace=replace,
                batch_size=container.settings.projection_batch_size,
                progress=update,
            )
    except (SchemaRefused, SchemaVersionMismatch) as error:
        console.print(f"[red]{error}[/] (--replace builds it again)")
        raise typer.Exit(2) from None
    finally:
        container.close()
    console.print(f"{projection.name} built into schema {schema} up to position {position}")


def republish(container: Container, first: int, last: int | None) -> None:
    try:
        with progress_bar("re-publishing") as update:
            sent = container.relay.republish(first, last, update)
    finally:
        container.close()
    console.print(f"re-published {sent} events from position {first}")


def _load(target: str) -> Projection:
    module_name, _, attribute = target.partition(":")
    if not module_name or not attribute:
        console.print(f"[red]name the projection as MODULE:ATTRIBUTE, not {target!r}[/]")
        raise typer.Exit(2)
    sys.path.insert(0, str(Path.cwd()))  # the analyst's own module, where they run the command
    try:
        found = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as error:
        console.print(f"[red]cannot load {target}: {error}[/]")
        raise typer.Exit(2) from None
    if not isinstance(found, Projection):
        console.print(f"[red]{target} is a {type(found).__name__}, not a projections.model.Projection[/]")
        raise typer.Exit(2)
    return found
