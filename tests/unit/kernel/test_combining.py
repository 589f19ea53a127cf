"""Commands on one hot aggregate, combined: those that queue behind the one
deciding are decided in turn on the same state and saved in one write; a
refusal among them costs only its own command."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from domain.echoes.access import Actor
from domain.echoes.orders import BUY, SELL, book_id
from domain.echoes.wallets import InsufficientFunds
from domain.kernel import combining
from domain.kernel.combining import MAX_BATCH
from domain.kernel.errors import PermissionDenied
from domain.kernel.waking import wake
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


# -- from an event loop (``run_async``): no thread waits per command ---------------------------


def held_elsewhere(store, key) -> threading.Event:
    """Another thread holds ``key``'s turn until the returned event is set."""
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with store.turn(key):
            held.set()
            release.wait(10)

    threading.Thread(target=hold, daemon=True).start()
    held.wait(10)
    return release


def place_together_async(store, echoes, orders):
    """Every order sent from one event loop while another thread holds the book's
    turn, then let go: the queue's one drainer decides them; their results, in order."""
    key = book_id(STATION, MODULE)
    release = held_elsewhere(store, key)

    async def send():
        placed = [
            asyncio.ensure_future(echoes.placing(pilot, STATION, MODULE, side, price, quantity, DAY, NOW).run_async())
            for pilot, side, price, quantity in orders
        ]
        while queued(store, key) < len(orders):
            await asyncio.sleep(0.001)
        release.set()
        return await asyncio.gather(*placed, return_exceptions=True)

    try:
        return asyncio.run(asyncio.wait_for(send(), 10))
    finally:
        release.set()


def test_orders_from_a_loop_are_decided_together_by_one_drainer():
    store, echoes, ada, bob = market()
    combiner = store.combiner
    batches = combiner.batches
    threads_before = threading.active_count()
    results = place_together_async(store, echoes, [(bob, SELL, 100, 2)] * 5 + [(ada, BUY, 100, 3)])
    assert combiner.batches - batches == 1 and len({r.position for r in results}) == 1
    assert results[-1].aggregate.depth(SELL) == [(100, 7, 4)]
    assert held(store, bob) == 50 - 10 and held(store, ada) == 3
    assert combiner._queues == {}
    assert threading.active_count() <= threads_before + 1  # the loop's executor: one worker, not one per order


def test_a_failed_check_refuses_its_command_alone_and_the_batch_still_goes_as_one():
    store, echoes, ada, bob = market()
    impostor = Actor(bob.character_id, ada.owner)  # ada claiming bob's pilot
    combiner = store.combiner
    batches = combiner.batches
    results = place_together_async(store, echoes, [(bob, SELL, 100, 2), (impostor, SELL, 100, 1), (ada, BUY, 100, 2)])
    assert isinstance(results[1], PermissionDenied)
    assert combiner.batches - batches == 1 and results[0].position == results[2].position
    assert held(store, ada) == 2 and held(store, bob) == 50 - 2


def test_a_refusal_from_a_loop_costs_only_its_own_command():
    store, echoes, ada, bob = market()
    results = place_together_async(store, echoes, [(bob, SELL, 100, 2), (ada, BUY, 10**6, 10**6), (bob, SELL, 101, 1)])
    assert isinstance(results[1], InsufficientFunds)
    assert results[2].position > results[0].position and balance(store, ada) == 100_000


def test_commands_from_threads_and_from_a_loop_share_one_queue():
    store, echoes, ada, bob = market()
    key = book_id(STATION, MODULE)
    from_threads: list[object] = []

    async def both():
        with store.turn(key):  # the loop's thread holds the turn: the drainer and the threads queue
            sent = [
                asyncio.ensure_future(echoes.placing(bob, STATION, MODULE, SELL, 100, 1, DAY, NOW).run_async())
                for _ in range(3)
            ]
            threads = [
                threading.Thread(
                    target=lambda: from_threads.append(echoes.place_order(ada, STATION, MODULE, BUY, 100, 1, DAY, NOW))
                )
                for _ in range(3)
            ]
            for t in threads:
                t.start()
            while queued(store, key) < 6:
                await asyncio.sleep(0.001)
        results = await asyncio.gather(*sent)
        for t in threads:
            t.join(10)
        return results

    from_loop = asyncio.run(asyncio.wait_for(both(), 10))
    assert len(from_loop) == 3 and len(from_threads) == 3
    assert held(store, ada) == 3 and held(store, bob) == 50 - 3
    assert store.combiner._queues == {}


