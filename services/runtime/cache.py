"""Redis client with short timeouts: a Redis outage must degrade a request, not hang it."""

from __future__ import annotations

import redis.asyncio as aioredis

CACHE_ERRORS = (aioredis.RedisError, OSError, TimeoutError)


def open_redis(url: str) -> aioredis.Redis:
    return aioredis.Redis.from_url(
        url, socket_timeout=0.5, socket_connect_timeout=0.5, retry_on_timeout=False,
        health_check_interval=30, decode_responses=False,
    )
