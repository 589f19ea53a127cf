"""What a read model is made of: tables, and pure handlers that turn one event
and the current row into the next row.

Handlers never touch the database. The runner prefetches the rows a batch of
events will touch, applies every handler in memory, and writes the changed
rows back with its tracking position in one transaction. That keeps handlers
trivially unit-testable and makes a batch cost a few statements, not one per
event.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any
from uuid import UUID

from projections.row_security import policy_ddl

Row = dict[str, Any]
Key = tuple[Any, ...]


class _Delete:
    def __repr__(self) -> str:
        return "DELETE"


DELETE = _Delete()
"""Returned by a handler to remove the row."""


@dataclass(slots=True)
class Event:
    """A stored event as projections see it: position, identity, topic, JSON."""

    position: int
    originator_id: UUID
    originator_version: int
    topic: str
    data: dict[str, Any]

    @property
    def timestamp(self) -> datetime:
        return datetime.fromisoformat(self.data["timestamp"])


@dataclass(frozen=True)
class Owner:
    """Whose data a table's rows are: ``column`` holds the player's id
    (``via="player"``) or the id of an aggregate the player owns, such as a save
    slot (``via="aggregate"``). Export and erasure find a player's rows by it."""

    column: str
    via: str = "player"


_CONSTRAINTS = re.compile(
    r"\s+(NOT\s+NULL|NULL|CHECK|DEFAULT|PRIMARY|REFERENCES|UNIQUE|COLLATE|GENERATED|CONSTRAINT)\b.*$", re.I | re.S
)


@dataclass(frozen=True, eq=False)  # identity hash: tables key the runner's hot dicts
class Table:
    """A read table in its context's PostgreSQL schema. ``owner`` says whose
    rows they are; a table of shared game data (definitions) says ``owner=None``
    explicitly, so no table is left unclassified."""

    name: str
    schema: str
    columns: tuple[tuple[str, str], ...]
    key: tuple[str, ...]
    owner: Owner | None
    indexes: tuple[str, ...] = ()
    # Columns whose values no two rows share (as a seed asks: a pilot's name).
    # Checked at the end of each statement, not row by row (DEFERRABLE
    # INITIALLY IMMEDIATE), so that a window's upsert may hand a value from
    # one row to another; a real clash fails its statement, which the runner
    # narrows down to its event and dead-letters.
    unique: tuple[str, ...] = ()
    # A table PostgreSQL partitions by the hash of one column (the key must
    # include it), in this many partitions named ``<table>_p<i>`` beside it:
    # ``("world_id", 8)``. Rebuilds move the partitions with their table.
    partitioned: tuple[str, int] | None = None
    # Row-level security: the condition (SQL, ``{schema}`` for the table's own
    # schema) under which ``PLAYER_ROLE`` sees a row, given the player set on
    # the transaction (``current_setting('lorekeeper.player')``, see
    # ``PLAYER``). The owner (projectors, analysts) is not subject to it.
    player_rows: str | None = None

    @property
    def partitions(self) -> tuple[str, ...]:
        """The names of the table's partitions (none if it is not partitioned)."""
        return tuple(f"{self.name}_p{i}" for i in range(self.partitioned[1])) if self.partitioned else ()

    @property
    def qualified(self) -> str:
        """``schema.name``, for queries (identifiers are plain lower-case words)."""
        return f"{self.schema}.{self.name}"

    @cached_property  # the runner's hot loop asks for it per row
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)

    @cached_property
    def json_columns(self) -> frozenset[str]:
        return frozenset(name for name, kind in self.columns if kind.lower().startswith("jsonb"))

    @cached_property
    def checked_columns(self) -> tuple[str, ...]:
        """Columns that can receive a value PostgreSQL refuses (text, JSON,
        numbers, arrays); a uuid, timestamp or boolean column cannot."""
        safe = ("uuid", "timestamptz", "timestamp", "date", "boolean", "bool")
        return tuple(name for name, kind in self.columns if kind.split()[0].lower() not in safe)

    def column_type(self, name: str) -> str:
        """The column's type, without its constraints ("double precision", not "double")."""
        return _CONSTRAINTS.sub("", dict(self.columns)[name]).strip()

    def index_name(self, i: int, index: str) -> tuple[str, str]:
        """An index's name and expression: ``"idx_name (columns)"`` names it (as a
        seed does); a bare ``"(columns)"`` or ``"USING ..."`` is ``<table>_<i>_idx``."""
        if index.startswith(("(", "USING ")):
            return f"{self.name}_{i}_idx", index
        name, expr = index.split(" ", 1)
        return name, expr

    def ddl(self, schema: str | None = None) -> list[str]:
        """CREATE statements, in ``schema`` (a rebuild builds elsewhere first)."""
        schema = schema or self.schema
        cols = ", ".join(f"{name} {kind}" for name, kind in self.columns)
        cols += "".join(
            f", CONSTRAINT {self.name}_{c}_key UNIQUE ({c}) DEFERRABLE INITIALLY IMMEDIATE" for c in self.unique
        )
        create = f"CREATE TABLE IF NOT EXISTS {schema}.{self.name} ({cols}, PRIMARY KEY ({', '.join(self.key)}))"
        if self.partitioned:
            create += f" PARTITION BY HASH ({self.partitioned[0]})"
        statements = [create]
        statements += [
            f"CREATE TABLE IF NOT EXISTS {schema}.{part} PARTITION OF {schema}.{self.name} "
            f"FOR VALUES WITH (MODULUS {len(self.partitions)}, REMAINDER {i})"
            for i, part in enumerate(self.partitions)
        ]
        statements += [
            f"CREATE INDEX IF NOT EXISTS {name} ON {schema}.{self.name} {expr}"
            for name, expr in (self.index_name(i, index) for i, index in enumerate(self.indexes))
        ]
        if self.player_rows:
            statements += policy_ddl(schema, self.name, self.player_rows.format(schema=schema))
        return statements


