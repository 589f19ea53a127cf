"""What the turn benchmarks share (``tycoon_turns``, ``adventure_agents``): a
scratch backend shaped as ``lorekeeper serve`` runs it (the projector process
and, with a broker, ``lorekeeper consume ai`` members), the no-op timers
baseline measured on it, and the rows that report a latency against it."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import scratch_container, server_env
from bench.tycoon_heroes import percentile
from infra.entrypoints.serving import projector_commands
from infra.fanout.ai import TURNS_TOPIC
from infra.kafka_broker import LocalKafka
from infra.settings import Settings
from infra.timers import TimerWorker
from projections.follower import Follower

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "infra.entrypoints.cli"]
NOOP = "bench.noop"


@contextmanager
def processes(commands: list[list[str]], env: dict[str, str]) -> Iterator[None]:
    running = [subprocess.Popen([*CLI, *c], cwd=ROOT, env=env, stdout=subprocess.DEVNULL) for c in commands]
    try:
        yield
    finally:
        for p in running:
            p.terminate()
        for p in running:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()


def head(container) -> int:
    with container.pool.connection() as conn:
        return conn.execute("SELECT coalesce(max(notification_id), 0) AS n FROM lorekeeper_events").fetchone()["n"]


def noop_baseline(container, rate: int, seconds: float) -> list[float]:
    """Due -> fired latencies (ms) of no-op timers due at ``rate`` a second,
    fired by a timer worker on its own follower, polling as the projector's does."""
    fired: list[float] = []

    def noop(subject: uuid.UUID, due: datetime) -> None:
        fired.append((datetime.now(UTC) - due).total_seconds() * 1000)

    count = int(rate * seconds)
    with container.pool.connection() as conn:
        conn.execute(
            "INSERT INTO lorekeeper_timers (kind, subject, due_at) SELECT %s, gen_random_uuid(), "
            "%s + (i * %s) * interval '1 microsecond' FROM generate_series(0, %s - 1) AS i",
            (NOOP, datetime.now(UTC) + timedelta(seconds=1), int(1_000_000 / rate), count),
        )
    poll = container.settings.timer_poll_seconds
    follower = Follower(
        [TimerWorker(container.pool, {NOOP: noop})],
        container.conninfo,
        channel=container.recorder.channel_name,
        poll_seconds=poll,
        coalesce_seconds=poll,
    )
    follower.start()
    deadline = time.monotonic() + seconds + 15
    while len(fired) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    follower.stop()
    return sorted(fired)


@contextmanager
def backend(kafka: bool, rate: int, seconds: float) -> Iterator[tuple[Any, list[float], Any]]:
    """A scratch container (with a local broker if ``kafka``), set up, and the
    no-op baseline at ``rate`` measured on it before anything claims timers:
    (container, baseline, env for its processes)."""
    with ExitStack() as stack:
        broker = stack.enter_context(LocalKafka()) if kafka else None
        overrides = {"kafka_bootstrap_servers": broker.bootstrap_servers} if broker else {}
        container = stack.enter_context(scratch_container(**overrides))
        container.setup()
        baseline = noop_baseline(container, rate, min(seconds, 10.0))
        env = server_env(container)
        if broker:
            env["KAFKA_BOOTSTRAP_SERVERS"] = broker.bootstrap_servers
            container.turn_outbox.topics.ensure({TURNS_TOPIC})  # members find it at once, not at a metadata refresh
        yield container, baseline, env


def serving(env: dict[str, str], kafka: bool, members: int) -> Any:
    """The background processes ``lorekeeper serve`` would run: the projector, the
    timers (``LOREKEEPER_TIMER_PROCESS``) and, with a broker, the members."""
    projector = projector_commands(Settings())
    return processes(projector + ([["consume", "ai"]] * members if kafka else []), env)


def mode(kafka: bool, members: int) -> str:
    return f"Kafka, {members} lorekeeper-ai members" if kafka else "in-process (no broker)"


def against_baseline(
    what: str, goal: str, latencies: list[float], baseline: list[float]
) -> list[tuple[str, float, str]]:
    """The latency's p50 and p99 (with its ``goal``), the baseline's, and the ratio of p99s."""
    return [
        (f"{what}, p50", percentile(latencies, 0.5), "ms"),
        (f"{what}, p99 (goal {goal})", percentile(latencies, 0.99), "ms"),
        ("no-op timers at the same rate, due -> fired, p50", percentile(baseline, 0.5), "ms"),
        ("no-op timers at the same rate, due -> fired, p99", percentile(baseline, 0.99), "ms"),
        ("ratio of p99s (turn / no-op)", percentile(latencies, 0.99) / percentile(baseline, 0.99), ""),
    ]
