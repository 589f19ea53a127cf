"""``lorekeeper projections ...`` (the read models and the other readers of the
log: status, run, rebuild, retry) and ``lorekeeper timers``, the due timers'
process that runs beside ``projections run --no-timers``."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from infra import heap
from infra.entrypoints import analysts
from infra.entrypoints.cli_support import console, progress_bar
from infra.entrypoints.cli_support import container as _container
from infra.entrypoints.cli_support import setup_logging as _logging
from infra.entrypoints.cli_support import stop_on_signals as _stop_on_signals

app = typer.Typer(
    help="Read models and the other readers of the log: status, run, rebuild, retry.", no_args_is_help=True
)


@app.command("status")
def projections_status(data_dir: Annotated[Path | None, typer.Option()] = None) -> None:
    """Position, head and lag of every reader of the log, whether its batches
    keep failing, and how many events it dead-lettered."""
    from infra.health import ReadSideState, problems

    container = _container(data_dir)
    container.setup()
    found = ReadSideState(container.pool, container.event_log, container.readers).statuses()
    table = Table("reader", "position", "head", "lag", "schema", "failing since", "dead letters", "updated")
    for s in found:
        failing = f"[red]{s.failing_since:%Y-%m-%d %H:%M:%S}[/] {s.last_error}" if s.failing_since else ""
        dead = f"[red]{s.dead_letters}[/]" if s.dead_letters else "0"
        row = (s.name, str(s.position), str(s.head), str(s.lag), str(s.schema_version), failing, dead)
        table.add_row(*row, str(s.updated_at))
    console.print(table)
    for reason in problems(found, container.settings):
        console.print(f"[red]unhealthy:[/] {reason}")
    if any(s.dead_letters for s in found):
        console.print("after a fix, [bold]lorekeeper projections retry NAME[/] applies a reader's dead letters again")
    container.close()


@app.command("run")
def projections_run(
    timers: Annotated[
        bool, typer.Option(help="Also fire due timers here (--no-timers: a `lorekeeper timers` process does).")
    ] = True,
    data_dir: Annotated[Path | None, typer.Option()] = None,
) -> None:
    """Follow the event store and keep every read model current (until SIGTERM)."""
    _logging()
    container = _container(data_dir)
    container.setup()
    follower = container.follower
    _stop_on_signals(follower.stopping)
    console.print(f"following {', '.join(container.runners)}")
    heap.settle(container.settings.gc_freeze)
    if timers:  # due timers, on their own thread; they load aggregates, so the cache follows the log
        container.timer_follower.start()
        container.keep_cache()
    follower.run()
    container.close()


def timers(data_dir: Annotated[Path | None, typer.Option()] = None) -> None:
    """Fire due timers (heroes' and agents' turns among them; with a broker, turns
    go to the lorekeeper-ai group) until SIGTERM, beside `projections run --no-timers`.
    Timers are claimed: any number of these processes may run."""
    _logging()
    container = _container(data_dir)
    container.setup()
    follower = container.timer_follower
    _stop_on_signals(follower.stopping)
    console.print("firing due timers")
    heap.settle(container.settings.gc_freeze)
    container.keep_cache()
    follower.run()
    container.close()


@app.command("rebuild")
def projections_rebuild(
    name: Annotated[str, typer.Argument(help="Projection to rebuild.")],
    until: Annotated[
        str | None, typer.Option(help="As of a position or an ISO time (with --schema): the tables as they were.")
    ] = None,
    schema: Annotated[str | None, typer.Option(help="Build into this schema; the live tables keep serving.")] = None,
    replace: Annotated[bool, typer.Option(help="With --schema: build it again from nothing.")] = False,
    data_dir: Annotated[Path | None, typer.Option()] = None,
) -> None:
    """Replay the whole event store into fresh tables, then swap them in; with
    --schema, build them there instead (as of --until), leaving the live ones be."""
    from projections.rebuild import rebuild

    container = _container(data_dir)
    if name not in container.runners:
        console.print(f"[red]unknown projection {name!r}[/]; known: {', '.join(container.runners)}")
        raise typer.Exit(2)
    container.setup()
    if schema is not None or until is not None:
        analysts.build_as_of(container, container.runners[name].projection, schema, until, replace, f"{name}@{schema}")
        return
    with progress_bar(f"rebuilding {name}") as update:
        position = rebuild(container.runners[name], update)
    console.print(f"{name} rebuilt up to position {position}")
    container.close()


@app.command("retry")
def projections_retry(
    name: Annotated[str, typer.Argument(help="The reader whose dead letters to apply again (see status).")],
    data_dir: Annotated[Path | None, typer.Option()] = None,
) -> None:
    """Apply a reader's dead letters again, oldest first (after the fix that
    makes them applicable); those that still fail stay, their attempts counted."""
    from infra.fanout.consumers import retry_dead_letters

    container = _container(data_dir)
    container.setup()
    readers: dict[str, Callable[[], tuple[int, int]]] = {
        r.tracking_name: r.retry_dead_letters for r in container.readers()
    }
    for consumer in container.consumers.values():  # Kafka consumers' and client telemetry's dead letters
        reader = f"consumer:{consumer.name}"
        readers[reader] = partial(retry_dead_letters, consumer, container.pool, reader)
    if name not in readers:
        console.print(f"[red]unknown reader {name!r}[/]; known: {', '.join(readers)}")
        raise typer.Exit(2)
    applied, failed = readers[name]()
    console.print(f"{name}: {applied} applied, {failed} still failing")
    container.close()
    if failed:
        raise typer.Exit(1)
