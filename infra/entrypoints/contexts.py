"""The bounded contexts this deployment runs: adding one is a package in each
layer (``domain/<name>``, ``projections/<name>``, ``api/<name>``) and one name here.

Each layer is loaded only when asked for, so the docs generator and the fast
tests read the domain without importing the HTTP stack.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from domain.kernel.context import DomainContext
from projections.model import ReadModel

CONTEXTS: tuple[str, ...] = (
    "accounts",
    "narrative",
    "live",
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
