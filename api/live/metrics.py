"""Prometheus metrics at ``/metrics``, named as seed 001 names them."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from domain.kernel.store import Lorekeeper


class SessionMetrics:
    """One registry per app instance, so several apps (tests) never collide."""

    def __init__(self, store: Lorekeeper) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.connect_attempts = Counter("connect_attempts_total", "WebSocket session connects attempted", registry=r)
        self.connect_success = Counter("connect_success_total", "Sessions opened and activated", registry=r)
        self.reconnect_attempts = Counter("reconnect_attempts_total", "Reconnects attempted with a token", registry=r)
        self.reconnect_success = Counter("reconnect_success_total", "Sessions resumed by reconnect", registry=r)
        self.version_reject = Counter("version_reject_total", "Connects refused for a protocol mismatch", registry=r)
        self.state_refresh_forced = Counter(
            "state_refresh_forced_total", "Snapshots sent instead of a delta (gaps, long deltas)", registry=r
        )
        self.action_latency = Histogram(
            "action_latency_ms",
            "From receiving an action to sending its ack (persisted), in milliseconds",
            buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000),
            registry=r,
        )
        self.active_sessions = Gauge("active_sessions_gauge", "Sessions connected to this server", registry=r)
        cache_hit_ratio = Gauge("cache_hit_ratio", "Aggregate cache hits / lookups", registry=r)
        cache_hit_ratio.set_function(lambda: store.cache_hits / store.cache_lookups if store.cache_lookups else 0.0)
