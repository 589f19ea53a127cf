"""Commands on one hot aggregate, combined: those that queue behind the one
deciding are decided in turn on the same state and saved in one write; a
refusal among them costs only its own command."""

from __future__ import annotations

import threading
import time

from domain.echoes.orders import BUY, SELL, book_id
from domain.echoes.wallets import InsufficientFunds
from domain.kernel.combining import MAX_BATCH
from tests.unit.echoes.test_use_cases import DAY, MODULE, NOW, STATION, balance, held, market


def queued(store, key) -> int:
    queue = store.combiner._queues.get(key)
    return len(queue.waiting) if queue else 0


def place_together(store, echoes, orders):
    """Every order queued behind a held turn, then let go: one batch."""
    key = book_id(STATION, MODULE)
    results: dict[int, object] = {}

    def place(i, pilot, side, price, quantity):
        try:
            results[i] = echoes.place_order(pilot, STATION, MODULE, side, price, quantity, DAY, NOW)
        except Exception as error:
            results[i] = error

    threads = [threading.Thread(target=place, args=(i, *o)) for i, o in enumerate(orders)]
    with store.turn(key):
        for t in threads:
            t.start()
        deadline = time.monotonic() + 10
        while queued(store, key) < len(orders) and time.monotonic() < deadline:
            time.sleep(0.001)
    for t in threads:
        t.join(10)
    return [results[i] for i in range(len(orders))]


def test_orders_queued_together_are_one_write_and_match_each_other_in_arrival_order():
    store, echoes, ada, bob = market()
    before = store.recorder.max_notification_id()
    orders = [(bob, SELL, 100, 2)] * 5 + [(ada, BUY, 100, 3)]
    results = place_together(store, echoes, orders)
    positions = {r.position for r in results}
    assert len(positions) == 1 and echoes.store.combiner.batches >= 1
    (position,) = positions
    assert position == store.recorder.max_notification_id() > before
    book = results[-1].aggregate
    assert book.depth(SELL) == [(100, 7, 4)] and not book.depth(BUY)
    assert held(store, bob) == 50 - 10 and held(store, ada) == 3


def test_a_refused_order_among_others_costs_only_itself():
    store, echoes, ada, bob = market()
    orders = [(bob, SELL, 100, 2), (ada, BUY, 10**6, 10**6), (bob, SELL, 101, 1)]
    results = place_together(store, echoes, orders)
    assert isinstance(results[1], InsufficientFunds)
    assert results[0].aggregate.depth(SELL)[0][:2] == (100, 2) and results[2].position > results[0].position
    assert balance(store, ada) == 100_000  # nothing of the refused order was written


def test_a_batch_is_bounded():
    store, echoes, _, bob = market()
    results = place_together(store, echoes, [(bob, SELL, 100 + i, 1) for i in range(MAX_BATCH + 3)])
    assert len({r.position for r in results}) >= 2


def test_a_batch_counts_its_commands_and_leaves_no_queue_behind():
    store, echoes, _ada, bob = market()
    combiner = store.combiner
    batches, commands = combiner.batches, combiner.commands
    place_together(store, echoes, [(bob, SELL, 100 + i, 1) for i in range(5)])
    assert combiner.commands - commands == 5 and combiner.batches - batches == 1
    assert combiner._queues == {}


def test_a_command_that_must_write_alone_is_never_combined():
    store, echoes, _ada, bob = market()
    store.alone = lambda: True  # as inside an idempotent request's unit of work
    key = book_id(STATION, MODULE)
    results = []
    threads = [
        threading.Thread(
            target=lambda p=p: results.append(echoes.place_order(p, STATION, MODULE, SELL, 100, 1, DAY, NOW))
        )
        for p in (bob, bob, bob)
    ]
    with store.turn(key):
        for t in threads:
            t.start()
        time.sleep(0.05)
        assert queued(store, key) == 0  # not queued for a batch: each waits for its own turn
    for t in threads:
        t.join(10)
    assert len({r.position for r in results}) == 3 and store.combiner._queues == {}
