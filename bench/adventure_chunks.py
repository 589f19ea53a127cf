"""(g) Adventure's chunks, each measure next to a baseline of the same run:

- chunk edits (16 block changes per request) through HTTP by 32 clients,
  each building in its own chunk as its own character, next to the no-op
  endpoint served the same way;
- reading an area of 8 x 8 chunks (the ground layer: generated terrain with
  edits) by 32 concurrent readers taking compressed answers, as HTTP clients
  do (``Accept-Encoding: gzip, deflate``), once the read model has caught up
  with the edits: p50 and p99 latency, next to the no-op's p99 under the same
  load;
- loading a chunk with 10,000 edits (snapshots every 100) next to loading
  one with 10.

Goals (issue 13): edits >= 0.4 of the no-op; area p99 < 50 ms; 10,000 edits
load within 2x of 10.
"""

from __future__ import annotations

import asyncio
import random
import time
import zlib
from collections.abc import Callable
from uuid import UUID

import orjson
import typer

from bench.common import median, report, scratch_container, server_env
from bench.echoes_market import REFUSED, noop_clients, percentile
from bench.http_commands import start_server
from bench.loadgen import Connection, run_clients
from domain.adventure import AdventureUseCases, Chunk
from domain.adventure.chunks import chunk_id

BLOCKS = ("stone", "brick", "planks", "glass", "air")


def changes(rng: random.Random) -> dict[str, dict[str, str]]:
    return {
        f"{rng.randrange(16)},{rng.randrange(16)},{rng.randrange(16)}": {"type": rng.choice(BLOCKS)} for _ in range(16)
    }


async def builders(port: int, world_id: UUID, count: int, written: list[int]) -> list:
    """Players signed up over HTTP, each with a character editing its own chunk;
    ``written`` gets the event store position of each edit."""
    clients = []
    for i in range(count):
        conn = await Connection("127.0.0.1", port).open()
        auth = await conn.anonymous()
        body = {"name": f"Builder {i}", "character_class": "artisan", "position": {"x": 8.0, "y": 80.0, "z": 8.0}}
        created = await conn.request("POST", f"/v1/worlds/{world_id}/characters", orjson.dumps(body), auth)
        assert created.status == 201, created.body
        character = orjson.loads(created.body)["id"]
        path = f"/v1/worlds/{world_id}/chunks/{i}/4/{i}"
        rng = random.Random(i)

        async def step(conn=conn, path=path, auth=auth, character=character, rng=rng) -> bool:
            body = orjson.dumps({"changes": changes(rng), "character_id": character})
            r = await conn.request("PATCH", path, body, auth)
            if r.status != 200:
                REFUSED.append(r.body[:300])
                return False
            written.append(orjson.loads(r.body)["position"])
            return True

        clients.append(step)
    return clients


AREA = "/v1/worlds/{world_id}/area?x0=0&y0=4&z0=0&x1=7&y1=4&z1=7"


async def answer_sizes(port: int, world_id: UUID) -> tuple[int, int]:
    """The area's answer plain and as the readers get it (compressed): the same
    JSON once inflated (the load generator itself does not parse answers)."""
    conn = await Connection("127.0.0.1", port).open()
    auth, path = await conn.anonymous(), AREA.format(world_id=world_id)
    plain = await conn.request("GET", path, b"", auth)
    packed = await conn.request("GET", path, b"", {**auth, "Accept-Encoding": "gzip, deflate"})
    conn.close()
    assert packed.headers["content-encoding"] == "deflate" and zlib.decompress(packed.body) == plain.body
    return len(plain.body), len(packed.body)


async def readers(port: int, world_id: UUID, count: int) -> list:
    clients = []
    for _ in range(count):
        conn = await Connection("127.0.0.1", port).open()
        auth = {**await conn.anonymous(), "Accept-Encoding": "gzip, deflate"}  # as HTTP clients send it
        path = AREA.format(world_id=world_id)

        async def step(conn=conn, auth=auth, path=path) -> bool:
            r = await conn.request("GET", path, b"", auth)
            return r.status == 200

        clients.append(step)
    return clients


async def caught_up(port: int, world_id: UUID, position: int) -> None:
    """Wait, as a client reading its own writes does (``min_position``), until the
    read model has every edit: a saturating burst of edits leaves the projector
    seconds behind, and the area readers are measured on a server at rest."""
    conn = await Connection("127.0.0.1", port).open()
    auth = await conn.anonymous()
    path = f"/v1/worlds/{world_id}/area?x0=0&y0=4&z0=0&x1=0&y1=4&z1=0&min_position={position}"
    deadline = time.monotonic() + 120
    while (r := await conn.request("GET", path, b"", auth)).status == 503:
        assert time.monotonic() < deadline, "the read model did not catch up in 2 minutes"
    assert r.status == 200, r.body
    conn.close()


