"""``lorekeeper demo ...``: each game context's seed data, played through the
API of a running server, so a newcomer sees every one of its tables filled."""

from __future__ import annotations

from typing import Annotated
from uuid import uuid4

import typer

from infra.entrypoints.cli_support import console
from infra.settings import Settings

app = typer.Typer(help="Seed data played through the API of a running server.", no_args_is_help=True)
demo_app = app


@demo_app.command("narrative")
def demo_narrative(
    url: Annotated[str | None, typer.Option(help="The API; default: this machine's configured host and port.")] = None,
    players: Annotated[int, typer.Option(min=1, max=100)] = 4,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed plays the same stories.")] = 7,
) -> None:
    """Players who sign up, link accounts and play branching stories on two
    devices with offline stretches (seed 000): every narrative table filled."""
    from api.auth import TokenService
    from infra.entrypoints.demo.narrative import run
    from infra.secret_files import secret

    settings = Settings()
    admin = TokenService(secret(settings, settings.jwt_secret, "jwt-secret"), 3600).issue(uuid4(), frozenset({"admin"}))
    run(url or f"http://{settings.host}:{settings.port}", admin, players=players, seed=seed, console=console)


@demo_app.command("echoes")
def demo_echoes(
    url: Annotated[str | None, typer.Option(help="The API; default: this machine's configured host and port.")] = None,
    players: Annotated[int, typer.Option(min=2, max=40)] = 4,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed trades the same way.")] = 7,
) -> None:
    """Pilots who get loot from a game server and trade it on station markets
    (seed 004): partial fills, refunds, a cancel; every Echoes table built so far filled."""
    from api.auth import TokenService
    from infra.entrypoints.demo.echoes import run
    from infra.secret_files import secret

    settings = Settings()
    tokens = TokenService(secret(settings, settings.jwt_secret, "jwt-secret"), 3600)
    run(url or f"http://{settings.host}:{settings.port}", tokens, players=players, seed=seed, console=console)


@demo_app.command("adventure")
def demo_adventure(
    url: Annotated[str | None, typer.Option(help="The API; default: this machine's configured host and port.")] = None,
    players: Annotated[int, typer.Option(min=2, max=20)] = 3,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed builds the same edits.")] = 7,
) -> None:
    """A world whose characters build, trade, craft (some crafts fail), make
    friends and unlock achievements (seed 002, part 1): every adventure table filled."""
    from api.auth import TokenService
    from infra.entrypoints.demo.adventure import run
    from infra.secret_files import secret

    settings = Settings()
    tokens = TokenService(secret(settings, settings.jwt_secret, "jwt-secret"), 3600)
    run(url or f"http://{settings.host}:{settings.port}", tokens, players=players, seed=seed, console=console)


@demo_app.command("tycoon")
def demo_tycoon(
    url: Annotated[str | None, typer.Option(help="The API; default: this machine's configured host and port.")] = None,
    players: Annotated[int, typer.Option(min=1, max=20)] = 2,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed recruits the same heroes.")] = 7,
    wait: Annotated[float, typer.Option(min=1, max=600, help="Seconds to leave the heroes alone.")] = 8.0,
) -> None:
    """Worlds whose heroes are praised, gifted, ordered and sent on quests, then
    left alone while they go on deciding (seed 003): every tycoon table filled."""
    from infra.entrypoints.demo.tycoon import run

    settings = Settings()
    run(url or f"http://{settings.host}:{settings.port}", players=players, seed=seed, wait=wait, console=console)
