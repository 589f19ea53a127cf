"""The event history as analysts read it: a selection of the log, read in
bounded windows, one JSON line per event.

``GET /v1/events``, ``lorekeeper export`` and the benchmarks all read through
``History``: a ``Selection`` (after, until, topic globs, aggregate, limit)
becomes a sequence of ``HistoryEvent`` read window by window (``WINDOW``
positions at a time, each window one short query on its own connection), so
memory and connection time stay flat however long the range.

Every line says where the event sits and what it is::

    {"position", "topic", "aggregate_id", "aggregate_type",
     "aggregate_version", "recorded_at", "data"}

``data`` is the stored JSON. Personal fields stay sealed (the ``$personal``
envelope of infra/crypto.py) unless the reader may open them; opened, an
erased player's fields read as their erased values, because the key is gone,
and credentials (``SECRETS``) are left out.

What a selection is and the queries that answer it: infra/selection.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import astuple, dataclass
from datetime import datetime
from typing import Any

import orjson

from infra.crypto import KeyStore, open_fields
from infra.fanout.messages import aggregate_of
from infra.selection import Selection, position_at, read_window, stamp_of
from projections.db import Pool
from projections.tracking import EventLog

WINDOW = 5_000  # positions per query
SECRETS = frozenset({"password_hash"})  # credentials: never read back, even opened


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    position: int
    topic: str
    aggregate_id: str
    aggregate_version: int
    state: bytes  # the stored JSON, personal fields sealed

    @property
    def aggregate_type(self) -> str:
        return aggregate_of(self.topic)


class History:
    """Reads selections of the log (see the module's docstring)."""

    def __init__(
        self,
        pool: Pool,
        log: EventLog,
        decode: Callable[[bytes], dict[str, Any]],
        keys: KeyStore | None,
        *,
        window: int = WINDOW,
        stored_as_json: bool = False,
    ) -> None:
        self.pool = pool
        self.log = log
        self.decode = decode  # stored bytes -> JSON, personal fields still sealed
        self.keys = keys
        self.window = window
        # The stored bytes are the event's JSON (no cipher, no compression): a
        # sealed line or export splices them in instead of decoding and encoding.
        self.stored_as_json = stored_as_json
        self._topics: dict[str, tuple[bytes, bytes]] = {}

    def head(self) -> int:
        with self.pool.connection() as conn:
            return self.log.head(conn)

    def cut(self, until: int | datetime | None) -> int:
        """The last position a selection ``until`` this includes: never beyond the head."""
        with self.pool.connection() as conn:
            head = self.log.head(conn)
            if until is None:
                return head
            if isinstance(until, datetime):
                return position_at(conn, self.log, self.decode, until, head)
            return min(until, head)

    def windows(self, selection: Selection) -> Iterator[list[tuple[Any, ...]]]:
        """The selected events, window by window, as rows ``(position, topic,
        aggregate_id (text), aggregate_version, stored bytes)``, as ``HistoryEvent``
        takes them. The range ends where ``until`` (or the head when the reading
        began) was. The next window is read while the caller works on this one
        (the wait for PostgreSQL is most of a read); with a ``limit``, one at a time."""
        end = self.cut(selection.until)
        if selection.limit is not None:
            yield from self._limited(selection, end, selection.limit)
            return
        bounds = [(p, min(end, p + self.window)) for p in range(selection.after, end, self.window)]
        with ThreadPoolExecutor(1, thread_name_prefix="history-read") as ahead:
            pending = ahead.submit(self._read, *bounds[0], selection) if bounds else None
            for index in range(len(bounds)):
                assert pending is not None
                rows = pending.result()
                following = index + 1 < len(bounds)
                pending = ahead.submit(self._read, *bounds[index + 1], selection) if following else None
                if rows:
                    yield rows

    def _limited(self, selection: Selection, end: int, limit: int) -> Iterator[list[tuple[Any, ...]]]:
        position, remaining = selection.after, limit
        while position < end and remaining > 0:
            upto = min(end, position + self.window)
            rows = self._read(position, upto, selection, remaining)
            if rows:
                yield rows
            remaining -= len(rows)
            position = upto

    def _read(self, after: int, upto: int, selection: Selection, limit: int | None = None) -> list[tuple[Any, ...]]:
        with self.pool.connection() as conn:
            return read_window(conn, self.log, after, upto, selection, limit)

    def events(self, selection: Selection) -> Iterator[HistoryEvent]:
        """The selected events in position order."""
        for rows in self.windows(selection):
            for row in rows:
                yield HistoryEvent(*row)

    def data(self, event: HistoryEvent, open_personal: bool) -> dict[str, Any]:
        data = self.decode(event.state)
        if not open_personal:
            return data
        data = open_fields(self.keys, data)
        for secret in SECRETS.intersection(data):
            del data[secret]
        return data

    def recorded_at(self, event: HistoryEvent) -> str:
        """The event's timestamp, as stored."""
        return self._stamp(event.state).decode()

    def _stamp(self, state: bytes) -> bytes:
        found = stamp_of(state) if self.stored_as_json else None
        return found if found is not None else str(self.decode(state)["timestamp"]).encode()

    def line(self, event: HistoryEvent, open_personal: bool) -> bytes:
        if self.stored_as_json and not open_personal:
            return self._sealed_line(event)
        data = self.data(event, open_personal)
        return orjson.dumps(
            {
                "position": event.position,
                "topic": event.topic,
                "aggregate_id": event.aggregate_id,
                "aggregate_type": event.aggregate_type,
                "aggregate_version": event.aggregate_version,
                "recorded_at": data.get("timestamp"),
                "data": data,
            },
            option=orjson.OPT_APPEND_NEWLINE,
        )

    def _names(self, topic: str) -> tuple[bytes, bytes]:
        """A topic's and its aggregate type's JSON, made once per topic."""
        names = self._topics.get(topic)
        if names is None:
            names = self._topics[topic] = (orjson.dumps(topic), orjson.dumps(aggregate_of(topic)))
        return names

    def _sealed_line(self, event: HistoryEvent) -> bytes:
        return self._sealed_lines([astuple(event)])

    def _sealed_lines(self, rows: list[tuple[Any, ...]]) -> bytes:
        """``line`` of each row, without decoding the events: the stored JSON and
        its timestamp spliced in (decoding and encoding was the whole cost of a
        stream). Rows as ``windows`` gives them."""
        lines = []
        for position, topic, aggregate_id, version, state in rows:
            names = self._topics.get(topic) or self._names(topic)
            stamp = stamp_of(state) or self._stamp(state)
            lines.append(
                b'{"position":%d,"topic":%s,"aggregate_id":"%s","aggregate_type":%s,"aggregate_version":%d,'
                b'"recorded_at":"%s","data":%s}\n'
                % (position, names[0], aggregate_id.encode(), names[1], version, stamp, state)
            )
        return b"".join(lines)

    def ndjson(self, selection: Selection, open_personal: bool, chunk_events: int = 500) -> Iterator[bytes]:
        """The selection as NDJSON, a chunk per window (sealed) or per ``chunk_events`` lines."""
        if self.stored_as_json and not open_personal:
            for rows in self.windows(selection):
                yield self._sealed_lines(rows)
            return
        lines: list[bytes] = []
        for event in self.events(selection):
            lines.append(self.line(event, open_personal))
            if len(lines) >= chunk_events:
                yield b"".join(lines)
                lines.clear()
        if lines:
            yield b"".join(lines)