async def session(mode: str, port: int, world_id: UUID, clients: int, seconds: float) -> dict[str, float]:
    if mode == "noop":
        steps = await noop_clients(port, clients)
        await run_clients(steps, 1.0)
        result, elapsed = await run_clients(steps, seconds)
        return {"noop": result.ok / elapsed, "noop_p99": percentile(result.latencies, 0.99) * 1000}
    written: list[int] = []
    edits = await builders(port, world_id, clients, written)
    await run_clients(edits, 1.0)
    result, elapsed = await run_clients(edits, seconds)
    assert result.errors == 0, f"{result.errors} failed edits: {REFUSED[:3]}"
    started = time.perf_counter()
    await caught_up(port, world_id, max(written))  # readers measured on the read model, not on its catching up
    lag = time.perf_counter() - started
    plain, packed = await answer_sizes(port, world_id)
    areas = await readers(port, world_id, clients)
    await run_clients(areas, 1.0)
    read, _ = await run_clients(areas, seconds)
    assert read.errors == 0
    return {
        "edits": result.ok / elapsed,
        "area_p50": percentile(read.latencies, 0.5) * 1000,
        "area_p99": percentile(read.latencies, 0.99) * 1000,
        "lag": lag,
        "plain_kb": plain / 1000,
        "packed_kb": packed / 1000,
    }


def time_loads(
    game: AdventureUseCases, world_id: UUID, heavy: int, rounds: int, settle: Callable[[], object]
) -> tuple[float, float]:
    """Seconds to load a chunk with ``heavy`` edits and one with 10, from the database."""
    rng = random.Random(5)
    ids = {}
    for edits, x in ((10, 100), (heavy, 101)):
        for _ in range(edits):
            game.building.edit_chunk(None, world_id, (x, 4, x), changes(rng), None, None)
        ids[edits] = chunk_id(world_id, x, 4, x)
    settle()  # the last snapshots are written in the background (infra/background.py)
    times: dict[int, list[float]] = {10: [], heavy: []}
    for _ in range(rounds * 5):
        for edits, aggregate_id in ids.items():
            game.store.evict(aggregate_id)
            started = time.perf_counter()
            game.store.load(Chunk, aggregate_id)
            times[edits].append(time.perf_counter() - started)
    return median(times[heavy]), median(times[10])


def main(clients: int = 32, seconds: float = 5.0, rounds: int = 3, heavy_edits: int = 10_000) -> str:
    with scratch_container() as container:
        container.setup()
        game = container.use(AdventureUseCases)
        world_id = game.create_world("Bench", "standard", 42, {"characters_per_player": 100}, {}).aggregate.id
        heavy, light = time_loads(game, world_id, heavy_edits, rounds, container.snapshot_writer.settle)
        env = server_env(container)
        results: dict[str, list[float]] = {}
        for _ in range(rounds):
            for mode in ("noop", "api"):  # interleaved, so drift hits both alike
                proc, port = start_server(mode, env)
                try:
                    for key, value in asyncio.run(session(mode, port, world_id, clients, seconds)).items():
                        results.setdefault(key, []).append(value)
                finally:
                    proc.terminate()
                    proc.wait(20)
    e, n = median(results["edits"]), median(results["noop"])
    return report(
        f"Adventure chunks ({rounds} rounds; {clients} HTTP clients, {seconds:.0f} s each)",
        [
            ("PATCH a chunk, 16 block changes", e, "requests/s"),
            ("no-op FastAPI endpoint", n, "requests/s"),
            ("edit ratio (goal >= 0.4)", e / n, ""),
            ("GET an 8 x 8 chunk area, p50", median(results["area_p50"]), "ms"),
            ("GET an 8 x 8 chunk area, p99 (goal < 50 ms)", median(results["area_p99"]), "ms"),
            ("no-op endpoint under the same load, p99", median(results["noop_p99"]), "ms"),
            ("read model caught up after the edits (before the readers)", median(results["lag"]), "s"),
            ("an area's answer: plain JSON", median(results["plain_kb"]), "kB"),
            ("an area's answer: as the readers take it (deflate)", median(results["packed_kb"]), "kB"),
            (f"load a chunk of {heavy_edits:,} edits", heavy * 1000, "ms"),
            ("load a chunk of 10 edits", light * 1000, "ms"),
            ("load ratio (goal <= 2)", heavy / light, ""),
        ],
    )


if __name__ == "__main__":
    typer.run(main)
