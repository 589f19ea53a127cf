"""The right to erasure (GDPR/CCPA), as one use case that finishes for any
amount of data.

1. ``steps.begin``: infrastructure notes the erasure durably (so it is
   resumed after a crash) and ends the player's login sessions.
2. Every aggregate the player owns (its ``Holdings``, and the save slots its
   ``Player`` lists) forgets its personal data (``erase_personal``), in
   chunks of at most ``CHUNK`` aggregates per atomic write: a save is bounded.
3. Its claims are released (the username, email and platform ids can be used
   again) and the player is ``Erased``, in one write.
4. ``steps.finish``: stored answers forgotten, and the player's key destroyed
   last, which leaves every sealed personal field unreadable.

Every step skips what is already done, so running it again (a retry, or the
resumption of an erasure a crash interrupted) finishes the work and changes
nothing more.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from domain.accounts.claims import PlatformLink, platform_link_id
from domain.accounts.players import Player
from domain.kernel.aggregate import Aggregate
from domain.kernel.clock import now
from domain.kernel.errors import NotFound, PermissionDenied
from domain.kernel.store import Lorekeeper, Written

CHUNK = 200  # aggregates per write: each forgets in one event, well within the save bound


class ErasureSteps(Protocol):
    """Infrastructure's part of an erasure (infra/privacy.py)."""

    def begin(self, player_id: UUID) -> None: ...

    def finish(self, player_id: UUID) -> None: ...

    def unfinished(self) -> Sequence[UUID]: ...


class Erasure:
    def __init__(self, store: Lorekeeper, steps: ErasureSteps, chunk: int = CHUNK) -> None:
        self.store = store
        self.steps = steps
        self.chunk = chunk

    def erase(self, player_id: UUID, actor_id: UUID | None = None) -> Written:
        """Erase the player; erasing again answers the same and changes nothing."""
        if actor_id is not None and actor_id != player_id:
            raise PermissionDenied("only the player (or an admin) may erase it")
        player = self.store.load(Player, player_id)
        self.steps.begin(player_id)
        owned = self.owned(player)
        for start in range(0, len(owned), self.chunk):
            self._forget(player_id, owned[start : start + self.chunk])
        written = self.store.change(player_id, lambda: self._erase_player(player_id))
        self.steps.finish(player_id)
        return written

    def resume(self) -> int:
        """Finish every erasure a crash interrupted; how many."""
        unfinished = list(self.steps.unfinished())
        for player_id in unfinished:
            self.erase(player_id)
        return len(unfinished)

    def owned(self, player: Player) -> list[UUID]:
        """The aggregates the player owns: its holdings, and the save slots it
        opened before holdings were recorded."""
        ids = dict.fromkeys(self.store.holdings(player.id).ids())
        ids.update(dict.fromkeys(UUID(s) for s in player.save_slot_ids))
        return list(ids)

    def _forget(self, player_id: UUID, ids: list[UUID]) -> None:
        def step() -> Written:
            touched = []
            for aggregate_id in ids:
                aggregate = self.store.load(Aggregate, aggregate_id)
                if aggregate.owner_id == player_id:
                    aggregate.erase_personal()
                    touched.append(aggregate)
            if touched:
                return Written(None, self.store.write(*touched))
            return Written(None, None)

        self.store.change(None, step)

    def _erase_player(self, player_id: UUID) -> Written:
        player = self.store.load(Player, player_id)
        if player.erased:
            return Written(player, None)
        released = []
        for kind, value in player.claims():
            with contextlib.suppress(NotFound):
                link = self.store.load(PlatformLink, platform_link_id(kind, value))
                if link.player_id == player.id:
                    link.release()
                    released.append(link)
        player.erase(now())
        return self.store.written(player, *released)
