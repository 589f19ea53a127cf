"""Use cases written from their decision: ``writes`` turns a method that makes
a new aggregate (a quest, an event, a story) into the use case that writes it,
so a caller that must write more in the same write (an agent, its log entry
with what it made) calls the decision and writes both."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, Protocol, TypeVar

from domain.kernel.aggregate import Aggregate
from domain.kernel.store import Lorekeeper, Written


class _Writes(Protocol):
    store: Lorekeeper


_P = ParamSpec("_P")
_S = TypeVar("_S", bound=_Writes)


def writes(decide: Callable[Concatenate[_S, _P], Aggregate]) -> Callable[Concatenate[_S, _P], Written]:
    """The use case that writes what ``decide`` makes (a new aggregate), from
    the decision alone: one who writes more in the same write (an agent, its
    log entry with what it made) calls ``decide`` and writes both."""

    @wraps(decide)
    def write(self: _S, /, *args: _P.args, **kwargs: _P.kwargs) -> Written:
        return self.store.written(decide(self, *args, **kwargs))

    return write
