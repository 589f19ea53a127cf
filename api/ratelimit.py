"""Per-caller rate limits on command endpoints: 429 with ``Retry-After``.

Limits are in the ``limits`` package's notation (``"30/second;600/minute"``),
counted per player (or per client address where no one is logged in yet) in
this process's memory. With several API processes behind a
balancer, each allows the configured rate: divide it by the process count.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter, SlidingWindowCounterRateLimiter

from api.problems import Problem


class RateLimiter:
    """Limits in ``limits`` notation, each counted per (scope, caller).

    ``moving`` windows keep one timestamp per unit: exact, for request counts.
    Byte budgets (a cost of thousands per request) use sliding window
    counters instead: two counters per window, whatever the cost."""

    def __init__(self, spec: str, *, unit: str = "requests", moving: bool = True) -> None:
        self.items: list[RateLimitItem] = parse_many(spec) if spec.strip() else []
        self.unit = unit
        strategy = MovingWindowRateLimiter if moving else SlidingWindowCounterRateLimiter
        self.limiter = strategy(MemoryStorage())

    def exceeded(self, scope: str, caller: str, cost: int = 1) -> tuple[int, str] | None:
        """Count ``cost``; None if within every limit, else (seconds to wait, which limit)."""
        for item in self.items:
            if not self.limiter.hit(item, scope, caller, cost=cost):
                reset = self.limiter.get_window_stats(item, scope, caller).reset_time
                limit = f"more than {item.amount} {self.unit} per {item.multiples} {item.GRANULARITY.name}"
                return max(1, math.ceil(reset - time.time())), limit
        return None

    def check(self, scope: str, caller: str, cost: int = 1, code: str = "rate_limited") -> None:
        """Count ``cost``; raise 429 (with ``Retry-After``) if any limit is exhausted."""
        exceeded = self.exceeded(scope, caller, cost)
        if exceeded is not None:
            retry_after, limit = exceeded
            raise Problem(429, code, limit, headers={"Retry-After": str(retry_after)}, retry_after=retry_after)


class RateLimits:
    """The limits the API enforces: commands per player, requests per client
    address (sign-up, login, refresh) before anyone is logged in, live-session
    actions per player, and each player's storage budget (bytes of commands
    and actions per window)."""

    def __init__(self, commands: str, addresses: str, actions: str = "", storage: str = "") -> None:
        self.commands = RateLimiter(commands)
        self.addresses = RateLimiter(addresses)
        self.actions = RateLimiter(actions, unit="actions")
        self.storage = RateLimiter(storage, unit="bytes", moving=False)
