"""How a bounded context declares its domain, once, in its package's ``__init__``.

The composition root lists the contexts; from their declarations it builds the
one event store (every aggregate type, their snapshot intervals) and each
context's use cases. Nothing else keeps a registry of aggregates, so a context
cannot be half-registered.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from domain.kernel.aggregate import Aggregate
from domain.kernel.store import Lorekeeper
from domain.kernel.timers import Handler, Policy


@dataclass(frozen=True)
class DomainContext:
    name: str
    aggregates: tuple[type[Aggregate], ...]
    # Use cases: constructed with the store and the settings object (each
    # context reads the attributes it needs from it; see its use_cases module).
    use_cases: Callable[[Lorekeeper, Any], object]
    snapshot_intervals: Mapping[type[Aggregate], int] = field(default_factory=dict)
    # Durable timers (domain/kernel/timers.py): the policies that set them, by
    # event topic, built from the settings; and the handler of each timer kind.
    policies: Callable[[Any], Mapping[str, Policy]] = lambda _: {}
    timers: Mapping[str, Handler] = field(default_factory=dict)
    # The timer kinds that are an AI's turn: with a broker, the lorekeeper-ai
    # consumer group takes them (infra/fanout/ai.py).
    ai_turns: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        unknown = set(self.snapshot_intervals) - set(self.aggregates)
        if unknown:
            raise ValueError(f"{self.name}: snapshot intervals for undeclared aggregates {unknown}")
        foreign = [kind for kind in self.timers if not kind.startswith(f"{self.name}.")]
        foreign += [kind for kind in self.ai_turns if kind not in self.timers]
        if foreign:
            raise ValueError(f"{self.name}: timer kinds are its own timers, named <context>.<what>, not {foreign}")
