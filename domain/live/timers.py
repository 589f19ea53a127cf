"""Live play's durable timers: a session left reconnecting by a client that
never comes back ends when its reconnect window passes, even across restarts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from domain.kernel.timers import CancelTimer, Policy, SetTimer, TimerChange
from domain.live.sessions import PlayerSession, Status

SESSION_EXPIRY = "live.session_expiry"


def policies(settings: Any) -> Mapping[str, Policy]:
    window = timedelta(seconds=getattr(settings, "reconnect_window_seconds", 120))

    def on_status(event: PlayerSession.StatusChanged) -> Iterable[TimerChange]:
        if event.status == Status.RECONNECTING:
            return [SetTimer(SESSION_EXPIRY, event.originator_id, event.timestamp + window)]
        return [CancelTimer(SESSION_EXPIRY, event.originator_id)]

    return {PlayerSession.StatusChanged.TOPIC: on_status}
