"""``lorekeeper export``: the event history as files DuckDB and Polars read directly.

Layout (Hive partitioning: ``topic`` and ``day`` are columns to a reader)::

    OUT/_manifest.json
    OUT/topic=lorekeeper.save_slot.ProgressSaved/day=2026-11-22/part-00000000000000000001-00000000000000050000.parquet

Each file holds one topic's events of one day from one chunk of positions;
its columns are ``position``, ``aggregate_id``, ``aggregate_type``,
``aggregate_version``, ``recorded_at`` (a UTC timestamp) and ``data`` (the
event's JSON as text, personal fields sealed: an export leaves the server, so
it carries no personal data anyone could read without the player's key).

**The manifest is the commit point.** A chunk's files are written in
``_staging/`` and moved into place, and only then does the manifest (written
to a temporary file and renamed over the old one, atomically) list them and
move its ``position`` on. A run starts by deleting every file the manifest
does not list: whatever a killed run left behind. So a run, killed anywhere
and run again, exports each event exactly once, with no gap; and a run on a
finished export writes only what the log gained since.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from infra.history import History
from infra.selection import Selection

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
        # Two stages in step: the next chunk is read from PostgreSQL while the
        # previous one is written (Arrow compresses without the GIL). Chunks are
        # committed to the manifest strictly in order.
        with ThreadPoolExecutor(1, thread_name_prefix="export-writer") as writer:
            placing: Future[list[dict[str, Any]]] | None = None
            for after_chunk in range(manifest.position, end, self.chunk):
                upto = min(end, after_chunk + self.chunk)
                read = self._read_chunk(after_chunk, upto)
                if placing is not None:
                    self._commit(manifest, placing.result(), after_chunk, end, progress)
                placing = writer.submit(self._place_chunk, read, after_chunk, upto)
            if placing is not None:
                self._commit(manifest, placing.result(), end, end, progress)
        manifest.save(self.out)
        return manifest

    def _commit(
        self,
        manifest: Manifest,
        written: list[dict[str, Any]],
        position: int,
        end: int,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        """List a placed chunk's files and move the position on: the chunk is exported."""
        if self.pause_before_commit:
            time.sleep(self.pause_before_commit)
        manifest.files += written
        manifest.position = position
        manifest.save(self.out)
        if progress is not None:
            progress(position, end)

    def _manifest(self, after: int | None) -> Manifest:
        found = Manifest.load(self.out)
        if found is None:
            foreign = [p for p in self.out.rglob("*") if p.is_file() and not _ours(p.relative_to(self.out))]
            if foreign:  # never write into (or clean up) a directory that is not an export
                raise ExportRefused(
                    f"{self.out} holds files that are not an export ({foreign[0].name}, ...): "
                    "export into a new or empty directory"
                )
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
        """Delete what an interrupted run wrote and never listed: only files
        this exporter makes (anything else an analyst put here stays)."""
        listed = {f["path"] for f in manifest.files}
        for path in self.out.rglob("*"):
            relative = path.relative_to(self.out)
            if path.is_file() and _ours(relative) and str(relative) not in listed:
                path.unlink()

    def _read_chunk(self, after: int, upto: int) -> Any:
        """What a chunk's files are made of: an Arrow table (Parquet), or None
        (NDJSON is read and written in one go)."""
        if self.format == "ndjson":
            return None
        from infra import parquet  # Arrow loads only where it is used, not in every process

        return parquet.read_chunk(self.history, Selection(after=after, until=upto, topics=self.topics))

    def _place_chunk(self, chunk: Any, after: int, upto: int) -> list[dict[str, Any]]:
        """Write the chunk's files into place (not yet listed); their manifest entries."""
        name = f"part-{after + 1:020d}-{upto:020d}"
        staging = self.out / STAGING / name
        shutil.rmtree(staging, ignore_errors=True)
        if chunk is None:
            self._write_ndjson(Selection(after=after, until=upto, topics=self.topics), staging, name)
        else:
            from infra import parquet

            parquet.write_chunk(chunk, staging, name)
        written = []
        for path in sorted(p for p in staging.rglob("*") if p.is_file()):
            relative = path.relative_to(staging)
            target = self.out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            _fsync_file(path)
            os.replace(path, target)
            written.append({"path": str(relative), "first": after + 1, "last": upto, "rows": _rows_in(target)})
        shutil.rmtree(staging, ignore_errors=True)
        return written

    def _write_ndjson(self, selection: Selection, staging: Path, name: str) -> None:
        files: dict[Path, BinaryIO] = {}
        try:
            for event in self.history.events(selection):
                folder = staging / f"topic={event.topic}" / f"day={self.history.recorded_at(event)[:10]}"
                f = files.get(folder)
                if f is None:
                    folder.mkdir(parents=True, exist_ok=True)
                    f = files[folder] = open(folder / f"{name}.ndjson", "wb")  # noqa: SIM115 (closed below)
                f.write(self.history.line(event, open_personal=False))
        finally:
            for f in files.values():
                f.close()


STAGING = "_staging"  # a chunk's files before they move into place (never listed: cleared on start)


_OURS = re.compile(r"^(_manifest\.json\.tmp|_staging/.+|topic=[^/]+/day=[^/]+/part-[^/]+\.(parquet|ndjson)(\.tmp)?)$")


def _ours(relative: Path) -> bool:
    """A file the exporter makes (data, staging, the manifest's temporary)."""
    return bool(_OURS.match(relative.as_posix()))


def _rows_in(path: Path) -> int:
    if path.suffix == ".parquet":
        from infra import parquet

        return parquet.rows_in(path)
    with open(path, "rb") as f:
        return sum(1 for _ in f)


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
