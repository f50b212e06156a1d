"""Two-tier cache of catalog reads, invalidated on every publish.

Redis (shared by all replicas): keys carry a generation number (`events:gen`);
publishing increments it, which orphans every cached page at once (orphans expire
with their TTL). A Lua script reads the generation and the page in one round trip.

In-process (per replica, in front of Redis): served only while this replica is
subscribed to the invalidation channel, so a publish anywhere empties it at once;
entries also expire after a few seconds. Popular pages then cost no round trip.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from services.runtime.cache import CACHE_ERRORS
from services.runtime.invalidation import InvalidatedCache, follow, redis_messages
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
        self._local = InvalidatedCache(max_entries=LOCAL_MAX_ENTRIES, ttl_seconds=LOCAL_TTL_SECONDS)

    def local_get(self, key: str) -> bytes | None:
        return self._local.get(key)

    def local_put(self, key: str, value: bytes) -> None:
        self._local.put(key, value)

    async def follow_invalidations(self) -> None:
        """Worker: keep the in-process tier in step with publishes on every replica."""
        await follow(self._local, redis_messages(self._redis, INVALIDATION_CHANNEL))

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
        self._local.invalidate()
        try:
            await self._redis.incr(GENERATION_KEY)
            await self._redis.publish(INVALIDATION_CHANNEL, b"")
        except CACHE_ERRORS as exc:
            # Pages cached before the outage live at most one TTL more.
            log.warning("redis unavailable: catalog cache not invalidated", error=str(exc))
