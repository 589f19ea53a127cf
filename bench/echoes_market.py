"""(f) The Echoes market, each measure next to a baseline of the same run:

- the matching engine alone (``OrderBook.place``, pure domain, events
  recorded and applied), orders per second on one book, next to a bare
  price-time book (two heaps, no events, no rules) fed the same orders;
- loading a book of 100,000 open orders from its snapshot in PostgreSQL,
  next to ``orjson.loads`` of the same snapshot's JSON;
- orders placed through HTTP on one hot book by 64 clients, next to the
  no-op endpoint served the same way, with the invariants audited after;
- order to fill acknowledged at a steady 500 orders/s (open loop): p50 and
  p99 latency, next to the no-op endpoint's at the same rate.

Goals (issue 16): >= 50,000 orders/s; a 100,000-order book in < 1 s; HTTP
>= 0.35 of the no-op; p99 < 50 ms at 500/s.
"""

from __future__ import annotations

import asyncio
import heapq
import json
import random
import time
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import orjson
import typer

from bench.common import median, report, scratch_container, server_env
from bench.http_commands import start_server
from bench.loadgen import Connection, run_clients
from domain.echoes import EchoesUseCases, OrderBook
from domain.echoes.access import Actor
from domain.echoes.orders import Fees, book_id
from domain.echoes.universe import UniverseData
from domain.kernel.aggregate import Snapshot
from infra import heap
from infra.echoes_universe import shipped_path

STATION, MODULE, DEEP_MODULE = 60003760, 2000, 2001
FEES = Fees()
STOCK = 1_000_000  # items each HTTP trader starts with
EXPIRES = datetime.now(UTC) + timedelta(days=30)


def orders(count: int, seed: int = 1) -> list[tuple[str, int, int]]:
    """(side, price, quantity) around 100: about half of them trade."""
    rng = random.Random(seed)
    return [(rng.choice(("buy", "sell")), rng.randint(90, 110), rng.randint(1, 10)) for _ in range(count)]


def time_engine(flow: list[tuple[str, int, int]]) -> float:
    book = OrderBook.open(STATION, MODULE)
    traders = [uuid4() for _ in range(64)]
    started = time.perf_counter()
    for i, (side, price, quantity) in enumerate(flow):
        book.place(side, traders[i % 64], price, quantity, EXPIRES, FEES)  # type: ignore[arg-type]
        if i % 1000 == 999:
            book.collect_events()  # as a save does
    return len(flow) / (time.perf_counter() - started)


def time_bare_book(flow: list[tuple[str, int, int]]) -> float:
    """The baseline: price-time matching with two heaps and nothing else."""
    bids: list[list[int]] = []  # [-price, sequence, remaining]
    asks: list[list[int]] = []
    started = time.perf_counter()
    for sequence, (side, price, quantity) in enumerate(flow):
        book, opposite = (bids, asks) if side == "buy" else (asks, bids)
        while quantity and opposite:
            best = opposite[0]
            best_price = best[0] if side == "buy" else -best[0]
            if (side == "buy" and best_price > price) or (side == "sell" and best_price < price):
                break
            traded = min(quantity, best[2])
            quantity -= traded
            best[2] -= traded
            if not best[2]:
                heapq.heappop(opposite)
        if quantity:
            heapq.heappush(book, [-price if side == "buy" else price, sequence, quantity])
    return len(flow) / (time.perf_counter() - started)


def deep_book(open_orders: int) -> OrderBook:
    """A book of ``open_orders`` resting orders that do not cross (another
    module's than the HTTP clients trade: its traders have no wallets)."""
    book = OrderBook.open(STATION, DEEP_MODULE)
    rng = random.Random(2)
    traders = [uuid4() for _ in range(64)]
    for i in range(open_orders):
        side = "buy" if i % 2 else "sell"
        price = rng.randint(1, 50_000) if side == "buy" else rng.randint(50_001, 100_000)
        book.place(side, traders[i % 64], price, rng.randint(1, 100), EXPIRES, FEES)  # type: ignore[arg-type]
        if i % 5000 == 4999:
            book.collect_events()
    book.collect_events()
    return book


