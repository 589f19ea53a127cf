"""docker-compose.yml can't be run here (no Docker engine), so check what can
be checked: every service command is a real ``lorekeeper`` subcommand, and
every variable it sets is one the settings read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
import yaml

from infra.entrypoints.cli import app
from infra.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
EXTERNAL_SERVICES = {"postgres", "kafka"}


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def settings_variables() -> set[str]:
    names = set()
    for field_name, info in Settings.model_fields.items():
        alias = info.validation_alias
        choices = getattr(alias, "choices", None)
        if choices:
            names.update(str(c) for c in choices)
        else:
            names.add(f"LOREKEEPER_{field_name.upper()}")
    return names


def resolve(command: list[str]) -> Any:
    """The (typer/click) command object a command line runs."""
    assert command[0] == "lorekeeper", command
    node = typer.main.get_command(app)
    for word in command[1:]:
        if word.startswith("-") or not hasattr(node, "commands"):
            break
        child = node.commands.get(word)
        if child is None:
            raise AssertionError(f"{word!r} is not a subcommand in {command}")
        node = child
    assert not hasattr(node, "commands"), f"{command} names a group, not a command"
    return node


def test_every_service_runs_a_real_lorekeeper_subcommand_with_real_options():
    services = compose()["services"]
    ours = {name: s for name, s in services.items() if name not in EXTERNAL_SERVICES}
    assert {"api", "projector", "timers", "relay", "telemetry", "ai"} <= set(ours)
    for name, service in ours.items():
        command = resolve(service["command"])
        options = {opt for p in command.params for opt in [*getattr(p, "opts", []), *getattr(p, "secondary_opts", [])]}
        for word in service["command"]:
            if word.startswith("--"):
                assert word in options, f"{name}: {word} is not an option of {service['command']}"
        health = service.get("healthcheck", {}).get("test", [])
        if len(health) > 1 and health[1] == "lorekeeper":
            resolve(health[1:])


def test_every_variable_a_service_sets_is_read_by_the_settings():
    known = settings_variables()
    for name, service in compose()["services"].items():
        if name in EXTERNAL_SERVICES:
            continue
        unknown = set(service.get("environment", {})) - known
        assert not unknown, f"{name} sets variables no setting reads: {unknown}"


def test_every_service_has_a_health_check():
    for name, service in compose()["services"].items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"
