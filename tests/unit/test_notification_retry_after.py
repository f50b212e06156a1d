"""Retry-After as the channels read it (services/notification/adapters/retry_after.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from services.notification.adapters.retry_after import retry_after_seconds

NOW = datetime(2026, 11, 30, 12, 0, 0, tzinfo=UTC)


def test_seconds_and_http_dates_and_nonsense() -> None:
    assert retry_after_seconds("120", NOW) == 120.0
    assert retry_after_seconds("Mon, 30 Nov 2026 12:01:30 GMT", NOW) == 90.0
    assert retry_after_seconds("Mon, 30 Nov 2026 11:59:00 GMT", NOW) == 0.0  # already past: at once
    for nothing in (None, "", "soon", "-5", "1.5e3"):
        assert retry_after_seconds(nothing, NOW) is None