def time_snapshot_load(container, book: OrderBook, rounds: int) -> tuple[float, float]:
    """Seconds to load the book from its stored snapshot; seconds to orjson.loads its JSON."""
    snapshot = Snapshot.take(book)
    store = container.store
    store.repository.snapshot_store.put([snapshot])
    raw = orjson.dumps(snapshot.state)
    loads, decodes = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        loaded = store.load_at(OrderBook, book.id, book.version)
        loads.append(time.perf_counter() - started)
        assert len(loaded.orders) == len(book.orders)
        started = time.perf_counter()
        orjson.loads(raw)
        decodes.append(time.perf_counter() - started)
    return median(loads), median(decodes)


def prepare_traders(container, port: int, clients: int) -> list[tuple[UUID, str]]:
    """Players signed up over HTTP, each with a pilot rich in money and items."""
    echoes = container.use(EchoesUseCases)
    echoes.load_universe(UniverseData.model_validate(json.loads(shipped_path(1).read_text())))

    async def sign_up() -> list[tuple[str, str]]:
        conn = await Connection("127.0.0.1", port).open()
        players = []
        for _ in range(clients):
            r = orjson.loads((await conn.request("POST", "/v1/auth/anonymous", b"{}")).body)
            players.append((r["player_id"], r["access_token"]))
        conn.close()
        return players

    traders = []
    for i, (player, token) in enumerate(asyncio.run(sign_up())):
        owner = UUID(player)
        pilot = echoes.create_pilot(owner, f"Bench {uuid4().hex[:8]} {i}", "Caldari", "Deteis", 30000140).aggregate
        echoes.stock(Actor(pilot.id, owner), STATION, MODULE, STOCK, "starter_kit")
        traders.append((pilot.id, token))
    return traders


def order_body(pilot_id: UUID, rng: random.Random) -> bytes:
    return orjson.dumps(
        {
            "pilot_id": str(pilot_id),
            "station_id": STATION,
            "module_type_id": MODULE,
            "side": rng.choice(("buy", "sell")),
            "price": rng.randint(95, 105),
            "quantity": rng.randint(1, 5),
            "duration_days": 1,
        }
    )


REFUSED: list[bytes] = []  # bodies of answers other than 201, for the failure message


async def order_clients(port: int, traders: list[tuple[UUID, str]], seed: int) -> list:
    clients = []
    for i, (pilot_id, token) in enumerate(traders):
        conn = await Connection("127.0.0.1", port).open()
        rng = random.Random(seed + i)
        auth = {"Authorization": f"Bearer {token}"}

        async def step(conn=conn, rng=rng, auth=auth, pilot_id=pilot_id) -> bool:
            r = await conn.request("POST", "/v1/echoes/orders", order_body(pilot_id, rng), auth)
            if r.status != 201:
                REFUSED.append(r.body[:300])
            return r.status == 201

        clients.append(step)
    return clients


async def noop_clients(port: int, count: int) -> list:
    body = orjson.dumps({"narrative_state": {"side": "buy", "price": 100, "quantity": 3}})
    clients = []
    for _ in range(count):
        conn = await Connection("127.0.0.1", port).open()

        async def step(conn=conn) -> bool:
            r = await conn.request("PUT", "/noop", body)
            if r.status != 200:
                REFUSED.append(r.body[:300])
            return r.status == 200

        clients.append(step)
    return clients


async def steady(clients: list, rate: float, seconds: float) -> list[float]:
    """Open loop: a request every 1/rate s on the next free client; latency from
    when it was due (so queueing counts), not from when a client was free."""
    free: asyncio.Queue = asyncio.Queue()
    for client in clients:
        free.put_nowait(client)
    latencies: list[float] = []
    tasks = []

    async def fire(due: float) -> None:
        client = await free.get()
        try:
            assert await client(), "a request failed"
            latencies.append(time.perf_counter() - due)
        finally:
            free.put_nowait(client)

    start = time.perf_counter()
    for n in range(int(rate * seconds)):
        due = start + n / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(fire(due)))
    await asyncio.gather(*tasks)
    return latencies


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


async def session(mode: str, port: int, traders, seed: int, seconds: float, rate: float) -> tuple[float, list[float]]:
    """Closed-loop throughput, then open-loop latencies at ``rate``, on one server."""
    if mode == "api":
        clients = await order_clients(port, traders, seed)
    else:
        clients = await noop_clients(port, len(traders))
    await run_clients(clients, 1.0)  # warm-up
    result, elapsed = await run_clients(clients, seconds)
    assert result.errors == 0, f"{result.errors} failed requests: {REFUSED[:3]}"
    return result.ok / elapsed, await steady(clients, rate, seconds)


