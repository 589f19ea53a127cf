"""``lorekeeper export``: the event history as files DuckDB and Polars read directly.

Layout (Hive partitioning: ``topic`` and ``day`` are columns to a reader)::

    OUT/_manifest.json
    OUT/topic=lorekeeper.save_slot.ProgressSaved/day=2026-11-22/part-00000000000000000001-00000000000000050000.parquet

Each file holds one topic's events of one day from one chunk of positions;
its columns are ``position``, ``aggregate_id``, ``aggregate_type``,
``aggregate_version``, ``recorded_at`` (a UTC timestamp) and ``data`` (the
event's JSON as text, personal fields sealed: an export leaves the server, so
it carries no personal data anyone could read without the player's key).

**The manifest is the commit point.** A chunk's files are written under
temporary names, renamed into place, and only then does the manifest (written
to a temporary file and renamed over the old one, atomically) list them and
move its ``position`` on. A run starts by deleting every file the manifest
does not list: whatever a killed run left behind. So a run, killed anywhere
and run again, exports each event exactly once, with no gap; and a run on a
finished export writes only what the log gained since.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from infra.history import History, HistoryEvent, Selection

MANIFEST = "_manifest.json"
FORMATS = ("parquet", "ndjson")
CHUNK = 50_000  # positions per chunk: one file per topic and day in it


class ExportRefused(ValueError):
    """The run contradicts the export already in the directory."""


@dataclass
class Manifest:
    format: str
    topics: list[str]
    after: int  # where the export began (exclusive)
    position: int  # the last position exported
    files: list[dict[str, Any]] = field(default_factory=list)
    updated_at: str | None = None

    @classmethod
    def load(cls, out: Path) -> Manifest | None:
        path = out / MANIFEST
        return cls(**orjson.loads(path.read_bytes())) if path.exists() else None

    def save(self, out: Path) -> None:
        self.updated_at = datetime.now().astimezone().isoformat()
        temporary = out / f"{MANIFEST}.tmp"
        with open(temporary, "wb") as f:
            f.write(orjson.dumps(asdict(self), option=orjson.OPT_INDENT_2))
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, out / MANIFEST)
        _fsync_dir(out)

    @property
    def rows(self) -> int:
        return sum(f["rows"] for f in self.files)


@dataclass
class Exporter:
    history: History
    out: Path
    format: str = "parquet"
    topics: tuple[str, ...] = ()
    chunk: int = CHUNK
    pause_before_commit: float = 0.0  # a test's window to kill the run at the worst moment

    def run(
        self,
        after: int | None = None,
        until: int | datetime | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Manifest:
        """Export what is new up to ``until`` (default: the head); the manifest after."""
        if self.format not in FORMATS:
            raise ExportRefused(f"format must be one of {FORMATS}, not {self.format!r}")
        self.out.mkdir(parents=True, exist_ok=True)
        manifest = self._manifest(after)
        self._remove_unlisted(manifest)
        end = self.history.cut(until)
        while manifest.position < end:
            upto = min(end, manifest.position + self.chunk)
            written = self._write_chunk(manifest.position, upto)
            if self.pause_before_commit:
                time.sleep(self.pause_before_commit)
            manifest.files += written
            manifest.position = upto
            manifest.save(self.out)
            if progress is not None:
                progress(upto, end)
        manifest.save(self.out)
        return manifest

    def _manifest(self, after: int | None) -> Manifest:
        found = Manifest.load(self.out)
        if found is None:
            return Manifest(self.format, list(self.topics), after or 0, after or 0)
        if found.format != self.format or found.topics != list(self.topics):
            raise ExportRefused(
                f"{self.out} holds a {found.format} export of topics {found.topics or ['*']}: "
                "continue it with the same --format and --topics, or export into another directory"
            )
        if after is not None and after != found.after:
            raise ExportRefused(f"{self.out} is an export from position {found.after}; --after cannot change it")
        return found

    def _remove_unlisted(self, manifest: Manifest) -> None:
        listed = {f["path"] for f in manifest.files}
        for path in self.out.rglob("*"):
            if path.is_file() and path.name != MANIFEST and str(path.relative_to(self.out)) not in listed:
                path.unlink()

    def _write_chunk(self, after: int, upto: int) -> list[dict[str, Any]]:
        groups: dict[tuple[str, str], list[tuple[HistoryEvent, dict[str, Any]]]] = defaultdict(list)
        for event in self.history.events(Selection(after=after, until=upto, topics=self.topics)):
            data = self.history.data(event, open_personal=False)
            groups[(event.topic, str(data["timestamp"])[:10])].append((event, data))
        written = []
        for (topic, day), events in sorted(groups.items()):
            relative = Path(f"topic={topic}") / f"day={day}" / f"part-{after + 1:020d}-{upto:020d}.{self.format}"
            target = self.out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(target.name + ".tmp")
            (_write_parquet if self.format == "parquet" else self._write_ndjson)(temporary, events)
            os.replace(temporary, target)
            written.append({"path": str(relative), "first": after + 1, "last": upto, "rows": len(events)})
        return written

    def _write_ndjson(self, path: Path, events: list[tuple[HistoryEvent, dict[str, Any]]]) -> None:
        with open(path, "wb") as f:
            f.writelines(self.history.line(event, open_personal=False) for event, _ in events)
            f.flush()
            os.fsync(f.fileno())


def _write_parquet(path: Path, events: list[tuple[HistoryEvent, dict[str, Any]]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "position": pa.array([e.position for e, _ in events], pa.int64()),
            "aggregate_id": pa.array([str(e.aggregate_id) for e, _ in events], pa.string()),
            "aggregate_type": pa.array([e.aggregate_type for e, _ in events], pa.string()),
            "aggregate_version": pa.array([e.aggregate_version for e, _ in events], pa.int64()),
            "recorded_at": pa.array([d["timestamp"] for _, d in events], pa.string()).cast(pa.timestamp("us", "UTC")),
            "data": pa.array([orjson.dumps(d).decode() for _, d in events], pa.string()),
        }
    )
    with open(path, "wb") as f:
        pq.write_table(table, f, compression="zstd")
        f.flush()
        os.fsync(f.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
