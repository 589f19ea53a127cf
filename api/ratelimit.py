"""Per-caller rate limits on command endpoints: 429 with ``Retry-After``.

Limits are in the ``limits`` package's notation (``"30/second;600/minute"``),
counted per player (or per client address where no one is logged in yet) with
a moving window in this process's memory. With several API processes behind a
balancer, each allows the configured rate: divide it by the process count.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from api.problems import Problem


class RateLimiter:
    def __init__(self, spec: str) -> None:
        self.items: list[RateLimitItem] = parse_many(spec) if spec.strip() else []
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def check(self, scope: str, caller: str) -> None:
        """Count one request; raise 429 if any limit is exhausted."""
        for item in self.items:
            if not self.limiter.hit(item, scope, caller):
                reset = self.limiter.get_window_stats(item, scope, caller).reset_time
                retry_after = max(1, math.ceil(reset - time.time()))
                raise Problem(
                    429,
                    "rate_limited",
                    f"more than {item.amount} requests per {item.multiples} {item.GRANULARITY.name}",
                    headers={"Retry-After": str(retry_after)},
                    retry_after=retry_after,
                )


class RateLimits:
    """The limits the API enforces: commands per player, requests per client
    address (sign-up, login, refresh) before anyone is logged in."""

    def __init__(self, commands: str, addresses: str) -> None:
        self.commands = RateLimiter(commands)
        self.addresses = RateLimiter(addresses)
