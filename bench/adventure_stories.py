"""(h) Adventure's stories: a character's path through a story of 10,000
branches, each measure next to a baseline of the same run:

- the path query itself (one recursive CTE up from the character's latest
  choice, ~200 branches deep), run one after another on one connection, next
  to reading one branch by its primary key;
- ``GET .../characters/{cid}/stories/{sid}/path`` over HTTP (the path, the
  next choices and their conditions evaluated) at a steady rate, open loop
  (latency counted from when the request was due), next to the no-op
  endpoint at the same rate.

Goal (issue 14): the path query p99 < 20 ms.
"""

from __future__ import annotations

import asyncio
import random
import time
from uuid import UUID, uuid4

import orjson
import typer

from api.auth import TokenService
from bench.common import median, report, scratch_container, server_env
from bench.echoes_market import noop_clients, percentile, steady
from bench.http_commands import start_server
from bench.loadgen import Connection
from domain.adventure import AdventureUseCases
from domain.adventure.stories import BRANCHES_PER_WRITE, DEPTH_MAX

PATH_SQL = (
    "WITH RECURSIVE up AS ("
    " SELECT id, parent_branch_id, branch_name, 0 AS height FROM adventure.story_branches"
    " WHERE id = %s AND story_id = %s"
    " UNION ALL"
    " SELECT p.id, p.parent_branch_id, p.branch_name, up.height + 1"
    " FROM up JOIN adventure.story_branches p ON p.id = up.parent_branch_id WHERE up.height < 256"
    ") SELECT * FROM up ORDER BY height DESC"
)


def write_story(game: AdventureUseCases, world_id: UUID, branches: int, deepest: int) -> tuple[UUID, dict]:
    """A story of ``branches``: each under one of the last 50 written (so
    paths run long), none deeper than ``deepest``; the children of each."""
    rng = random.Random(14)
    story = game.stories.create_story(world_id, "The Long Road", "", "main", {}).aggregate.id
    depth: dict[str, int] = {}
    children: dict[str | None, list[str]] = {None: []}
    order: list[str] = []
    batch: list[dict] = []
    for i in range(branches):
        candidates = [b for b in order[-50:] if depth[b] < deepest]
        parent = rng.choice(candidates) if candidates and i % 500 else None
        key = str(uuid4())
        depth[key] = 0 if parent is None else depth[parent] + 1
        children.setdefault(parent, []).append(key)
        children[key] = []
        order.append(key)
        batch.append({"branch_id": key, "parent_branch_id": parent, "branch_name": f"Step {i}", "content": "..."})
        if len(batch) == BRANCHES_PER_WRITE:
            game.stories.add_branches(story, batch)
            batch = []
    if batch:
        game.stories.add_branches(story, batch)
    return story, children


def heights(children: dict) -> dict:
    """How many choices lie below each branch, at most (children are written after their parents)."""
    height: dict = {}
    for branch in reversed([b for b in children if b is not None]):
        height[branch] = 1 + max((height[c] for c in children[branch]), default=0)
    return height


def walk(game: AdventureUseCases, owner: UUID, character: UUID, story: UUID, children: dict, n: int) -> list[str]:
    """The character chooses from a way in down to a leaf, along one of the longest roads."""
    height = heights(children)
    path: list[str] = []
    here = None
    while children.get(here):
        longest = max(height[b] for b in children[here])
        here = [b for b in children[here] if height[b] == longest][n % 2 - 1]
        game.stories.choose(owner, character, story, UUID(here))
        path.append(here)
    return path


def time_queries(container, story: UUID, ends: list[str], rounds: int) -> tuple[list[float], list[float]]:
    path_times, key_times = [], []
    with container.pool.connection() as conn:
        for _ in range(rounds):
            for end in ends:
                started = time.perf_counter()
                conn.execute(PATH_SQL, (end, story)).fetchall()
                path_times.append(time.perf_counter() - started)
                started = time.perf_counter()
                conn.execute("SELECT * FROM adventure.story_branches WHERE id = %s", (end,)).fetchall()
                key_times.append(time.perf_counter() - started)
    return path_times, key_times


async def readers(port: int, paths: list[str], token: str, clients: int) -> list:
    steps = []
    for i in range(clients):
        conn = await Connection("127.0.0.1", port).open()
        auth = {"Authorization": f"Bearer {token}"}

        async def step(conn=conn, auth=auth, i=i, turn=[0]) -> bool:  # noqa: B006 (a counter per client)
            turn[0] += 1
            r = await conn.request("GET", paths[(i + turn[0]) % len(paths)], b"", auth)
            if r.status == 200:
                assert len(orjson.loads(r.body)["path"]) > 0
            return r.status == 200

        steps.append(step)
    return steps


async def session(mode: str, port: int, paths: list[str], token: str, rate: float, seconds: float) -> list[float]:
    clients = await (noop_clients(port, 8) if mode == "noop" else readers(port, paths, token, 8))
    await steady(clients, rate, 1.0)  # warm-up
    return await steady(clients, rate, seconds)


def main(
    branches: int = 10_000, characters: int = 8, rate: float = 100.0, seconds: float = 5.0, rounds: int = 3
) -> str:
    with scratch_container() as container:
        container.setup()
        game = container.use(AdventureUseCases)
        world = game.create_world("Bench", "standard", 42, {"characters_per_player": 100}, {}).aggregate.id
        story, children = write_story(game, world, branches, min(200, DEPTH_MAX - 1))
        owner = uuid4()
        ends, paths, depths = [], [], []
        for n in range(characters):
            character = game.create_character(owner, world, f"Walker {n}", "ranger", {}, (8, 80, 8)).aggregate.id
            walked = walk(game, owner, character, story, children, n)
            ends.append(walked[-1])
            depths.append(len(walked))
            paths.append(f"/v1/worlds/{world}/characters/{character}/stories/{story}/path")
        for runner in container.runners.values():
            runner.catch_up()
        path_times, key_times = time_queries(container, story, ends, rounds * 25)
        token = TokenService(container.jwt_secret, 3600).issue(uuid4(), frozenset({"admin"}))
        latencies: dict[str, list[float]] = {"api": [], "noop": []}
        env = server_env(container)
        for _ in range(rounds):
            for mode in ("noop", "api"):  # interleaved, so drift hits both alike
                proc, port = start_server(mode, env)
                try:
                    latencies[mode] += asyncio.run(session(mode, port, paths, token, rate, seconds))
                finally:
                    proc.terminate()
                    proc.wait(20)
    return report(
        f"Adventure story paths ({branches:,} branches; paths {min(depths)}-{max(depths)} deep; "
        f"{rounds} rounds; HTTP at {rate:.0f}/s by 8 clients, {seconds:.0f} s each)",
        [
            ("path query (recursive CTE), p50", percentile(path_times, 0.5) * 1000, "ms"),
            ("path query (recursive CTE), p99 (goal < 20 ms)", percentile(path_times, 0.99) * 1000, "ms"),
            ("one branch by primary key, p99", percentile(key_times, 0.99) * 1000, "ms"),
            ("query ratio (p50 path / p50 key)", median(path_times) / median(key_times), ""),
            ("GET the path over HTTP, p50", percentile(latencies["api"], 0.5) * 1000, "ms"),
            ("GET the path over HTTP, p99", percentile(latencies["api"], 0.99) * 1000, "ms"),
            ("no-op endpoint at the same rate, p99", percentile(latencies["noop"], 0.99) * 1000, "ms"),
        ],
    )


if __name__ == "__main__":
    typer.run(main)
