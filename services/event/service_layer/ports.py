"""What the catalog use cases need from the outside world; adapters/ implement it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

# The current instant (aware); injected so that tests can stand where days turn.
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)
