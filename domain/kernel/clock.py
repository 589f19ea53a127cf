"""The domain's notion of now (UTC); use cases take it as a parameter where tests need another."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
