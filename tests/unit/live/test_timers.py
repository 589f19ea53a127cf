"""The session-expiry policy: a reconnecting session gets a timer at the end of
its window; any other status cancels it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from uuid import uuid4

import pytest

from domain.kernel.timers import CancelTimer, SetTimer
from domain.live.sessions import PlayerSession, Status
from domain.live.timers import SESSION_EXPIRY, policies

AT = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def status_changed(status: Status) -> PlayerSession.StatusChanged:
    return PlayerSession.StatusChanged(
        originator_id=uuid4(), originator_version=3, timestamp=AT, status=status, reason="test"
    )


def test_the_policy_listens_to_status_changes_only():
    assert list(policies(SimpleNamespace(reconnect_window_seconds=30))) == [PlayerSession.StatusChanged.TOPIC]


def test_a_session_that_starts_reconnecting_gets_a_timer_at_the_end_of_its_window():
    policy = policies(SimpleNamespace(reconnect_window_seconds=30))[PlayerSession.StatusChanged.TOPIC]
    event = status_changed(Status.RECONNECTING)
    assert list(policy(event)) == [SetTimer(SESSION_EXPIRY, event.originator_id, AT + timedelta(seconds=30))]


def test_the_window_defaults_to_two_minutes():
    policy = policies(SimpleNamespace())[PlayerSession.StatusChanged.TOPIC]
    event = status_changed(Status.RECONNECTING)
    assert list(policy(event)) == [SetTimer(SESSION_EXPIRY, event.originator_id, AT + timedelta(seconds=120))]


@pytest.mark.parametrize("status", [s for s in Status if s != Status.RECONNECTING])
def test_any_other_status_cancels_the_timer(status):
    policy = policies(SimpleNamespace(reconnect_window_seconds=30))[PlayerSession.StatusChanged.TOPIC]
    event = status_changed(status)
    assert list(policy(event)) == [CancelTimer(SESSION_EXPIRY, event.originator_id)]


def test_the_kind_is_named_after_its_context():
    assert SESSION_EXPIRY == "live.session_expiry"
