"""Use case: keep the index's next sessions in step with the clock.

Each document stores its next session as of its last write (see migration 0002), which
searches use to look at the soonest events first and to browse in that order. As
sessions end it drifts; searches stay exact, only the "soonest" they look at first gets
stale. A refresh every minute keeps it current for the cost of the rows that changed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Protocol

from services.runtime.logging import get_logger

log = get_logger(__name__)

REFRESH_SECONDS = 60.0


class NextSessions(Protocol):
    async def refresh_next_sessions(self) -> int:
        """Rows whose next session or soon flag changed."""
        ...


async def refresh_forever(index: NextSessions, *, every: float = REFRESH_SECONDS,
                          sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
    """Worker: refresh now and then every `every` seconds; a failed round is logged and
    retried at the next one (a deadlock with a bulk upsert, a restart of PostgreSQL)."""
    while True:
        try:
            changed = await index.refresh_next_sessions()
            if changed:
                log.info("next sessions refreshed", documents=changed)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("next session refresh failed; retrying later", error=str(exc))
        await sleep(every)
