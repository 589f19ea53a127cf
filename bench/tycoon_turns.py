"""(i) From a hero's trigger (the instant their action ends) to their next
decision committed, under a steady load of decisions, with the backend's
background work as ``lorekeeper serve`` runs it: the projector process (which
fires due timers on its own thread) and, with ``--kafka``, a local broker and
``members`` processes of the ``lorekeeper-ai`` group taking the turns.

Heroes in worlds of a fast clock (``ratio``) are recruited so that their
actions end at about ``rate`` a second. A decision's latency is the moment its
event is first seen committed in the event store (this process polls the
store every 5 ms) minus its due instant (the decision's ``real_time``).

Baseline in the same run: the same timers' machinery with nothing to do — as
many timers of a no-op kind, due at the same rate, each fired by the
projector process into a table; their latency is due → fired-and-committed.

Goal (issue 15): p99 < 250 ms at 1,000 decisions/s.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import typer

from bench.common import committed, report, scratch_container, server_env
from bench.tycoon_heroes import TRAITS, percentile
from domain.tycoon import Hero, TycoonUseCases
from infra.fanout.ai import TURNS_TOPIC
from infra.kafka_broker import LocalKafka
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


def recruit(game: TycoonUseCases, heroes: int, ratio: int) -> None:
    per_world = 10  # a guild's starting gold buys ten
    for w in range(-(-heroes // per_world)):
        owner = uuid.uuid4()
        world = game.found_world(owner, f"Turns {w}", w, ratio).aggregate.id
        for h in range(min(per_world, heroes - w * per_world)):
            personality = {t: (h * 7 + i * 13 + w) % 90 + 5 for i, t in enumerate(TRAITS)}
            game.recruit(owner, world, f"Hero {w}-{h}", personality, w * 100 + h)


def watch(container, since: int, until: float) -> list[float]:
    """Latencies (ms) of the decisions committed after position ``since``, seen until ``until``."""
    return [
        (seen - event.real_time).total_seconds() * 1000
        for seen, event in committed(container, since, until, {Hero.Decided.TOPIC})
        if event.decision > 1  # a turn, not the recruit's first look around
    ]


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


def main(
    rate: int = 1000,
    seconds: float = 20.0,
    ratio: int = 3600,
    kafka: bool = False,
    members: int = 2,
    warmup: float = 5.0,
) -> str:
    # Heroes' actions last about 200 game minutes on average (measured): at
    # ``ratio`` that is 200 * 60 / ratio real seconds, so this many heroes
    # decide ``rate`` a second.
    mean_action_seconds = 200 * 60 / ratio
    heroes = max(10, int(rate * mean_action_seconds))
    with ExitStack() as stack:
        broker = stack.enter_context(LocalKafka()) if kafka else None
        overrides = {"kafka_bootstrap_servers": broker.bootstrap_servers} if broker else {}
        container = stack.enter_context(scratch_container(**overrides))
        container.setup()
        baseline = noop_baseline(container, rate, min(seconds, 10.0))  # before the projector claims timers
        env = server_env(container)
        if broker:
            env["KAFKA_BOOTSTRAP_SERVERS"] = broker.bootstrap_servers
            container.turn_outbox.topics.ensure({TURNS_TOPIC})  # members find it at once, not at a metadata refresh
        children = [["projections", "run"]] + ([["consume", "ai"]] * members if broker else [])
        stack.enter_context(processes(children, env))
        game = container.use(TycoonUseCases)
        recruit(game, heroes, ratio)
        time.sleep(warmup)
        since = head(container)
        found: list[float] = []
        thread = threading.Thread(target=lambda: found.extend(watch(container, since, time.monotonic() + seconds)))
        thread.start()
        thread.join()
    made = len(found) / seconds
    mode = f"Kafka, {members} lorekeeper-ai members" if kafka else "in-process (no broker)"
    return report(
        f"Tycoon turns, {mode}: {heroes:,} heroes at a {ratio}x clock, {seconds:.0f} s",
        [
            ("decisions committed per second (the load; goal 1,000)", made, "decisions/s"),
            ("trigger -> decision committed, p50", percentile(found, 0.5), "ms"),
            ("trigger -> decision committed, p99 (goal < 250)", percentile(found, 0.99), "ms"),
            ("no-op timers at the same rate, due -> fired, p50", percentile(baseline, 0.5), "ms"),
            ("no-op timers at the same rate, due -> fired, p99", percentile(baseline, 0.99), "ms"),
            ("ratio of p99s (decision / no-op)", percentile(found, 0.99) / percentile(baseline, 0.99), ""),
        ],
    )


if __name__ == "__main__":
    typer.run(main)