def measure_http(env, traders, seconds: float, rate: float, rounds: int) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {"api": [], "noop": [], "api_p50": [], "api_p99": [], "noop_p99": []}
    for round_ in range(rounds):
        for mode in ("noop", "api"):  # interleaved, so drift hits both alike
            proc, port = start_server(mode, env)
            try:
                throughput, latencies = asyncio.run(session(mode, port, traders, 1000 * round_, seconds, rate))
            finally:
                proc.terminate()
                proc.wait(20)
            results[mode].append(throughput)
            results[f"{mode}_p99"].append(percentile(latencies, 0.99) * 1000)
            if mode == "api":
                results["api_p50"].append(percentile(latencies, 0.5) * 1000)
    return results


def audit(container, traders: list[tuple[UUID, str]]) -> None:
    """After the load: the book does not cross, no balance is negative, and
    every item stocked is in a hangar or in a sell order's escrow."""
    from domain.echoes import Hangar, Wallet
    from domain.echoes.hangars import hangar_id
    from domain.echoes.wallets import wallet_id

    store = container.store

    def fresh(cls, aggregate_id):  # the server process wrote them: not this process's cached copies
        store.evict(aggregate_id)
        return store.load(cls, aggregate_id)

    book = fresh(OrderBook, book_id(STATION, MODULE))
    assert not book.crossed(), "the book crossed"
    assert all(fresh(Wallet, wallet_id(p)).balance >= 0 for p, _ in traders)
    held = sum(fresh(Hangar, hangar_id(p, STATION)).held(MODULE) for p, _ in traders)
    assert held + book.escrowed_items() == STOCK * len(traders), "items were made or lost"


def main(
    engine_orders: int = 200_000,
    book_orders: int = 100_000,
    clients: int = 64,
    seconds: float = 6.0,
    rate: float = 500.0,
    rounds: int = 3,
) -> str:
    flow = orders(engine_orders)
    # As the server runs: its start-up's objects frozen out of the collector
    # (infra/heap.py); without it, full collections walking every imported
    # schema were a fifth of the engine's time.
    heap.settle()
    engine, bare = [], []
    for _ in range(rounds):  # interleaved: both see the machine's same moods
        engine.append(time_engine(flow))
        bare.append(time_bare_book(flow))
    book = deep_book(book_orders)
    with scratch_container() as container:
        container.setup()
        load, decode = time_snapshot_load(container, book, rounds)
        env = server_env(container)
        proc, port = start_server("api", env)
        try:
            traders = prepare_traders(container, port, clients)
        finally:
            proc.terminate()
            proc.wait(20)
        http = measure_http(env, traders, seconds, rate, rounds)
        audit(container, traders)
    e, b = median(engine), median(bare)
    a, n = median(http["api"]), median(http["noop"])
    return report(
        f"Echoes market ({rounds} rounds; {clients} HTTP clients on one book, {seconds:.0f} s each)",
        [
            ("matching engine, orders on one book", e, "orders/s"),
            ("bare price-time book (two heaps, no events)", b, "orders/s"),
            ("engine ratio (goal >= 50,000 orders/s)", e / b, ""),
            (f"load a {book_orders:,}-order book from its snapshot", load * 1000, "ms"),
            ("orjson.loads of the same snapshot", decode * 1000, "ms"),
            ("snapshot load ratio (goal < 1 s)", load / decode, ""),
            ("POST /v1/echoes/orders, one hot book", a, "requests/s"),
            ("no-op FastAPI endpoint", n, "requests/s"),
            ("HTTP ratio (goal >= 0.35)", a / n, ""),
            (f"order -> fill acknowledged at {rate:.0f}/s, p50", median(http["api_p50"]), "ms"),
            (f"order -> fill acknowledged at {rate:.0f}/s, p99 (goal < 50 ms)", median(http["api_p99"]), "ms"),
            (f"no-op endpoint at {rate:.0f}/s, p99", median(http["noop_p99"]), "ms"),
        ],
    )


if __name__ == "__main__":
    typer.run(main)
