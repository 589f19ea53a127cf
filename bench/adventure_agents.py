"""From a triggering event's commit to the agent's change committed (issue 14),
with the backend's background work as ``lorekeeper serve`` runs it: the
projector process (which fires due timers, the agents' turns among them)
and, with ``--kafka``, a local broker and ``members`` processes of the
``lorekeeper-ai`` group taking the turns.

The trigger: a relationship turning hostile (its value crossing -50), which
the character master answers by posting a quest for the two (a quest and a
log entry: two writes). Pairs of characters are made unfriendly first (-25);
then this process turns ``rate`` of them hostile a second, each once. A
latency is the moment the agent's ``Evolution.Created`` is first seen
committed minus the moment the pair's turning ``Interacted`` was (this
process polls the store every 5 ms for both).

Baseline in the same run: as many no-op timers due at the same rate, fired by
the same machinery into nothing (due -> fired).

Goal (issue 14): p99 < 500 ms at 500 triggering events/s, in-process and through Kafka.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime

import typer

from bench.common import committed, report
from bench.turns import against_baseline, backend, head, mode, serving
from domain.adventure import AdventureUseCases, Evolution, Relationship
from projections.read_side import wait_for_position

Feud = tuple[uuid.UUID, uuid.UUID, uuid.UUID]  # the owner, and the two characters
PAIRS_PER_WORLD = 50  # the master remembers the last 32 pairs it mediated per world: each is answered once


def prepare(game: AdventureUseCases, pairs: int) -> list[Feud]:
    """``pairs`` pairs of characters, each pair unfriendly (-25): (owner, a, b)."""
    made = []
    for w in range(-(-pairs // PAIRS_PER_WORLD)):
        world = game.create_world(f"Feuds {w} {uuid.uuid4().hex[:6]}", "flat", w, {}, {}).aggregate.id
        for _ in range(min(PAIRS_PER_WORLD, pairs - w * PAIRS_PER_WORLD)):
            owner = uuid.uuid4()
            a, b = (
                game.create_character(owner, world, name, "warrior", {}, (8.0, 70.0, 8.0)).aggregate.id
                for name in ("A", "B")
            )
            game.interact(owner, a, b, "quarrel", -25)
            made.append((owner, a, b))
    return made


def settle(container, timeout: float = 300.0) -> None:
    """Until every reader the projector process follows has every event (the
    timers' scheduler too, which sets the preparation's achievement checks at
    the end of a round: waiting for the projections alone let a backlog of
    2,776 of them be fired during the load, and it was the load's p99) and no
    timer is due, boundedly. (Not ``container.readers()``: with a broker that
    names the relay, which the bench does not run.)"""
    deadline = time.monotonic() + timeout
    names = [reader.tracking_name for reader in container.follower.runners]
    while time.monotonic() < deadline:
        wait_for_position(container.pool, names, head(container), timeout=max(0.1, deadline - time.monotonic()))
        with container.pool.connection() as conn:
            due = conn.execute("SELECT count(*) AS n FROM lorekeeper_timers WHERE due_at <= now()").fetchone()["n"]
        if due == 0:
            return
        time.sleep(0.5)
    raise TimeoutError("the preparation's background work did not settle")


def load(
    game: AdventureUseCases, feuds: list[tuple[uuid.UUID, uuid.UUID, uuid.UUID]], rate: int, threads: int
) -> float:
    """Turn the pairs hostile at ``rate`` a second (each once), from ``threads``
    threads (one cannot write 500 a second); the rate achieved."""
    start = time.monotonic()

    def work(share: int) -> None:
        for n in range(share, len(feuds), threads):
            wait = start + n / rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            owner, a, b = feuds[n]
            game.interact(owner, a, b, "attack", -25)

    workers = [threading.Thread(target=work, args=(share,)) for share in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return len(feuds) / (time.monotonic() - start)


def main(
    rate: int = 500,
    seconds: float = 10.0,
    kafka: bool = False,
    members: int = 2,
    warmup: float = 1.0,
    threads: int = 4,
) -> str:
    pairs = int(rate * seconds)
    turned: dict[str, datetime] = {}
    answered: dict[str, datetime] = {}
    with backend(kafka, rate, seconds) as (container, baseline, env):
        game = container.use(AdventureUseCases)
        game.agents.register("Warden", "character_master", {})
        feuds = prepare(game, pairs)
        with serving(env, kafka, members):
            time.sleep(warmup)
            settle(container)  # the projector has caught up with the preparation: only the load is measured
            since = head(container)

            def watch() -> None:
                topics = {Relationship.Interacted.TOPIC, Evolution.Created.TOPIC}
                for seen, event in committed(container, since, time.monotonic() + seconds + 15, topics):
                    if isinstance(event, Relationship.Interacted):
                        turned[str(event.originator_id)] = seen
                    else:
                        answered[event.trigger.split(":")[1]] = seen
                    if len(answered) >= len(feuds):
                        return

            watcher = threading.Thread(target=watch)
            watcher.start()
            offered = load(game, feuds, rate, threads)
            watcher.join()
    latencies = sorted((answered[k] - turned[k]).total_seconds() * 1000 for k in answered if k in turned)
    return report(
        f"Adventure agents, {mode(kafka, members)}: {len(feuds):,} relationships turning hostile at {rate}/s",
        [
            ("triggering events per second (the load; goal 500)", offered, "events/s"),
            ("changes answered (of the triggers)", len(latencies), "changes"),
            *against_baseline("trigger committed -> agent's change committed", "< 500", latencies, baseline),
        ],
    )


if __name__ == "__main__":
    typer.run(main)
