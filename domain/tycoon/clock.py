"""A tycoon world's game clock: game time runs at ``ratio`` game seconds per
real second from the moment the world was founded.

Game time is counted in whole **game minutes** since the founding (the read
tables' ``game_time``). Both directions are pure arithmetic on the founding
instant, so a hero's history can be computed at any later moment and gives
the same real times as if it had been lived as it happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

RATIO_MIN, RATIO_MAX = 1, 86_400  # from real time to a game day per real second
DEFAULT_RATIO = 60  # a real minute is a game hour
MICROSECOND = timedelta(microseconds=1)
MINUTE_US = 60_000_000  # a game minute, in game microseconds


@dataclass(frozen=True)
class GameClock:
    founded_at: datetime
    ratio: int

    # Whole microseconds both ways (no floats), so that ``minute(real(m)) == m``:
    # a timer due at the instant a minute begins finds the clock in that minute.

    def minute(self, at: datetime) -> int:
        """The game minute at real time ``at`` (never before the founding)."""
        return max(0, (at - self.founded_at) // MICROSECOND) * self.ratio // MINUTE_US

    def real(self, minute: int) -> datetime:
        """The first real microsecond of game minute ``minute``."""
        return self.founded_at + timedelta(microseconds=-(-minute * MINUTE_US // self.ratio))


def describe(minute: int) -> str:
    """``day 3, 14:05`` (game days start at day 1)."""
    day, rest = divmod(minute, 24 * 60)
    return f"day {day + 1}, {rest // 60:02d}:{rest % 60:02d}"