def test_a_waiter_that_went_away_does_not_stop_the_others():
    store, echoes, _ada, bob = market()
    key = book_id(STATION, MODULE)

    async def go():
        with store.turn(key):
            gone = asyncio.ensure_future(echoes.placing(bob, STATION, MODULE, SELL, 100, 1, DAY, NOW).run_async())
            kept = asyncio.ensure_future(echoes.placing(bob, STATION, MODULE, SELL, 101, 1, DAY, NOW).run_async())
            while queued(store, key) < 2:
                await asyncio.sleep(0.001)
            gone.cancel()
        return await kept

    written = asyncio.run(asyncio.wait_for(go(), 10))
    assert written.aggregate.depth(SELL) == [(100, 1, 1), (101, 1, 1)]  # decided all the same: it was queued


def test_a_coroutine_waits_a_bounded_time(monkeypatch):
    store, echoes, _ada, bob = market()
    monkeypatch.setattr(combining, "WAIT_SECONDS", 0.05)
    release = held_elsewhere(store, book_id(STATION, MODULE))

    async def go():
        with pytest.raises(TimeoutError, match="may still be"):
            await echoes.placing(bob, STATION, MODULE, SELL, 100, 1, DAY, NOW).run_async()
        release.set()  # the turn comes: the order is decided after all, its waiter long gone

    try:
        asyncio.run(asyncio.wait_for(go(), 10))
    finally:
        release.set()
    assert store.combiner._queues == {} and held(store, bob) == 50 - 1


def test_counters_start_at_zero_and_count_every_write():
    store, echoes, ada, bob = market()
    fresh = combining.Combiner(store)
    assert (fresh.batches, fresh.commands) == (0, 0)
    combiner = store.combiner
    batches, commands = combiner.batches, combiner.commands
    echoes.place_order(bob, STATION, MODULE, SELL, 100, 1, DAY, NOW)
    echoes.place_order(ada, STATION, MODULE, BUY, 90, 1, DAY, NOW)
    assert (combiner.batches - batches, combiner.commands - commands) == (2, 2)


def test_a_refusal_in_a_batch_of_two_costs_only_itself():
    store, echoes, ada, bob = market()
    refused, placed = place_together(store, echoes, [(ada, BUY, 10**6, 10**6), (bob, SELL, 100, 2)])
    assert isinstance(refused, InsufficientFunds)
    assert placed.aggregate.depth(SELL) == [(100, 2, 1)] and held(store, bob) == 50 - 2


def test_a_queue_sends_one_drainer_however_many_commands_join_it(monkeypatch):
    store, echoes, _ada, bob = market()
    combiner = store.combiner
    drains: list[object] = []
    drain = combiner._drain

    def counted(key, queue):
        drains.append(key)
        drain(key, queue)

    monkeypatch.setattr(combiner, "_drain", counted)
    results = place_together_async(store, echoes, [(bob, SELL, 100 + i, 1) for i in range(5)])
    assert len({r.position for r in results}) == 1 and drains == [book_id(STATION, MODULE)]


def test_results_for_a_loop_that_closed_are_dropped_with_a_warning(caplog):
    loop = asyncio.new_event_loop()
    commands = [combining._Command(lambda batch: None, future=loop.create_future()) for _ in range(2)]
    loop.close()
    with caplog.at_level("WARNING", logger="domain.kernel.waking"):
        wake(commands, "combined commands")
    assert [r.getMessage() for r in caplog.records] == ["2 combined commands finished after their event loop closed"]


def test_each_book_has_its_own_queue_and_its_own_writes():
    store, echoes, _ada, bob = market()
    other = MODULE + 1  # another module's book at the same station
    keys = [book_id(STATION, MODULE), book_id(STATION, other)]
    results: dict[tuple[int, int], object] = {}

    def place(module, i):
        results[(module, i)] = echoes.place_order(bob, STATION, module, BUY, 10 + i, 1, DAY, NOW)

    threads = [threading.Thread(target=place, args=(m, i)) for m in (MODULE, other) for i in range(2)]
    with store.turn(keys[0]), store.turn(keys[1]):
        for t in threads:
            t.start()
        deadline = time.monotonic() + 10
        while sum(queued(store, k) for k in keys) < 4 and time.monotonic() < deadline:
            time.sleep(0.001)
    for t in threads:
        t.join(10)
    first = {results[(MODULE, i)].position for i in range(2)}
    second = {results[(other, i)].position for i in range(2)}
    assert len(first) == len(second) == 1 and first != second
