"""What ``/health`` reports: the database reachable, and how far each reader
of the log (projections, in-process feeds, the relay) is behind it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from domain.kernel.store import Lorekeeper
from projections.tracking import Status, TrackedReader


def _positions(statuses: list[Status]) -> dict[str, dict[str, object]]:
    return {s.name: {"position": s.position, "lag": s.lag, "updated_at": s.updated_at} for s in statuses}


class Health:
    def __init__(
        self,
        store: Lorekeeper,
        projections: Sequence[TrackedReader],
        fanout: Callable[[], Sequence[TrackedReader]],
        kafka_enabled: bool,
    ) -> None:
        self.store = store
        self.projections = list(projections)
        self.fanout = fanout
        self.kafka_enabled = kafka_enabled

    def report(self) -> tuple[bool, dict[str, Any]]:
        """(healthy, body)."""
        try:
            projections = [runner.status() for runner in self.projections]
            fanout = [reader.status() for reader in self.fanout()]
        except Exception as e:  # a health check reports, it does not raise
            return False, {"status": "unavailable", "detail": f"database unreachable: {type(e).__name__}"}
        committer = getattr(self.store.recorder, "committer", None)
        return True, {
            "status": "ok",
            "head": max((s.head for s in projections), default=0),
            "projections": _positions(projections),
            "fanout": _positions(fanout),
            "kafka": self.kafka_enabled,
            "group_commit": {"batches": committer.batches, "commands": committer.items} if committer else None,
        }
