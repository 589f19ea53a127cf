"""(h) AI Hero Tycoon's heroes, each measure next to a raw COPY of the same
rows in the same run:

- decisions committed per second, each with the activity that ended (one
  write per batch of a hero's decisions), living ``heroes`` heroes in
  ``worlds`` worlds for ``hours`` real hours of a 60x clock, on 4 threads;
  next to a raw COPY of as many event rows;
- catching up one hero idle for 7 real days (the offline cap: 100 decisions
  and their activities, written in batches of 25): p50 and p99 per hero; next
  to a raw COPY of the same number of rows, per hero.

Goals (issue 15): >= 2,000 decisions/s; catch-up p99 < 50 ms.
"""

from __future__ import annotations

import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import orjson
import typer

from bench.common import median, report, scratch_container
from domain.tycoon import TycoonUseCases
from infra import heap

TRAITS = ("courage", "greed", "loyalty", "curiosity", "ambition", "patience", "empathy")
FOUNDED = datetime(2026, 1, 1, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.at = FOUNDED

    def __call__(self) -> datetime:
        return self.at


def populate(game: TycoonUseCases, worlds: int, per_world: int) -> list[uuid.UUID]:
    heroes = []
    for w in range(worlds):
        owner = uuid.uuid4()
        world = game.found_world(owner, f"Bench {w}", w, 60).aggregate.id
        for h in range(per_world):
            personality = {t: (h * 7 + i * 13 + w) % 90 + 5 for i, t in enumerate(TRAITS)}
            # A rich guild: recruits cost gold, and a bench recruits many.
            heroes.append(game.recruit(owner, world, f"Hero {w}-{h}", personality, w * 1000 + h).aggregate.id)
            guild = game.guild(world)
            if guild.gold < 200:  # 100 recruits cost more than a guild starts with: the bench tops it up
                guild.credit(10_000, 0, "bench")
                game.store.write(guild)
    return heroes


def decisions(game: TycoonUseCases, hero_ids: list[uuid.UUID]) -> int:
    return sum(game.hero(h).decisions for h in hero_ids)


def live_all(game: TycoonUseCases, hero_ids: list[uuid.UUID], threads: int) -> tuple[int, float]:
    before = decisions(game, hero_ids)
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(game.live, hero_ids))
    elapsed = time.perf_counter() - started
    return decisions(game, hero_ids) - before, elapsed


def copy_rows(container, rows: int) -> float:
    """Seconds to COPY ``rows`` event-shaped rows into a table like the event store's."""
    state = orjson.dumps({"chosen_option": "train", "options": [{"action": "rest", "score": 41.5}] * 5})
    now = datetime.now(UTC)
    data = [(uuid.uuid4(), i + 1, "lorekeeper.hero.Decided", state, now) for i in range(rows)]
    with container.pool.connection() as conn:
        conn.execute("DROP TABLE IF EXISTS copy_baseline")
        conn.execute(
            "CREATE TABLE copy_baseline (originator_id uuid, originator_version int, topic text, state bytea, "
            "at timestamptz, PRIMARY KEY (originator_id, originator_version))"
        )
        conn.commit()
        started = time.perf_counter()
        with conn.cursor().copy("COPY copy_baseline FROM STDIN") as copy:
            for row in data:
                copy.write_row(row)
        conn.commit()
        return time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(
    worlds: int = 100,
    per_world: int = 100,
    hours: float = 2.0,
    idle_sample: int = 200,
    rounds: int = 3,
    threads: int = 4,
) -> str:
    with scratch_container() as container:
        container.setup()
        game = container.use(TycoonUseCases)
        clock = Clock()
        game.now = clock
        heap.settle()  # as a server process does once started (infra/heap.py)
        heroes = populate(game, worlds, per_world)
        throughput, copy_rate = [], []
        for _ in range(rounds):
            clock.at += timedelta(hours=hours / rounds)
            made, elapsed = live_all(game, heroes, threads)
            throughput.append(made / elapsed)
            copy_rate.append(2 * made / copy_rows(container, 2 * made))  # a decision and its activity: two rows
        # Heroes idle for 7 days: a fresh set, recruited now, lived later one by one.
        idle = populate(game, 2, idle_sample // 2)
        for hero_id in idle:
            game.live(hero_id)
        clock.at += timedelta(days=7)
        latencies, sizes = [], []
        for hero_id in idle:
            game.store.evict(hero_id)
            before = game.hero(hero_id).version
            started = time.perf_counter()
            game.live(hero_id)
            latencies.append(time.perf_counter() - started)
            sizes.append(game.hero(hero_id).version - before)
        copies = [copy_rows(container, size) for size in sizes[:50]]
        waiting = sum(1 for h in idle if game.hero(h).current_action == "wait")
    d, c = median(throughput), median(copy_rate)
    return report(
        f"Tycoon heroes ({len(heroes):,} heroes in {worlds} worlds, {rounds} rounds, {threads} threads)",
        [
            ("decisions committed with their activity (goal >= 2,000)", d, "decisions/s"),
            ("raw COPY of as many event rows", c, "rows/s"),
            ("ratio (events written / COPY)", 2 * d / c, ""),
            (
                f"catch up a hero idle 7 days, p50 ({statistics.median(sizes):.0f} events)",
                percentile(latencies, 0.5) * 1000,
                "ms",
            ),
            ("catch up a hero idle 7 days, p99 (goal < 50 ms)", percentile(latencies, 0.99) * 1000, "ms"),
            ("raw COPY of as many rows, p99", percentile(copies, 0.99) * 1000, "ms"),
            (f"heroes waiting for their master after 7 days (of {len(idle)})", waiting, ""),
        ],
    )


if __name__ == "__main__":
    typer.run(main)
