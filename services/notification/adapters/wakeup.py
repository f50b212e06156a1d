"""The dispatcher's wake-up: LISTEN on a dedicated connection; a transaction that adds
deliveries (or brings retries forward) NOTIFYs on commit (unit_of_work.WAKE_CHANNEL).

A notification that arrives while the dispatcher is busy waits in the connection's
socket and ends the next wait at once, so none is lost between two waits."""

from __future__ import annotations

import psycopg

from services.notification.adapters.unit_of_work import WAKE_CHANNEL


class PostgresWakeup:
    def __init__(self, database_url: str) -> None:
        self._url = database_url
        self._conn: psycopg.AsyncConnection[object] | None = None

    async def _listening(self) -> psycopg.AsyncConnection[object]:
        if self._conn is None or self._conn.closed:
            self._conn = await psycopg.AsyncConnection.connect(self._url, autocommit=True)
            await self._conn.execute(f"LISTEN {WAKE_CHANNEL}")
        return self._conn

    async def wait(self, seconds: float) -> None:
        conn = await self._listening()
        try:
            async for _ in conn.notifies(timeout=seconds, stop_after=1):
                pass
            # Those that came with it (a burst of commits) are answered by the same round.
            async for _ in conn.notifies(timeout=0):
                pass
        except BaseException:
            await self.close()  # a lost connection is made anew by the next wait (after a restart)
            raise

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None
