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

import threading
import time
import uuid

import typer

from bench.common import committed, report
from bench.turns import against_baseline, backend, head, mode, serving
from bench.tycoon_heroes import TRAITS
from domain.tycoon import Hero, TycoonUseCases


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
    with backend(kafka, rate, seconds) as (container, baseline, env), serving(env, kafka, members):
        game = container.use(TycoonUseCases)
        recruit(game, heroes, ratio)
        time.sleep(warmup)
        since = head(container)
        found: list[float] = []
        thread = threading.Thread(target=lambda: found.extend(watch(container, since, time.monotonic() + seconds)))
        thread.start()
        thread.join()
    made = len(found) / seconds
    return report(
        f"Tycoon turns, {mode(kafka, members)}: {heroes:,} heroes at a {ratio}x clock, {seconds:.0f} s",
        [
            ("decisions committed per second (the load; goal 1,000)", made, "decisions/s"),
            *against_baseline("trigger -> decision committed", "< 250", found, baseline),
        ],
    )


if __name__ == "__main__":
    typer.run(main)
