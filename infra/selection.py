"""Which events an analyst asks for (``Selection``), how the text of a
request becomes one (topic globs, positions, ISO times), and the queries on
the notification log that answer it: a window of positions, the position of
a time, an event's timestamp read without parsing the event.

Times become positions through the events' own timestamps (``position_at``):
the log is in commit order and each event is stamped just before its commit,
so timestamps follow positions to within one commit (milliseconds); the cut
for a time is the last position whose event was stamped at or before it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from psycopg import sql
from psycopg.rows import tuple_row

from projections.db import Conn
from projections.tracking import EventLog

GLOBS_MAX = 32
_GLOB = re.compile(r"^[A-Za-z0-9_.*?-]{1,200}$")


class BadSelection(ValueError):
    """A selection the log cannot answer (a malformed glob, a time without a date)."""


@dataclass(frozen=True)
class Selection:
    """Which events: positions in ``(after, until]``, topics matching any glob,
    one aggregate, at most ``limit`` of them."""

    after: int = 0
    until: int | datetime | None = None  # a position, or a time (see position_at)
    topics: tuple[str, ...] = ()
    aggregate_id: UUID | None = None
    limit: int | None = None


def parse_globs(text: str | None) -> tuple[str, ...]:
    """``"lorekeeper.save_slot.*,lorekeeper.player.Created"`` -> the globs."""
    if text is None or not text.strip():
        return ()
    globs = tuple(g.strip() for g in text.split(",") if g.strip())
    if len(globs) > GLOBS_MAX:
        raise BadSelection(f"at most {GLOBS_MAX} topic globs, not {len(globs)}")
    for glob in globs:
        if not _GLOB.match(glob):
            raise BadSelection(f"a topic glob is letters, digits, '_', '.', '-', '*' and '?', not {glob!r}")
    return globs


def like_pattern(glob: str) -> str:
    """A topic glob as a SQL LIKE pattern (``*`` any run, ``?`` one character)."""
    escaped = glob.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%").replace("?", "_")


def parse_time(text: str) -> datetime:
    """An ISO 8601 time; without a zone it is UTC."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise BadSelection(f"not an ISO 8601 time: {text!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def parse_cut(text: str) -> int | datetime:
    """``until``: a position (digits) or an ISO time."""
    text = text.strip()
    if text.isascii() and text.isdigit():
        if len(text) > 18:
            raise BadSelection(f"a position has at most 18 digits, not {len(text)}")
        return int(text)
    return parse_time(text)


def timestamp_of(data: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(data["timestamp"])


_STAMP = b'"timestamp":"'


def stamp_of(state: bytes) -> bytes | None:
    """The top-level ``timestamp`` of an event's stored JSON, without parsing it.
    Hand-written for speed (a full parse is most of an export's cost): every
    event serialises ``originator_id``, ``originator_version`` and then
    ``timestamp`` first (``DomainEvent``'s own fields lead), and neither of the
    first two can hold the key, so its first occurrence is the top-level one."""
    start = state.find(_STAMP, 0, 200)
    if start < 0:
        return None
    start += len(_STAMP)
    end = state.find(b'"', start)
    return state[start:end] if end > start else None


def where(after: int, upto: int, selection: Selection) -> tuple[sql.Composable, list[Any]]:
    """The SQL condition (and its parameters) of a selection's positions in ``(after, upto]``."""
    conditions = [sql.SQL("notification_id > %s AND notification_id <= %s")]
    params: list[Any] = [after, upto]
    if selection.topics:
        conditions.append(sql.SQL("topic LIKE ANY(%s)"))
        params.append([like_pattern(g) for g in selection.topics])
    if selection.aggregate_id is not None:
        conditions.append(sql.SQL("originator_id = %s"))
        params.append(selection.aggregate_id)
    return sql.SQL(" AND ").join(conditions), params


def read_window(
    conn: Conn, log: EventLog, after: int, upto: int, selection: Selection, limit: int | None = None
) -> list[tuple[Any, ...]]:
    """The selected events with positions in ``(after, upto]``, as ``windows`` gives them."""
    condition, params = where(after, upto, selection)
    query = sql.SQL(
        "SELECT notification_id, topic, originator_id::text, originator_version, state FROM {} "
        "WHERE {} ORDER BY notification_id{}"
    ).format(log.table, condition, sql.SQL(" LIMIT %s") if limit is not None else sql.SQL(""))
    if limit is not None:
        params.append(limit)
    with conn.cursor(row_factory=tuple_row) as cursor:
        return cursor.execute(query, params).fetchall()


def position_at(conn: Conn, log: EventLog, decode: Callable[[bytes], dict[str, Any]], when: datetime, head: int) -> int:
    """The last position whose event was stamped at or before ``when`` (0: none),
    by bisection over positions: some twenty one-row reads whatever the log's length."""
    low, high = 0, head  # every event at or below low is at or before when; every one above high, after
    query = sql.SQL(
        "SELECT notification_id AS id, state FROM {} WHERE notification_id >= %s AND notification_id <= %s "
        "ORDER BY notification_id LIMIT 1"
    ).format(log.table)
    while low < high:
        middle = (low + high + 1) // 2
        row = conn.execute(query, (middle, high)).fetchone()
        if row is None:  # no event in [middle, high]: a gap left by rolled-back writes
            high = middle - 1
        elif timestamp_of(decode(row["state"])) <= when:
            low = row["id"]
        else:
            high = middle - 1
    return low