def by_originator(event: Event) -> Key:
    return (event.originator_id,)


Apply = Callable[[Event, Row | None], "Row | _Delete | None"]


def updated(event: Event, row: Row, changes: Mapping[str, Any]) -> Row:
    """``row`` with ``changes``, its ``version`` and ``updated_at`` moved on where it has them."""
    new = {**row, **changes}
    if "version" in row:
        new["version"] = event.originator_version
    if "updated_at" in row:
        new["updated_at"] = event.timestamp
    return new


def touched(event: Event, row: Row | None) -> Row | None:
    """A handler for any other change of the row's aggregate: its ``version`` and ``updated_at`` move on."""
    return updated(event, row, {}) if row else None


def copy_fields(**columns: str) -> Apply:
    """A handler that copies event fields into columns (``column="field"``)."""

    def apply(event: Event, row: Row | None) -> Row | None:
        if row is None:
            return None
        return updated(event, row, {column: event.data[field] for column, field in columns.items()})

    return apply


def set_columns(**values: Any) -> Apply:
    """A handler that sets columns to fixed values (``column=value``)."""

    def apply(event: Event, row: Row | None) -> Row | None:
        return None if row is None else updated(event, row, values)

    return apply


def fresh(apply: Apply) -> Apply:
    """Marks a handler whose row is made from its event alone (a new row: an
    order placed, a journal entry): the runner prefetches no row for it, since
    it would not read it (on a busy market, a SELECT per new row for nothing)."""
    apply.fresh = True  # type: ignore[attr-defined]
    return apply


@dataclass(frozen=True)
class Handler:
    """Applies one topic to one table: ``apply(event, row) -> new row | DELETE | None``.

    ``row`` is the current row (or None); returning None leaves the row as it was.
    """

    table: Table
    apply: Apply
    key: Callable[[Event], Key] = by_originator

    @property
    def reads_row(self) -> bool:
        """False for a ``fresh`` handler: its row is not prefetched."""
        return not getattr(self.apply, "fresh", False)


@dataclass(frozen=True)
class Statement:
    """A set-based change one event makes to many rows (what a keyed handler
    cannot: every row of a player). ``sql`` names its table ``{table}`` and
    takes ``params(event)`` (a dict or list goes as JSON). Statements run after the rows of their window are
    written, so they see every earlier event's rows; in-memory replays
    (``engine.replay``) leave them out."""

    table: Table
    sql: str
    params: Callable[[Event], tuple[Any, ...]]


def erase_columns(table: Table, values: Mapping[str, Any], owner: str, where: str = "TRUE") -> Statement:
    """At a player's erasure: overwrite ``values`` in every row of ``table``
    whose ``owner`` column is the player's id (and ``where`` holds)."""
    sets = ", ".join(f"{column} = %s" for column in values)
    return Statement(
        table,
        f"UPDATE {{table}} SET {sets} WHERE {owner} = %s AND ({where})",
        lambda event: (*values.values(), event.originator_id),
    )


@dataclass(frozen=True)
class Projection:
    """Tables, and the handlers that keep them, built and tracked together.

    ``replaces`` names tables (``schema.table``) an earlier version kept
    elsewhere: a rebuild drops them once these have caught up (the move of the
    read tables out of ``public`` into each context's schema)."""

    name: str
    schema_version: int
    tables: tuple[Table, ...]
    handlers: Mapping[str, Sequence[Handler]] = field(default_factory=dict)
    replaces: tuple[str, ...] = ()
    statements: Mapping[str, Sequence[Statement]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        schemas = {t.schema for t in self.tables}
        if len(schemas) != 1:
            raise ValueError(f"projection {self.name}: its tables span schemas {schemas}")
        written = [h.table for hs in self.handlers.values() for h in hs]
        written += [s.table for ss in self.statements.values() for s in ss]
        foreign = {t.name for t in written} - {t.name for t in self.tables}
        if foreign:
            raise ValueError(f"projection {self.name}: handlers write tables it does not declare: {foreign}")

    @property
    def schema(self) -> str:
        return self.tables[0].schema

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*self.handlers, *self.statements]))


@dataclass(frozen=True)
class View:
    """A view a context offers over read tables (its own or another context's),
    created once they exist (``ddl.create_views``); a rebuild that replaces a
    table it reads recreates it."""

    name: str
    schema: str
    sql: str  # the SELECT

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class ReadModel:
    """A bounded context's read side, declared once in its package's ``__init__``:
    its schema, its projections, the tables a consumer fills (``consumer_tables``),
    and the topics of its aggregates it deliberately does not project."""

    context: str
    schema: str
    projections: tuple[Projection, ...]
    consumer_tables: tuple[Table, ...] = ()
    unprojected: frozenset[str] = frozenset()
    views: tuple[View, ...] = ()

    def __post_init__(self) -> None:
        stray = {t.qualified for t in self.tables if t.schema != self.schema}
        stray |= {v.qualified for v in self.views if v.schema != self.schema}
        if stray:
            raise ValueError(f"{self.context}: tables outside its schema {self.schema}: {stray}")

    @property
    def tables(self) -> tuple[Table, ...]:
        return tuple(t for p in self.projections for t in p.tables) + self.consumer_tables
