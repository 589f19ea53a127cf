"""How a consumer tells new messages from ones it has processed, whichever way
they come: the in-process feed claims no position one by one (its tracking row
says how far it has come), a Kafka member counts everything the feed did as
done and claims the rest, and the feed claims what a Kafka member may have
claimed before it. Each message is applied once across a switch either way."""

from __future__ import annotations

from infra.fanout.consumers import Consumer, feed_name
from infra.fanout.messages import Message, from_notification
from tests.support import app_of


class Counting(Consumer):
    """Applies nothing; remembers which positions it was handed as new."""

    name = "counting"

    def __init__(self) -> None:
        self.applied: list[int] = []

    def apply(self, conn, message: Message) -> None:
        self.applied.append(message.position)


def messages(container, after: int = 0) -> list[Message]:
    with container.pool.connection() as conn:
        head = container.event_log.head(conn)
        notifications = container.event_log.read(conn, after, head)
    return [from_notification(n, container.mapper.decode_state) for n in notifications]


def handle(container, consumer, batch, source="broker") -> list[int]:
    consumer.applied = []
    with container.pool.connection() as conn, conn.transaction():
        consumer.handle(conn, batch, source)
    return consumer.applied


def claims(container, name) -> list[int]:
    with container.pool.connection() as conn:
        rows = conn.execute(
            "SELECT position FROM lorekeeper_consumer_positions WHERE consumer = %s ORDER BY position", (name,)
        ).fetchall()
    return [r["position"] for r in rows]


def fed_through(container, consumer, position) -> None:
    """As the feed leaves it: its tracking row at ``position``, committed with its effects."""
    with container.pool.connection() as conn:
        conn.execute(
            "INSERT INTO lorekeeper_projections (name, position, schema_version) VALUES (%s, %s, 1) "
            "ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position",
            (feed_name(consumer.name), position),
        )


def test_the_feed_claims_no_position_and_a_kafka_member_skips_what_it_fed(container):
    app = app_of(container)
    for name in ("Ada", "Grace", "Linus"):
        app.accounts.create_player(name)
    consumer = Counting()
    consumer.setup(container.pool)
    log = messages(container)
    positions = [m.position for m in log]

    assert handle(container, consumer, log, "feed") == positions
    assert claims(container, "counting") == []  # no row per position
    fed_through(container, consumer, positions[-1])

    assert handle(container, consumer, log) == []  # the relay sends the whole log again: nothing is new
    app.accounts.create_player("Barbara")
    later = messages(container, positions[-1])
    assert handle(container, consumer, log + later) == [m.position for m in later]  # only what came after
    assert claims(container, "counting") == [m.position for m in later]


def test_the_feed_claims_what_a_kafka_member_may_have_claimed_before(container):
    app = app_of(container)
    for name in ("Ada", "Grace"):
        app.accounts.create_player(name)
    consumer = Counting()
    consumer.setup(container.pool)
    log = messages(container)
    half = len(log) // 2
    assert handle(container, consumer, log[:half]) == [m.position for m in log[:half]]  # a Kafka member, then none

    assert handle(container, consumer, log, "feed") == [m.position for m in log[half:]]
    assert handle(container, consumer, log, "feed") == [m.position for m in log[half:]]  # past the last claim: the
    # feed's own tracking row (not set by this test) is what stops it going round again


def test_a_dead_letter_retried_is_applied_though_the_feed_went_past_it(container):
    app = app_of(container)
    app.accounts.create_player("Ada")
    consumer = Counting()
    consumer.setup(container.pool)
    log = messages(container)
    fed_through(container, consumer, log[-1].position)  # the feed went on past a message it set aside

    assert handle(container, consumer, log[:1]) == []  # a Kafka member skips it: the dead letter is its record
    assert handle(container, consumer, log[:1], "retry") == [log[0].position]
    assert handle(container, consumer, log[:1], "retry") == []  # claimed: a second retry applies nothing
