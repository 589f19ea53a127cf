"""The ``lorekeeper`` command line."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Annotated
from uuid import UUID, uuid4

import typer

from infra import heap
from infra.entrypoints import analysts, demo_cli, echoes_cli, projections_cli
from infra.entrypoints.cli_support import console
from infra.entrypoints.cli_support import container as _container
from infra.entrypoints.cli_support import settings as _settings
from infra.entrypoints.cli_support import setup_logging as _logging
from infra.entrypoints.cli_support import stop_on_signals as _stop_on_signals

app = typer.Typer(help="Lorekeeper: an event-sourced game backend.", no_args_is_help=True)
app.add_typer(projections_cli.app, name="projections")
app.command()(projections_cli.timers)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port.")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Embedded PostgreSQL and secrets.")] = None,
) -> None:
    """Run the HTTP API, with the projector (and relay) beside it as child processes."""
    from infra.entrypoints.serving import serve as serve_api

    _logging()
    container = _container(data_dir)
    settings = container.settings
    host = host or settings.host
    port = port or settings.port
    where = "DATABASE_URL" if settings.database_url else f"embedded PostgreSQL in {settings.data_dir / 'pg'}"
    console.print(f"Lorekeeper on [bold]http://{host}:{port}[/] (docs at /docs), events in {where}")
    try:
        serve_api(container, host, port, log_level="info")
    finally:
        container.close()


@app.command()
def relay(
    from_position: Annotated[
        int | None, typer.Option("--from", min=1, help="Re-publish from this position (inclusive), then exit.")
    ] = None,
    until: Annotated[int | None, typer.Option(min=1, help="With --from: up to this position (inclusive).")] = None,
    data_dir: Annotated[Path | None, typer.Option()] = None,
) -> None:
    """Publish every stored event to Kafka (KAFKA_BOOTSTRAP_SERVERS), until SIGTERM;
    with --from, re-publish that range once, leaving the live relay's position be."""
    _logging()
    container = _container(data_dir)
    if not container.kafka_enabled:
        console.print("[red]set KAFKA_BOOTSTRAP_SERVERS to run the relay[/]")
        raise typer.Exit(2)
    if from_position is not None or until is not None:
        analysts.republish(container, from_position or 1, until)
        return
    _stop_on_signals(container.relay_follower.stopping)
    console.print(f"relaying to {container.settings.kafka_bootstrap_servers}")
    heap.settle(container.settings.gc_freeze)
    container.run_relay()
    container.close()


@app.command()
def consume(
    name: Annotated[str, typer.Argument(help="telemetry or ai")],
    data_dir: Annotated[Path | None, typer.Option()] = None,
) -> None:
    """Run a consumer as a member of its Kafka consumer group, until SIGTERM."""
    from infra.fanout.kafka_consumer import KafkaConsumerLoop

    _logging()
    container = _container(data_dir)
    if name not in container.consumers:
        console.print(f"[red]unknown consumer {name!r}[/]; known: {', '.join(container.consumers)}")
        raise typer.Exit(2)
    if not container.kafka_enabled:
        console.print("[red]set KAFKA_BOOTSTRAP_SERVERS: without a broker, serve runs consumers in-process[/]")
        raise typer.Exit(2)
    assert container.settings.kafka_bootstrap_servers
    loop = KafkaConsumerLoop(container.consumers[name], container.pool, container.settings.kafka_bootstrap_servers)
    _stop_on_signals(loop.stopping)
    console.print(f"consuming as group {container.consumers[name].group_id}")
    heap.settle(container.settings.gc_freeze)
    loop.run()
    container.close()


@app.command("archive-actions")
def archive_actions_command(
    older_than_days: Annotated[float | None, typer.Option(help="Default: LOREKEEPER_ACTION_RETENTION_DAYS.")] = None,
    data_dir: Annotated[Path | None, typer.Option()] = None,
) -> None:
    """Archive action_events rows past retention to var/archive and remove them from the read table."""
    from datetime import timedelta

    from projections.live.retention import archive_actions

    container = _container(data_dir)
    container.setup()
    days = older_than_days if older_than_days is not None else container.settings.action_retention_days
    archive_dir = Path(container.settings.data_dir) / "archive"
    count = archive_actions(container.pool, archive_dir, timedelta(days=days))
    console.print(f"archived {count} action(s) older than {days:g} days to {archive_dir}")
    container.close()


@app.command("archive-activity")
def archive_activity_command(
    older_than_days: Annotated[float, typer.Option(min=0, help="Move tycoon activity older than this.")] = 30,
    data_dir: Annotated[Path | None, typer.Option()] = None,
) -> None:
    """Move old tycoon activity_log rows to tycoon.activity_log_archive (seed 003's archive)."""
    from datetime import timedelta

    from projections.tycoon.archive import ARCHIVE, archive_activity

    container = _container(data_dir)
    container.setup()
    count = archive_activity(container.pool, timedelta(days=older_than_days))
    console.print(f"moved {count} activity row(s) older than {older_than_days:g} days to {ARCHIVE}")
    container.close()


kafka_app = typer.Typer(help="A local Apache Kafka broker for development.", no_args_is_help=True)
app.add_typer(kafka_app, name="kafka")


@kafka_app.command("up")
def kafka_up(
    port: Annotated[int, typer.Option(help="Broker port on 127.0.0.1.")] = 9092,
    data_dir: Annotated[Path | None, typer.Option(help="KRaft data directory.")] = None,
) -> None:
    """Run a single-node KRaft broker from Maven Central jars until Ctrl-C."""
    from infra.kafka_broker import LocalKafka

    settings = _settings(data_dir)
    broker = LocalKafka(data_dir=Path(settings.data_dir) / "kafka", port=port, partitions=settings.kafka_partitions)
    done = threading.Event()
    _stop_on_signals(done)
    with broker:
        console.print(
            f"Kafka on [bold]{broker.bootstrap_servers}[/]: export KAFKA_BOOTSTRAP_SERVERS={broker.bootstrap_servers}"
        )
        while not done.wait(1.0):
            if broker.process is not None and broker.process.poll() is not None:
                console.print("[red]the broker exited[/]")
                raise typer.Exit(1)


@app.command()
def token(
    role: Annotated[str, typer.Option(help="player, admin, analyst or server (no default: say which power you mint).")],
    subject: Annotated[str | None, typer.Option(help="Subject id (a player id for role player).")] = None,
    data_dir: Annotated[Path | None, typer.Option()] = None,
    ttl_seconds: Annotated[int, typer.Option(min=60, max=7 * 24 * 3600, help="Lifetime of the token.")] = 3600,
) -> None:
    """Mint a bearer token (for operators: admin and analyst access)."""
    from api.auth import ROLES, TokenService
    from infra.secret_files import secret

    if role not in ROLES:
        console.print(f"[red]role must be one of {sorted(ROLES)}[/]")
        raise typer.Exit(2)
    settings = _settings(data_dir)
    tokens = TokenService(secret(settings, settings.jwt_secret, "jwt-secret"), ttl_seconds)
    typer.echo(tokens.issue(UUID(subject) if subject else uuid4(), frozenset({role})))


app.add_typer(echoes_cli.app, name="echoes")
app.add_typer(demo_cli.app, name="demo")
app.command("export")(analysts.export)
app.command("replay")(analysts.replay)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
