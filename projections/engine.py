"""Applying a window of events to a projection's rows, in memory and pure.

The runner prefetches the rows a window touches, hands them here, and writes
back what changed. Two rules make the result independent of where batches
begin and end, which is what a rebuild, a catch-up and a live follower each
cut differently:

- a row deleted earlier in the window reads as absent (``None``) to later
  handlers, exactly as it would after a commit (the ``DELETE`` sentinel is the
  runner's note to delete, never a row a handler sees);
- an event applies all its handlers or none: if one raises, or produces a row
  PostgreSQL could not store, the event is set aside as a failure (the runner
  dead-letters it) and no table keeps any part of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from domain.kernel import values
from domain.kernel.values import UnstorableValue
from projections.model import DELETE, Event, Handler, Key, Projection, Row, Table, _Delete

Rows = dict[Key, Row | _Delete]


@dataclass
class Applied:
    """What a window did: the rows it changed per table, and the events it could not apply."""

    changed: dict[Table, Rows] = field(default_factory=dict)
    failures: list[tuple[Event, BaseException]] = field(default_factory=list)


Step = tuple[Event, Handler, Key | None]


def plan(projection: Projection, events: Sequence[Event]) -> list[Step]:
    """Every (event, handler, key) of the window, in order; a key that cannot be
    computed makes its event a failure later, not an exception now."""
    return [(e, h, _key(h, e)) for e in events for h in projection.handlers.get(e.topic, ())]


def touched(steps: Iterable[Step]) -> dict[Table, set[Key]]:
    """The keys each table must prefetch: those a handler reads the row of
    (a ``fresh`` handler's row comes from its event alone, and a later handler
    of the same window reads the row it made, in memory)."""
    keys: dict[Table, set[Key]] = {}
    for _, handler, key in steps:
        if key is not None and handler.reads_row:
            keys.setdefault(handler.table, set()).add(key)
    return keys


def apply(steps: Sequence[Step], rows: Mapping[Table, Mapping[Key, Row | _Delete]]) -> Applied:
    """Apply the planned steps to ``rows`` (the prefetched current rows; absent
    keys are absent rows). Returns the rows that changed."""
    current: dict[Table, Rows] = {table: dict(found) for table, found in rows.items()}
    changed: dict[Table, Rows] = {}
    failures: list[tuple[Event, BaseException]] = []
    count = len(steps)
    index = 0
    while index < count:
        event = steps[index][0]
        end = index + 1
        while end < count and steps[end][0] is event:
            end += 1
        # An event's results are staged, and kept only if all its handlers succeed.
        staged: list[tuple[Table, Key, Row | _Delete]] = []
        try:
            for _, handler, key in steps[index:end]:
                if key is None:
                    raise KeyError(f"{handler.table.qualified}: no key for {event.topic}")
                table = handler.table
                before = next((r for t, k, r in reversed(staged) if t is table and k == key), None) if staged else None
                if before is None:
                    before = current.setdefault(table, {}).get(key)
                prior = before if isinstance(before, dict) else None
                result = handler.apply(event, prior)
                if isinstance(result, dict):
                    check_row(table, result, prior)
                if result is not None:
                    staged.append((table, key, result))
        except Exception as error:  # a poison event: none of its effects are kept
            failures.append((event, error))
        else:
            for table, key, result in staged:
                current[table][key] = result
                changed.setdefault(table, {})[key] = result
        index = end
    return Applied(changed, failures)


def _key(handler: Handler, event: Event) -> Key | None:
    try:
        return handler.key(event)
    except Exception:
        return None


def check_row(table: Table, row: Row, before: Row | None = None) -> None:
    """Refuse, before any SQL, a row PostgreSQL could not store. What is the very
    object the row before held, a column or a value inside one, is not walked
    again: it was checked (or read from PostgreSQL) already, so a rewrite of one
    column, or of a few keys of a large one, stays cheap."""
    for name in table.checked_columns:
        value = row.get(name)
        prior = None if before is None else before.get(name)
        if value is prior:
            continue  # the very object the row before held, checked already (or None: nothing to check)
        reason = values.problem_since(value, prior)  # all of it walked when there was no dict before
        if reason is not None:
            raise UnstorableValue(f"{table.qualified}.{name}: {reason}")


def replay(
    projection: Projection, events: Sequence[Event], batch_sizes: Callable[[int], int] | None = None
) -> tuple[dict[Table, dict[Key, Row]], list[int]]:
    """The tables (and the positions of failed events) after applying ``events``
    in batches (``batch_sizes(i)`` is the size of the i-th; all at once
    without it), on an in-memory database: what the runner does, minus SQL."""
    database: dict[Table, dict[Key, Row]] = {table: {} for table in projection.tables}
    failed: list[int] = []
    start, batch = 0, 0
    while start < len(events):
        size = max(1, batch_sizes(batch)) if batch_sizes else len(events)
        window = events[start : start + size]
        steps = plan(projection, window)
        prefetched = {t: {k: database[t][k] for k in keys if k in database[t]} for t, keys in touched(steps).items()}
        applied = apply(steps, prefetched)
        for table, rows in applied.changed.items():
            for key, row in rows.items():
                if row is DELETE:
                    database[table].pop(key, None)
                else:
                    database[table][key] = row  # type: ignore[assignment]
        failed += [event.position for event, _ in applied.failures]
        start += size
        batch += 1
    return database, failed
