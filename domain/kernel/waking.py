"""Handing results computed on a worker thread back to the coroutines that
wait for them: one call into each event loop for a whole batch (a call per
waiter cost more than the work it waited for). Used by the combined commands
(``combining.py``) and by the group commit (infra/group_commit.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any, Protocol

log = logging.getLogger(__name__)


class Waiting(Protocol):
    """What was waited for: its coroutine's future, and what came of it."""

    future: asyncio.Future[Any] | None
    result: Any
    error: BaseException | None


def wake(done: Sequence[Waiting], what: str) -> None:
    """Settle the futures of ``done`` (those that have one): one call into each loop."""
    by_loop: dict[asyncio.AbstractEventLoop, list[Waiting]] = {}
    for item in done:
        if item.future is not None:
            by_loop.setdefault(item.future.get_loop(), []).append(item)
    for loop, settled in by_loop.items():
        try:
            loop.call_soon_threadsafe(_settle, settled)
        except RuntimeError:  # the loop closed while they were worked on
            log.warning("%d %s finished after their event loop closed", len(settled), what)


def _settle(settled: list[Waiting]) -> None:
    """On the waiters' loop: resolve each future not cancelled by its waiter's timeout."""
    for item in settled:
        future = item.future
        if future is None or future.done():
            continue
        if item.error is not None:
            future.set_exception(item.error)
        else:
            future.set_result(item.result)
