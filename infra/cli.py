"""The ``lorekeeper`` command line."""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from typing import Annotated
from uuid import UUID, uuid4

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from infra.settings import Settings

app = typer.Typer(help="Lorekeeper: an event-sourced game backend.", no_args_is_help=True)
projections_app = typer.Typer(help="Read models: status, follow, rebuild.", no_args_is_help=True)
app.add_typer(projections_app, name="projections")
console = Console()


def _container(data_dir: Path | None = None):
    from infra.container import Container

    overrides = {"data_dir": data_dir} if data_dir is not None else {}
    return Container(Settings(**overrides))


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port.")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Embedded PostgreSQL and secrets.")] = None,
) -> None:
    """Run the HTTP API and the projection runner in one process."""
    import uvicorn

    from api.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    container = _container(data_dir)
    settings = container.settings
    host = host or settings.host
    port = port or settings.port
    api = create_app(container)
    where = "DATABASE_URL" if settings.database_url else f"embedded PostgreSQL in {settings.data_dir / 'pg'}"
    console.print(f"Lorekeeper on [bold]http://{host}:{port}[/] (docs at /docs), events in {where}")
    try:
        uvicorn.run(api, host=host, port=port, log_level="info", access_log=False)
    finally:
        container.close()


@projections_app.command("status")
def projections_status(data_dir: Annotated[Path | None, typer.Option()] = None) -> None:
    """Position, head and lag of every projection."""
    container = _container(data_dir)
    container.setup_projections()
    table = Table("projection", "position", "head", "lag", "schema", "updated")
    for runner in container.runners.values():
        s = runner.status()
        table.add_row(s.name, str(s.position), str(s.head), str(s.lag), str(s.schema_version), str(s.updated_at))
    console.print(table)
    container.close()


@projections_app.command("run")
def projections_run(data_dir: Annotated[Path | None, typer.Option()] = None) -> None:
    """Follow the event store and keep every read model current (until SIGTERM)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    container = _container(data_dir)
    container.setup_projections()
    follower = container.follower
    done = threading.Event()

    def _stop(*_: object) -> None:
        follower.stopping.set()
        done.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    console.print(f"following {', '.join(container.runners)}")
    follower.run()
    container.close()


@projections_app.command("rebuild")
def projections_rebuild(
    name: Annotated[str, typer.Argument(help="Projection to rebuild.")],
    data_dir: Annotated[Path | None, typer.Option()] = None,
) -> None:
    """Replay the whole event store into fresh tables, then swap them in."""
    from projections.rebuild import rebuild

    container = _container(data_dir)
    if name not in container.runners:
        console.print(f"[red]unknown projection {name!r}[/]; known: {', '.join(container.runners)}")
        raise typer.Exit(2)
    container.setup_projections()
    with Progress(
        TextColumn(f"rebuilding {name}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task(name, total=None)
        position = rebuild(
            container.runners[name], lambda done, total: progress.update(task, completed=done, total=total)
        )
    console.print(f"{name} rebuilt up to position {position}")
    container.close()


@app.command()
def token(
    role: Annotated[str, typer.Option(help="player, admin or analyst.")] = "admin",
    subject: Annotated[str | None, typer.Option(help="Subject id (a player id for role player).")] = None,
    data_dir: Annotated[Path | None, typer.Option()] = None,
) -> None:
    """Mint a bearer token (for operators: admin and analyst access)."""
    from api.auth import ROLES, TokenService
    from infra.container import jwt_secret

    if role not in ROLES:
        console.print(f"[red]role must be one of {sorted(ROLES)}[/]")
        raise typer.Exit(2)
    settings = Settings(**({"data_dir": data_dir} if data_dir else {}))
    tokens = TokenService(jwt_secret(settings), settings.access_token_ttl_seconds)
    typer.echo(tokens.issue(UUID(subject) if subject else uuid4(), frozenset({role})))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
