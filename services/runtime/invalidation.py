"""In-process caches kept in step with changes made anywhere, and the change feeds
that drive them (PostgreSQL LISTEN, Redis pub/sub).

`InvalidatedCache` is served only while its feed is followed: a change anywhere empties
it at once, and while the feed is down nothing is cached (we could not see changes).
Every invalidation bumps a generation, so an answer computed before a change is never
stored after it. `follow(cache, feed)` is the worker that keeps one cache in step; the
worker supervisor reconnects it, with backoff, when the feed drops.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import psycopg
import redis.asyncio as aioredis
from psycopg import sql

from services.runtime.supervision import worker_healthy

# A feed: connect, then yield one item per change until the connection drops.
Feed = Callable[[], AbstractAsyncContextManager[AsyncIterator[Any]]]


def pg_notifications(conninfo: str, channel: str) -> Feed:
    @asynccontextmanager
    async def feed() -> AsyncIterator[AsyncIterator[Any]]:
        async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
            await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
            yield conn.notifies()
    return feed


def redis_messages(redis: aioredis.Redis, channel: str) -> Feed:
    @asynccontextmanager
    async def feed() -> AsyncIterator[AsyncIterator[Any]]:
        async with redis.pubsub() as pubsub:
            await pubsub.subscribe(channel)
            yield (m async for m in pubsub.listen() if m.get("type") == "message")
    return feed


class InvalidatedCache:
    """Bounded (LRU) in-process cache with a TTL per entry, emptied by its feed."""

    def __init__(self, *, max_entries: int, ttl_seconds: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._max = max_entries
        self._ttl = ttl_seconds
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._generation = 0
        self._listening = False

    def lookup(self, key: str) -> tuple[int | None, bytes | None]:
        """(generation to store under, cached value); (None, None) while not followed."""
        if not self._listening or self._max <= 0:
            return None, None
        entry = self._entries.get(key)
        if entry is None or entry[0] < self._clock():
            return self._generation, None
        self._entries.move_to_end(key)
        return self._generation, entry[1]

    def get(self, key: str) -> bytes | None:
        return self.lookup(key)[1]

    def store(self, key: str, generation: int | None, value: bytes) -> None:
        if generation != self._generation or not self._listening or self._max <= 0:
            return  # a change came while the value was computed
        self._entries[key] = (self._clock() + self._ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def put(self, key: str, value: bytes) -> None:
        self.store(key, self._generation, value)

    def invalidate(self) -> None:
        self._generation += 1
        self._entries.clear()

    def set_listening(self, listening: bool) -> None:
        self._listening = listening
        self.invalidate()


async def follow(cache: InvalidatedCache, feed: Feed) -> None:
    """Worker: empty `cache` on every change in `feed`; returns or raises when the feed
    drops (the supervisor reconnects), with the cache off until it is back."""
    try:
        async with feed() as changes:
            cache.set_listening(True)
            worker_healthy()
            async for _ in changes:
                cache.invalidate()
    finally:
        cache.set_listening(False)
