"""Two-tier cache of catalog reads, invalidated on every publish.

Redis (shared by all replicas): keys carry a generation number (`events:gen`);
publishing increments it, which orphans every cached page at once (orphans expire
with their TTL). A Lua script reads the generation and the page in one round trip.

In-process (per replica, in front of Redis): served only while this replica is
subscribed to the invalidation channel, so a publish anywhere empties it at once;
entries also expire after a few seconds. Popular pages then cost no round trip.
"""

from __future__ import annotations

import asyncio
import time

import redis.asyncio as aioredis

from services.runtime.cache import CACHE_ERRORS
from services.runtime.logging import get_logger

log = get_logger(__name__)

GENERATION_KEY = "events:gen"
INVALIDATION_CHANNEL = "events:invalidated"
LOCAL_TTL_SECONDS = 5.0
LOCAL_MAX_ENTRIES = 4096
_READ = """
local gen = redis.call('GET', KEYS[1]) or '0'
local value = redis.call('GET', ARGV[1] .. gen)
if value then return {gen, value} end
return {gen}
"""


class CatalogCache:
    def __init__(self, redis: aioredis.Redis, ttl_seconds: int) -> None:
        self._redis = redis
        self._ttl = ttl_seconds
        self._read = redis.register_script(_READ)
        self._local: dict[str, tuple[float, bytes]] = {}
        self._subscribed = False

    def local_get(self, key: str) -> bytes | None:
        hit = self._local.get(key) if self._subscribed else None
        if hit is None or hit[0] < time.monotonic():
            return None
        return hit[1]

    def local_put(self, key: str, value: bytes) -> None:
        if not self._subscribed:
            return
        if len(self._local) >= LOCAL_MAX_ENTRIES:
            self._local.pop(next(iter(self._local)))  # the oldest
        self._local[key] = (time.monotonic() + LOCAL_TTL_SECONDS, value)

    async def follow_invalidations(self) -> None:
        """Worker: keep the in-process tier in step with publishes on every replica."""
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(INVALIDATION_CHANNEL)
                    self._local.clear()
                    self._subscribed = True
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self._local.clear()
            except asyncio.CancelledError:
                raise
            except CACHE_ERRORS as exc:
                log.warning("redis unavailable: in-process catalog cache off", error=str(exc))
            finally:
                self._subscribed = False
                self._local.clear()
            await asyncio.sleep(1)

    async def get(self, key: str) -> tuple[str | None, bytes | None]:
        """(generation, cached value); (None, None) when Redis is unavailable."""
        try:
            reply = await self._read(keys=[GENERATION_KEY], args=[f"events:{key}:"])
        except CACHE_ERRORS as exc:
            log.warning("redis unavailable: catalog cache skipped", error=str(exc))
            return None, None
        generation = reply[0].decode()
        return generation, (reply[1] if len(reply) > 1 else None)

    async def put(self, key: str, generation: str, value: bytes) -> None:
        try:
            await self._redis.set(f"events:{key}:{generation}", value, ex=self._ttl)
        except CACHE_ERRORS as exc:
            log.warning("redis unavailable: catalog page not cached", error=str(exc))

    async def invalidate(self) -> None:
        self._local.clear()
        try:
            await self._redis.incr(GENERATION_KEY)
            await self._redis.publish(INVALIDATION_CHANNEL, b"")
        except CACHE_ERRORS as exc:
            # Pages cached before the outage live at most one TTL more.
            log.warning("redis unavailable: catalog cache not invalidated", error=str(exc))
