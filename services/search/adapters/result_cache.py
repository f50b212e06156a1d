"""In-process cache of rendered search answers, emptied by every committed index change.

Why in-process: a hit costs no round trip at all, and popular (broad) queries are
exactly the ones whose cold cost grows with the catalog. Why it stays fresh: the
indexer's transaction NOTIFYs `search_index_changed` (delivered on commit only) and
every replica LISTENs; a notification bumps the generation, so entries written for
an older generation (possibly computed before the commit) are never served. While
the listener is down nothing is cached: we could not see changes. Entries also
expire after a TTL, which bounds how long the passing of time (sessions ending,
"today" moving) goes unnoticed.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable

import psycopg
from psycopg import sql

from services.runtime.logging import get_logger

log = get_logger(__name__)


class ResultCache:
    def __init__(self, *, max_entries: int, ttl_seconds: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._max = max_entries
        self._ttl = ttl_seconds
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._generation = 0
        self._listening = False

    def lookup(self, key: str) -> tuple[int | None, bytes | None]:
        if not self._listening or self._max <= 0:
            return None, None
        entry = self._entries.get(key)
        if entry is None or entry[0] < self._clock():
            return self._generation, None
        self._entries.move_to_end(key)
        return self._generation, entry[1]

    def store(self, key: str, generation: int | None, value: bytes) -> None:
        if generation != self._generation or not self._listening or self._max <= 0:
            return  # the index changed while the answer was computed
        self._entries[key] = (self._clock() + self._ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def invalidate(self) -> None:
        self._generation += 1
        self._entries.clear()

    def _set_listening(self, listening: bool) -> None:
        self._listening = listening
        self.invalidate()

    async def listen(self, conninfo: str, channel: str) -> None:
        """Worker: follow the index's change notifications for as long as we run."""
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
                    await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                    self._set_listening(True)
                    async for _ in conn.notifies():
                        self.invalidate()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("index change listener failed; result cache off until it is back", error=str(exc))
            finally:
                self._set_listening(False)
            await asyncio.sleep(1)
