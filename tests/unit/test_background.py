"""The background writer: in order, bounded (a full queue runs the job in the
caller), a failing job logged and passed over; and which snapshots the store
hands it (none holding personal data)."""

from __future__ import annotations

import logging
import threading

from domain.kernel.store import Lorekeeper
from infra.background import BackgroundWriter


def test_jobs_run_in_order_and_settle_waits_for_them():
    writer = BackgroundWriter("test-writer")
    done: list[int] = []
    for i in range(50):
        writer.submit(lambda i=i: done.append(i))
    assert writer.settle(5) and done == list(range(50)) and writer.inline == 0


def test_a_full_queue_makes_the_caller_run_its_job_and_settle_is_bounded():
    writer = BackgroundWriter("test-writer", capacity=2)
    gate, ran = threading.Event(), []
    writer.submit(gate.wait)  # the writer is busy with this one
    for i in range(4):
        writer.submit(lambda i=i: ran.append(i))  # two wait, the rest run here
    assert writer.inline >= 1 and ran[: writer.inline] == list(range(4 - writer.inline, 4))
    assert not writer.settle(0.05)  # still held
    gate.set()
    assert writer.settle(5) and sorted(ran) == [0, 1, 2, 3]


def test_a_failing_job_is_logged_and_the_writer_goes_on(caplog):
    writer = BackgroundWriter("test-writer")
    done: list[str] = []
    with caplog.at_level(logging.ERROR, logger="infra.background"):
        writer.submit(lambda: 1 / 0)
        writer.submit(lambda: done.append("after"))
        assert writer.settle(5)
    assert done == ["after"] and "a background write failed" in caplog.text


def test_closing_finishes_what_is_queued_ends_the_thread_and_runs_later_jobs_inline():
    writer = BackgroundWriter("closing-writer")
    gate, done = threading.Event(), []
    writer.submit(gate.wait)
    for i in range(3):
        writer.submit(lambda i=i: done.append(i))
    threading.Timer(0.1, gate.set).start()
    assert writer.close(5)
    assert done == [0, 1, 2]  # queued before the close: written
    assert not any(t.name == "closing-writer" for t in threading.enumerate())
    writer.submit(lambda: done.append(3))  # after it: on the caller's thread, at once
    assert done == [0, 1, 2, 3] and writer.inline == 1
    assert writer.close(1)  # twice is harmless


def test_no_job_is_lost_to_a_close_racing_with_submitters():
    """A job handed over while the writer closes runs: queued before its end
    marker, or on the caller's thread after it; never behind the marker."""
    writer = BackgroundWriter("racing-writer")
    done: list[int] = []
    go = threading.Barrier(5)

    def submitter(base: int) -> None:
        go.wait()
        for i in range(2000):
            writer.submit(lambda n=base + i: done.append(n))

    threads = [threading.Thread(target=submitter, args=(k * 10_000,)) for k in range(4)]
    for thread in threads:
        thread.start()
    go.wait()
    assert writer.close(10)
    for thread in threads:
        thread.join(10)
    assert sorted(done) == sorted(k * 10_000 + i for k in range(4) for i in range(2000))


def test_closing_a_writer_that_never_started_starts_nothing():
    writer = BackgroundWriter("idle-writer")
    assert writer.close(1)
    writer.submit(lambda: None)
    assert not any(t.name == "idle-writer" for t in threading.enumerate()) and writer.inline == 1


def test_closing_is_bounded_when_the_queue_does_not_empty():
    writer = BackgroundWriter("stuck-writer")
    gate = threading.Event()
    writer.submit(gate.wait)
    assert not writer.close(0.05)  # held: it answers in time, and says so
    gate.set()


def test_the_store_hands_over_snapshots_without_personal_data_only(monkeypatch):
    from uuid import uuid4

    from domain.echoes.wallets import Wallet
    from tests.unit.echoes.test_use_cases import PERSISTENCE_ENV

    store = Lorekeeper(
        {**PERSISTENCE_ENV, "PERSISTENCE_MODULE": "eventsourcing.popo", "APPLICATION_RECORDER_TOPIC": ""},
        aggregates=[Wallet],
        snapshot_intervals={Wallet: 1},
    )
    handed: list = []
    store.snapshot_later = handed.append
    wallet = Wallet(character_id=uuid4(), owner=uuid4())
    store.write(wallet)
    assert list(store.snapshots.get(wallet.id)) == [] and len(handed) == 1  # handed over, not yet written
    handed.pop()()
    assert [s.originator_version for s in store.snapshots.get(wallet.id)] == [1]

    # A type that holds personal data (none set here, so nothing needs sealing) is written at once.
    monkeypatch.setattr(Wallet, "personal_state", {"nickname": None})
    personal = Wallet(character_id=uuid4(), owner=uuid4())
    store.write(personal)
    assert [s.originator_version for s in store.snapshots.get(personal.id)] == [1] and handed == []
