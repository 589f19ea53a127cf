"""``lorekeeper echoes ...``: the Echoes economy's admin commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import orjson
import typer
from pydantic import ValidationError

from domain.echoes import EchoesUseCases
from domain.echoes.universe import UniverseData
from domain.kernel.errors import DomainError
from infra.echoes_universe import shipped_path
from infra.entrypoints.cli_support import console
from infra.entrypoints.cli_support import container as _container

SHIPPED = shipped_path(1)

app = typer.Typer(help="The Echoes economy (seed 004): admin commands.", no_args_is_help=True)


@app.command("load-universe")
def load_universe(
    path: Annotated[Path, typer.Argument(help="A universe data file (default: the shipped version).")] = SHIPPED,
    data_dir: Annotated[Path | None, typer.Option()] = None,
) -> None:
    """Load (a new version of) the static universe: regions, systems, stations,
    ship and module types. The same version again changes nothing."""
    try:
        data = UniverseData.model_validate(orjson.loads(path.read_bytes()))
    except (OSError, orjson.JSONDecodeError, ValidationError) as error:
        console.print(f"[red]{path}: {error}[/]")
        raise typer.Exit(2) from None
    container = _container(data_dir)
    try:
        written = container.use(EchoesUseCases).load_universe(data)
    except DomainError as error:
        console.print(f"[red]{error}[/] {error.details or ''}")
        raise typer.Exit(2) from None
    finally:
        container.close()
    state = "loaded" if written.position is not None else "already loaded"
    console.print(f"universe version {data.version} ({data.name}) {state}")
