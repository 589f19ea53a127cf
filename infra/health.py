"""What ``/health`` and ``/metrics`` say about the read side: every reader of
the log (projections, in-process feeds, the relay), how far behind the head it
is, whether its batches keep failing, and what it dead-lettered.

``/health`` answers 503, with the reasons, when a reader is **stuck** (its
batches have failed for longer than ``health_stuck_seconds``), **far behind**
(more than ``health_max_lag`` positions) or has **dead letters** seen within
``health_dead_letter_seconds``, and when **due timers wait** (an AI's turn, a
session's end) longer than ``health_timer_late_seconds``: the timer worker is
down, overloaded, or cannot hand turns to Kafka. An operator's alarm should
fire on each.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from domain.kernel.store import Lorekeeper
from infra.settings import Settings
from projections.db import Pool
from projections.tracking import EventLog, Status, TrackedReader, statuses


@dataclass(frozen=True)
class DueTimers:
    """The timers of one kind that are due and not yet fired."""

    kind: str
    due: int
    late_seconds: float  # how long the oldest has waited


class ReadSideState:
    """The status of every reader, read in two queries; and the due timers, in one."""

    def __init__(self, pool: Pool, log: EventLog, readers: Callable[[], Sequence[TrackedReader]]) -> None:
        self.pool = pool
        self.log = log
        self.readers = readers

    def statuses(self) -> list[Status]:
        readers = self.readers()
        with self.pool.connection() as conn:
            return statuses(
                conn, self.log, [r.tracking_name for r in readers], {r.tracking_name: r.schema_version for r in readers}
            )

    def due_timers(self) -> list[DueTimers]:
        with self.pool.connection() as conn:
            rows = conn.execute(
                "SELECT kind, count(*) AS due, extract(epoch FROM now() - min(due_at)) AS late "
                "FROM lorekeeper_timers WHERE due_at <= now() GROUP BY kind ORDER BY kind"
            ).fetchall()
        return [DueTimers(r["kind"], r["due"], float(r["late"])) for r in rows]


def timer_problems(found: Sequence[DueTimers], settings: Settings) -> list[str]:
    return [
        f"{t.due} {t.kind} timer(s) due, the oldest {t.late_seconds:.0f} s late "
        f"(more than {settings.health_timer_late_seconds:.0f})"
        for t in found
        if t.late_seconds > settings.health_timer_late_seconds
    ]


def problems(found: Sequence[Status], settings: Settings, now: datetime | None = None) -> list[str]:
    """Why the read side is not healthy (none: it is)."""
    now = now or datetime.now(UTC)
    stuck = timedelta(seconds=settings.health_stuck_seconds)
    recent = timedelta(seconds=settings.health_dead_letter_seconds)
    reasons = []
    for s in found:
        if s.failing_since is not None and now - s.failing_since > stuck:
            reasons.append(
                f"{s.name} is stuck: its batches have failed since {s.failing_since:%H:%M:%S} ({s.last_error})"
            )
        if s.lag > settings.health_max_lag:
            reasons.append(f"{s.name} is {s.lag} events behind the head (more than {settings.health_max_lag})")
        if s.dead_letters and s.newest_dead_letter is not None and now - s.newest_dead_letter < recent:
            reasons.append(
                f"{s.name} has {s.dead_letters} dead letter(s), the latest at {s.newest_dead_letter:%H:%M:%S}"
            )
    return reasons


def _view(s: Status) -> dict[str, object]:
    return {
        "position": s.position,
        "lag": s.lag,
        "updated_at": s.updated_at,
        "failing_since": s.failing_since,
        "last_error": s.last_error,
        "dead_letters": s.dead_letters,
    }


class Health:
    def __init__(self, store: Lorekeeper, state: ReadSideState, projections: set[str], settings: Settings) -> None:
        self.store = store
        self.state = state
        self.projections = projections
        self.settings = settings

    def report(self) -> tuple[bool, dict[str, Any]]:
        """(healthy, body)."""
        try:
            found = self.state.statuses()
            timers = self.state.due_timers()
        except Exception as e:  # a health check reports, it does not raise
            return False, {"status": "unavailable", "detail": f"database unreachable: {type(e).__name__}"}
        reasons = problems(found, self.settings) + timer_problems(timers, self.settings)
        committer = getattr(self.store.recorder, "committer", None)
        return not reasons, {
            "status": "unhealthy" if reasons else "ok",
            "problems": reasons,
            "head": max((s.head for s in found), default=0),
            "projections": {s.name: _view(s) for s in found if s.name in self.projections},
            "fanout": {s.name: _view(s) for s in found if s.name not in self.projections},
            "timers": {t.kind: {"due": t.due, "late_seconds": round(t.late_seconds, 3)} for t in timers},
            "kafka": bool(self.settings.kafka_bootstrap_servers),
            "group_commit": {"batches": committer.batches, "commands": committer.items} if committer else None,
        }


class ReadSideCollector(Collector):
    """Prometheus gauges per reader: position, lag, failing, dead letters.
    Read at most every ``ttl`` seconds, however often Prometheus scrapes."""

    def __init__(self, state: ReadSideState, ttl: float = 5.0) -> None:
        self.state = state
        self.ttl = ttl
        self._cached: tuple[float, list[Status], list[DueTimers]] = (0.0, [], [])
        self._lock = threading.Lock()

    def _read(self) -> tuple[list[Status], list[DueTimers]]:
        with self._lock:
            at, found, timers = self._cached
            if time.monotonic() - at > self.ttl:
                try:
                    found, timers = self.state.statuses(), self.state.due_timers()
                except Exception:
                    found, timers = [], []
                self._cached = (time.monotonic(), found, timers)
            return found, timers

    def collect(self) -> Iterator[GaugeMetricFamily]:
        found, timers = self._read()
        due = GaugeMetricFamily("lorekeeper_timers_due", "Timers due and not yet fired, by kind", labels=["kind"])
        late = GaugeMetricFamily(
            "lorekeeper_timers_late_seconds", "How long the oldest due timer of a kind has waited", labels=["kind"]
        )
        for t in timers:
            due.add_metric([t.kind], float(t.due))
            late.add_metric([t.kind], t.late_seconds)
        yield due
        yield late
        gauges = {
            "position": ("lorekeeper_reader_position", "Last position a reader of the log has applied"),
            "lag": ("lorekeeper_reader_lag", "Events between a reader's position and the head"),
            "failing": ("lorekeeper_reader_failing", "1 while a reader's batches keep failing"),
            "dead_letters": ("lorekeeper_dead_letters", "Events or messages a reader set aside"),
        }
        for attribute, (name, doc) in gauges.items():
            family = GaugeMetricFamily(name, doc, labels=["reader"])
            for s in found:
                value = float(s.failing_since is not None) if attribute == "failing" else float(getattr(s, attribute))
                family.add_metric([s.name], value)
            yield family
