"""``combined``: one context's policies from several sets (the adventure's
achievements, quests, world events and agents all react to some one event)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from domain.kernel.timers import CancelTimer, SetTimer, combined

NOW = datetime(2026, 12, 4, tzinfo=UTC)


def test_each_topic_gets_every_sets_timers_in_the_order_given_and_settings_reach_each_set():
    seen = []

    def first(settings):
        seen.append(("first", settings))
        return {"a": lambda e: [SetTimer("x.one", e, NOW)], "b": lambda e: [CancelTimer("x.two", e)]}

    def second(settings):
        seen.append(("second", settings))
        return {"a": lambda e: [SetTimer("x.three", e, NOW), CancelTimer("x.four", e)]}

    subject = uuid4()
    made = combined(first, second)("the settings")
    assert seen == [("first", "the settings"), ("second", "the settings")]
    assert list(made) == ["a", "b"]
    assert made["a"](subject) == [SetTimer("x.one", subject, NOW), SetTimer("x.three", subject, NOW),
                                  CancelTimer("x.four", subject)]  # fmt: skip
    assert list(made["b"](subject)) == [CancelTimer("x.two", subject)]
    alone = {"c": lambda e: []}
    assert combined(lambda _: alone)(None)["c"] is alone["c"]  # one set's policy is its own
    assert combined()(None) == {}
