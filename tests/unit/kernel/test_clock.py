"""The domain's clock: aware, in UTC (stored timestamps compare across machines)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.kernel.clock import now


def test_now_is_an_aware_utc_time():
    moment = now()
    assert moment.tzinfo is UTC
    assert abs(moment - datetime.now(UTC)) < timedelta(minutes=1)
