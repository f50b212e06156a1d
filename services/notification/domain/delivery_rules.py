"""When a delivery may be tried again, and when a user may get another push.

Retries: exponential backoff with "equal jitter" (half the step fixed, half random), so
that deliveries that failed together (the provider went down) spread out when they come
back, yet none is retried at once in a tight loop (full jitter can draw ~0). A provider
that said how long to wait (Retry-After) is believed when that is longer.

Push limit: at most `limit` pushes to one user in any rolling `window`; the next waits
until the oldest of the last `limit` leaves the window. Pure: callers pass the clock's
instant and the random draw.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    base_seconds: float = 1.0
    max_seconds: float = 300.0
    max_attempts: int = 12

    def delay(self, attempt: int, draw: Callable[[], float], retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt number `attempt` (1 = the first)."""
        step = min(self.max_seconds, self.base_seconds * 2.0 ** max(0, attempt - 1))
        delay = step / 2 + draw() * step / 2
        return max(delay, min(retry_after, self.max_seconds)) if retry_after else delay

    def gives_up_after(self, attempt: int) -> bool:
        return attempt >= self.max_attempts


@dataclass(frozen=True, slots=True)
class PushLimit:
    limit: int = 20
    window: timedelta = timedelta(hours=1)

    def next_allowed(self, sent: Sequence[datetime], now: datetime) -> datetime | None:
        """None when a push may go now, else the instant the next one may (a limit of 0: no limit)."""
        if self.limit <= 0:
            return None
        recent = sorted(t for t in sent if t > now - self.window)
        if len(recent) < self.limit:
            return None
        return recent[len(recent) - self.limit] + self.window
