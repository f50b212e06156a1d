"""Card views into the outbox, batched: GetEvent only appends to a bounded buffer (no
I/O on the cached read path); a worker writes what gathered, every `every` seconds, in
one transaction. Views are soft signals: a full buffer drops new ones (logged), and
what is buffered when the process dies is lost (at most `every` seconds' worth)."""

from __future__ import annotations

import asyncio
from collections import deque
from datetime import UTC, datetime

from psycopg_pool import AsyncConnectionPool

from services.event.adapters.event_publisher import card_view
from services.event.adapters.unit_of_work import EventUnitOfWork
from services.runtime.logging import get_logger

log = get_logger(__name__)


class BufferedCardViews:
    def __init__(self, pool: AsyncConnectionPool, *, every: float = 0.2, capacity: int = 10_000) -> None:
        self._pool = pool
        self._every = every
        self._capacity = capacity
        self._pending: deque[tuple[str, str, datetime]] = deque()
        self._dropped = 0

    def viewed(self, user_id: str, slug: str, at: datetime) -> None:
        if len(self._pending) >= self._capacity:
            self._dropped += 1
            return
        self._pending.append((user_id, slug, at))

    async def flush(self) -> int:
        """Writes what is buffered now; on a failure the batch goes back to the front."""
        if self._dropped:
            log.warning("card views dropped: the buffer was full", dropped=self._dropped)
            self._dropped = 0
        batch = list(self._pending)
        if not batch:
            return 0
        for _ in batch:
            self._pending.popleft()
        received = datetime.now(UTC)
        try:
            async with EventUnitOfWork(self._pool) as uow:
                for user_id, slug, at in batch:
                    await uow.add_event(*card_view(user_id, slug, at, received))
        except Exception:
            room = self._capacity - len(self._pending)
            self._pending.extendleft(reversed(batch[:max(room, 0)]))
            raise
        return len(batch)

    async def run(self) -> None:
        """Worker: flush every `every` seconds; once more when cancelled (shutdown)."""
        try:
            while True:
                await asyncio.sleep(self._every)
                try:
                    await self.flush()
                except Exception:
                    log.exception("card views not written yet; retrying")
        except asyncio.CancelledError:
            try:
                await self.flush()
            except Exception:
                log.exception("card views lost at shutdown", count=len(self._pending))
            raise
