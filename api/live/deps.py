"""What the live-play routes use, wired by the composition root."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Annotated

from api.auth import TokenService
from api.deps import wired
from api.live.metrics import SessionMetrics
from api.live.reconnect import ReconnectTokens
from api.ratelimit import RateLimits
from domain.live import LiveUseCases

Live = Annotated[LiveUseCases, wired(LiveUseCases)]
Tokens = Annotated[TokenService, wired(TokenService)]
Reconnects = Annotated[ReconnectTokens, wired(ReconnectTokens)]
Metrics = Annotated[SessionMetrics, wired(SessionMetrics)]
# Live sessions run their blocking use cases here (see sessions.py).
Executor = Annotated[ThreadPoolExecutor, wired(ThreadPoolExecutor)]
Limits = Annotated[RateLimits, wired(RateLimits)]
