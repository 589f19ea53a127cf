"""The bounded contexts this deployment runs: adding one is a package in each
layer (``domain/<name>``, ``projections/<name>``, ``api/<name>``) and one name here.

Each layer is loaded only when asked for, so the docs generator and the fast
tests read the domain without importing the HTTP stack.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from domain.kernel.aggregate import Aggregate
from domain.kernel.context import DomainContext
from projections.model import ReadModel

CONTEXTS: tuple[str, ...] = (
    "accounts",
    "narrative",
    "live",
    "echoes",
    "adventure",
    "tycoon",
)


def domain_contexts() -> list[DomainContext]:
    """Every context's domain declaration (``domain.<name>.CONTEXT``)."""
    return [import_module(f"domain.{name}").CONTEXT for name in CONTEXTS]


def read_models() -> list[ReadModel]:
    """Every context's read side (``projections.<name>.READ_MODEL``)."""
    return [import_module(f"projections.{name}").READ_MODEL for name in CONTEXTS]


def http_parts() -> list[Any]:
    """Every context's HTTP side (``api.<name>.HTTP``): its routers."""
    return [import_module(f"api.{name}").HTTP for name in CONTEXTS]


def snapshot_intervals(contexts: list[DomainContext], overrides: dict[str, int]) -> dict[type[Aggregate], int]:
    """What the contexts declare, with the settings' overrides by type name."""
    intervals: dict[type[Aggregate], int] = {}
    types: dict[str, type[Aggregate]] = {}
    for context in contexts:
        intervals.update(context.snapshot_intervals)
        types.update({cls.__name__: cls for cls in context.aggregates})
    unknown = set(overrides) - set(types)
    if unknown:
        raise ValueError(f"LOREKEEPER_SNAPSHOT_INTERVALS names unknown aggregate types {sorted(unknown)}")
    intervals.update({types[name]: interval for name, interval in overrides.items()})
    return {cls: interval for cls, interval in intervals.items() if interval > 0}
