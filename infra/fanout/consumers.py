"""Consumers of the fanned-out events. Each records the positions it has
processed in the same transaction as its effects, so a redelivered message
changes nothing; client telemetry (which has no position) is deduplicated by
its event id.

Fed from the event store (no broker), a consumer claims no position one by
one: the feed hands over the log in order, each position once, and its own
tracking row commits with the consumer's effects, so what it has done is
every position up to that row's. A Kafka member counts those as done too
(a deployment that adds a broker later gets the whole log again from the
relay), and the feed claims a position only where a Kafka member may have
claimed it before (up to the highest claim). A row per position per event
was a fifth of the rows a busy market wrote.

The same ``handle`` runs behind a Kafka consumer group (``lorekeeper consume``)
or, with no broker configured, fed straight from the event store in-process.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal
from uuid import UUID

from infra.fanout.messages import Message
from projections import dead_letters
from projections.db import Conn, Pool
from projections.ddl import create_tables, lock_ddl, move_table
from projections.model import Table
from projections.tracking import TRACKING_TABLE

POSITIONS_DDL = """
CREATE TABLE IF NOT EXISTS lorekeeper_consumer_positions (
    consumer text NOT NULL,
    position bigint NOT NULL,
    PRIMARY KEY (consumer, position)
)"""

# Where messages come from, for how a consumer tells which are new (see above):
# a Kafka member, the in-process feed, or a retried dead letter (claimed as one).
Source = Literal["broker", "feed", "retry"]


def feed_name(consumer: str) -> str:
    """The tracking name of a consumer's in-process feed (``infra/fanout/feed.py``)."""
    return f"feed:{consumer}"


class Consumer:
    name: str = ""
    group_id: str = ""
    pattern: str = ""  # Kafka topic subscription (regular expression)
    ddl: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()  # read tables it fills (moved from public by earlier layouts)

    def accepts(self, event_topic: str) -> bool:
        """Which stored events the in-process feed hands to this consumer."""
        return True

    def setup(self, pool: Pool) -> None:
        with pool.connection() as conn, conn.transaction():
            lock_ddl(conn)
            conn.execute(POSITIONS_DDL)
            for table in self.tables:
                move_table(conn, table, "public")
            create_tables(conn, self.tables)
            for statement in self.ddl:
                conn.execute(statement)

    def handle(
        self, conn: Conn, messages: list[Message], source: Source = "broker"
    ) -> tuple[int, list[dict[str, Any]]]:
        """Apply new messages inside the caller's transaction: (how many were
        new, the failures of those that could not be applied, as
        ``dead_letters.record`` takes them). One message that cannot be applied
        is set aside alone (``dead_letters.isolate``); the others are applied."""
        applied = 0
        failures: list[dict[str, Any]] = []

        def apply(batch: Sequence[Message]) -> None:
            nonlocal applied
            new = self._new(conn, list(batch), source)
            self.apply_all(conn, new)
            applied += len(new)

        dead_letters.isolate(conn, messages, apply, lambda m, error: failures.append(failure_of(m, error)))
        return applied, failures

    def _new(self, conn: Conn, messages: list[Message], source: Source) -> list[Message]:
        """The messages not processed before: positions are claimed in one statement."""
        positions = [m.position for m in messages if m.position is not None]
        fresh: set[int] = set()
        if positions:
            done_through, claim = self._unclaimed(conn, source)
            fresh = {p for p in positions if p > done_through and not claim(p)}
            claimed = [p for p in positions if p > done_through and claim(p)]
            if claimed:
                rows = conn.execute(
                    "INSERT INTO lorekeeper_consumer_positions (consumer, position) "
                    "SELECT %s, p FROM unnest(%s::bigint[]) AS p ON CONFLICT DO NOTHING RETURNING position",
                    (self.name, claimed),
                ).fetchall()
                fresh |= {r["position"] for r in rows}
        new = []
        for message in messages:
            if message.position is None:
                new.append(message)
            elif message.position in fresh:
                fresh.discard(message.position)  # a re-sent copy in the same batch is skipped too
                new.append(message)
        return new

    def _unclaimed(self, conn: Conn, source: Source) -> tuple[int, Any]:
        """(every position up to this one is done; which later ones must be claimed)."""
        if source == "retry":
            return 0, lambda _: True
        if source == "feed":
            row = conn.execute(
                "SELECT max(position) AS claimed FROM lorekeeper_consumer_positions WHERE consumer = %s", (self.name,)
            ).fetchone()
            highest = row["claimed"] if row is not None and row["claimed"] is not None else 0
            return 0, lambda p: p <= highest
        row = conn.execute(
            f"SELECT position FROM public.{TRACKING_TABLE} WHERE name = %s", (feed_name(self.name),)
        ).fetchone()
        return (row["position"] if row is not None else 0), lambda _: True

    def apply_all(self, conn: Conn, messages: list[Message]) -> None:
        """Apply messages in order; consumers override this to work set-wise."""
        for message in messages:
            self.apply(conn, message)

    def apply(self, conn: Conn, message: Message) -> None:
        raise NotImplementedError


def failure_of(message: Message, error: BaseException) -> dict[str, Any]:
    """A message a consumer could not apply, as ``dead_letters.record`` takes it
    (with its bytes: a client event exists nowhere else)."""
    try:
        originator: UUID | None = UUID(message.key.decode()) if message.key else None
    except ValueError:
        originator = None
    return {
        "position": message.position,
        "topic": message.event_type or message.topic,
        "originator_id": originator,
        "error": error,
        "ref": str(message.position)
        if message.position is not None
        else f"{message.topic}/{message.headers.get('ce_id')}",
        "message": message.value,
        "headers": {**message.headers, TOPIC_HEADER: message.topic},
    }


TOPIC_HEADER = "x-lorekeeper-topic"  # where a dead letter keeps the topic its message came on


def retry_dead_letters(consumer: Consumer, pool: Pool, reader: str) -> tuple[int, int]:
    """Apply a consumer's dead-lettered messages again (they keep their bytes);
    (how many applied, how many still fail)."""
    applied = failed = 0
    with pool.connection() as conn:
        for letter in dead_letters.listed(conn, reader):
            if letter.message is None or letter.headers is None:
                continue
            headers = {k: v for k, v in letter.headers.items() if k != TOPIC_HEADER}
            message = Message(letter.headers.get(TOPIC_HEADER, letter.topic), None, letter.message, headers)
            with conn.transaction():
                failures = consumer.handle(conn, [message], "retry")[1]
                for failure in failures:
                    dead_letters.record(conn, reader, **failure)
                if not failures:
                    dead_letters.remove(conn, reader, letter.ref)
            applied += not failures
            failed += bool(failures)
    return applied, failed
