"""(e) The analysts' tools next to a raw read + decode of the same events.

Writes ``events`` events (save slots with ten events each), then, on the same
server and data, measures:

- the baseline: every event read window by window, as ``History`` reads them,
  and its JSON decoded (``orjson.loads``), nothing else;
- ``lorekeeper export`` to Parquet (into a fresh directory each round);
- ``GET /v1/events`` streamed from a real server process, with the server's
  resident memory sampled while it streams (flat: it reads window by window);
- time travel to the last version of a save slot with 100,000 events and of
  one with 10 (snapshots every 50 versions).

Medians and ratios are printed; docs/performance.md records them.
"""

from __future__ import annotations

import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
import orjson
import typer

from bench.common import median, report, scratch_container, server_env
from bench.http_commands import start_server
from bench.projection_catchup import write_events
from domain.narrative.save_slots import SaveSlot
from infra.export import Exporter
from infra.selection import Selection, read_window
from infra.time_travel import TimeTravel


def time_raw(container) -> float:
    history = container.history
    started = time.perf_counter()
    end, position, count = history.cut(None), 0, 0
    while position < end:
        upto = min(end, position + history.window)
        with container.pool.connection() as conn:
            rows = read_window(conn, container.event_log, position, upto, Selection())
        for row in rows:
            orjson.loads(row[4])
        count += len(rows)
        position = upto
    return count / (time.perf_counter() - started)


def time_export(container, count: int) -> float:
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        manifest = Exporter(container.history, Path(out)).run()
        elapsed = time.perf_counter() - started
    assert manifest.rows == count
    return count / elapsed


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def time_stream(port: int, token: str, count: int, pid: int) -> tuple[float, int, int]:
    """(events/s, server RSS before, peak server RSS while streaming), in kB."""
    before, peak, done = rss_kb(pid), [0], threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            peak[0] = max(peak[0], rss_kb(pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    lines = 0
    started = time.perf_counter()
    with (
        httpx.Client(timeout=600) as client,
        client.stream(
            "GET", f"http://127.0.0.1:{port}/v1/events", headers={"Authorization": f"Bearer {token}"}
        ) as response,
    ):
        assert response.status_code == 200
        for chunk in response.iter_bytes():
            lines += chunk.count(b"\n")
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    assert lines == count, (lines, count)
    return count / elapsed, before, peak[0]


def long_slot(container, versions: int) -> uuid.UUID:
    slot = SaveSlot.open(uuid.uuid4(), "long", {"chapter": 0})
    while slot.version < versions:
        for _ in range(min(499, versions - slot.version)):  # + Created: the store takes 500 a save
            slot.save_progress({"chapter": slot.version})
        container.store.save(slot)
    return slot.id


def time_travel(travel: TimeTravel, slot_id: uuid.UUID, repeats: int = 50) -> float:
    """Median milliseconds to rebuild the slot's last version."""
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        travel.at(slot_id)
        samples.append((time.perf_counter() - started) * 1000)
    return median(samples)


def main(events: int = 1_000_000, rounds: int = 3, long_versions: int = 100_000) -> str:
    with scratch_container() as container:
        container.setup()
        written = write_events(container, events // 10)
        raw = [time_raw(container) for _ in range(rounds)]
        exported = [time_export(container, written) for _ in range(rounds)]

        from api.auth import TokenService

        token = TokenService(container.jwt_secret, 3600).issue(uuid.uuid4(), frozenset({"analyst"}))
        proc, port = start_server("api", server_env(container, LOREKEEPER_RUN_PROJECTIONS="false"))
        try:
            streams = [time_stream(port, token, written, proc.pid) for _ in range(rounds)]
        finally:
            proc.terminate()
            proc.wait(20)

        travel = TimeTravel(container.store, container.mapper.decode_state)
        long_id, short_id = long_slot(container, long_versions), long_slot(container, 10)
        long_ms, short_ms = time_travel(travel, long_id), time_travel(travel, short_id)

    r, e, s = median(raw), median(exported), median([x[0] for x in streams])
    growth = max(peak - before for _, before, peak in streams) / 1024
    return report(
        f"Analysts over {written:,} events ({rounds} rounds)",
        [
            ("raw read + decode (baseline)", r, "events/s"),
            ("export to Parquet", e, "events/s"),
            ("export ratio (goal >= 0.7)", e / r, ""),
            ("GET /v1/events streamed", s, "events/s"),
            ("stream ratio (goal >= 0.5)", s / r, ""),
            ("server memory growth while streaming (peak over start)", growth, "MB"),
            (f"time travel, {long_versions:,} events", long_ms, "ms"),
            ("time travel, 10 events", short_ms, "ms"),
            ("time travel ratio (goal <= 2)", long_ms / short_ms, ""),
        ],
    )


if __name__ == "__main__":
    typer.run(main)
