"""The group committer on its own, with a commit function that records what it
was given: batches, per-item failure, key ordering, and both ways in (a
blocked thread, an awaiting coroutine)."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from infra.group_commit import CommitterClosed, CommitTimeout, GroupCommitter


class Ledger:
    """A commit function: all-or-nothing, refuses items named "bad", can be held."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.hold = threading.Event()
        self.hold.set()

    def __call__(self, items: list[str]) -> list[str]:
        assert self.hold.wait(10)
        if "bad" in items:
            raise ValueError("bad item")
        self.batches.append(list(items))
        return [item.upper() for item in items]


def test_coroutines_share_batches_and_each_gets_its_own_result():
    ledger = Ledger()
    committer: GroupCommitter[str, str] = GroupCommitter(ledger)

    async def main() -> list[str]:
        ledger.hold.clear()  # the first commit waits, so the rest queue up behind it
        first = asyncio.ensure_future(committer.submit_async("first"))
        await asyncio.sleep(0.05)
        rest = [asyncio.ensure_future(committer.submit_async(f"a{i}")) for i in range(50)]
        await asyncio.sleep(0.05)
        ledger.hold.set()
        return await asyncio.gather(first, *rest)

    results = asyncio.run(main())
    assert results == ["FIRST"] + [f"A{i}" for i in range(50)]
    assert ledger.batches[0] == ["first"]
    assert ledger.batches[1] == [f"a{i}" for i in range(50)]  # one shared commit, in arrival order


def test_a_failing_item_fails_alone_for_coroutines_and_threads():
    ledger = Ledger()
    committer: GroupCommitter[str, str] = GroupCommitter(ledger)
    thread_result: list[object] = []

    async def main() -> list[object]:
        ledger.hold.clear()
        blocker = asyncio.ensure_future(committer.submit_async("first"))
        await asyncio.sleep(0.05)
        thread = threading.Thread(target=lambda: thread_result.append(committer.submit("t")))
        thread.start()
        futures = [asyncio.ensure_future(committer.submit_async(item)) for item in ("x", "bad", "y")]
        await asyncio.sleep(0.05)
        ledger.hold.set()
        results = await asyncio.gather(blocker, *futures, return_exceptions=True)
        await asyncio.to_thread(thread.join, 10)
        return results

    first, x, bad, y = asyncio.run(main())
    assert (first, x, y) == ("FIRST", "X", "Y")
    assert isinstance(bad, ValueError)
    assert thread_result == ["T"]
    assert ["bad"] not in ledger.batches  # the batch was retried item by item; "bad" never committed


def test_items_with_the_same_key_commit_in_successive_batches_in_order():
    ledger = Ledger()
    committer: GroupCommitter[str, str] = GroupCommitter(ledger, keys=lambda item: {item[0]})

    async def main() -> None:
        ledger.hold.clear()
        blocker = asyncio.ensure_future(committer.submit_async("z0"))
        await asyncio.sleep(0.05)
        futures = [asyncio.ensure_future(committer.submit_async(item)) for item in ("a1", "b1", "a2", "b2", "a3")]
        await asyncio.sleep(0.05)
        ledger.hold.set()
        await asyncio.gather(blocker, *futures)

    asyncio.run(main())
    assert ledger.batches == [["z0"], ["a1", "b1"], ["a2", "b2"], ["a3"]]


def test_a_coroutine_waits_a_bounded_time():
    ledger = Ledger()
    ledger.hold.clear()
    committer: GroupCommitter[str, str] = GroupCommitter(ledger, timeout=0.2)

    async def main() -> None:
        await committer.submit_async("slow")

    with pytest.raises(CommitTimeout):
        asyncio.run(main())
    ledger.hold.set()  # the commit still happens; its waiter is gone and nothing breaks


def test_closing_commits_what_is_queued_then_ends_the_thread_and_refuses_more():
    ledger = Ledger()
    committer: GroupCommitter[str, str] = GroupCommitter(ledger, keys=lambda item: {item[0]}, name="closing")
    results: list[str] = []
    ledger.hold.clear()  # the first commit waits, so the rest queue up behind it
    threads = [threading.Thread(target=lambda i=i: results.append(committer.submit(f"a{i}"))) for i in range(3)]
    for thread in threads:  # the same key: each in a batch of its own, the close queued among them
        thread.start()
        time.sleep(0.05)
    closer = threading.Thread(target=committer.close)
    closer.start()
    ledger.hold.set()
    closer.join(5)
    for thread in threads:
        thread.join(5)
    assert sorted(results) == ["A0", "A1", "A2"]  # queued before the close: committed
    assert sorted(item for batch in ledger.batches for item in batch) == ["a0", "a1", "a2"]
    assert not any(t.name == "closing" for t in threading.enumerate())
    with pytest.raises(CommitterClosed):
        committer.submit("late")
    committer.close()  # twice is harmless


def test_a_committer_never_used_closes_without_a_thread():
    committer: GroupCommitter[str, str] = GroupCommitter(Ledger(), name="unused")
    committer.close()
    with pytest.raises(CommitterClosed):
        committer.submit("late")
    assert not any(t.name == "unused" for t in threading.enumerate())
