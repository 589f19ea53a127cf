"""Who a guild's heroes could meet at a game minute: its roster, sorted once
per set of members and shared by every copy of the guild that has them."""

from __future__ import annotations

import threading
from bisect import bisect_left
from uuid import UUID


class Roster:
    """A guild's members in the order they joined, and for each count of them
    their ids sorted: every decision asks who could be met, and sorting a
    hundred ids for each one was a tenth of a decision's time."""

    def __init__(self, members: dict[str, int]) -> None:
        order = sorted(members.items(), key=lambda member: (member[1], member[0]))
        self.minutes = [joined for _, joined in order]
        self.ids = [hero for hero, _ in order]
        self.sorted: dict[int, tuple[str, ...]] = {}

    def joined_before(self, minute: int) -> tuple[str, ...]:
        count = bisect_left(self.minutes, minute)
        found = self.sorted.get(count)
        if found is None:
            found = self.sorted[count] = tuple(sorted(self.ids[:count]))
        return found


_ROSTERS: dict[tuple[UUID, int, str | None], Roster] = {}
_ROSTERS_MAX = 4096
_ROSTERS_LOCK = threading.Lock()


def roster(guild_id: UUID, members: dict[str, int]) -> Roster:
    """The guild's roster, shared by every copy of the guild with these members.
    Members only ever join, one per write, so a guild's id, how many members it
    has and who joined last name one set of members (a copy holding a join
    that lost a race differs from the winner's in that last one)."""
    key = (guild_id, len(members), next(reversed(members), None))
    with _ROSTERS_LOCK:
        found = _ROSTERS.get(key)
    if found is None:
        found = Roster(members)
        with _ROSTERS_LOCK:
            if len(_ROSTERS) >= _ROSTERS_MAX:
                _ROSTERS.clear()
            _ROSTERS[key] = found
    return found
