"""Redis client with short timeouts (a Redis outage must degrade a request, not hang it),
and a bounded in-process cache."""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

import redis.asyncio as aioredis

CACHE_ERRORS = (aioredis.RedisError, OSError, TimeoutError)


def open_redis(url: str) -> aioredis.Redis:
    return aioredis.Redis.from_url(
        url, socket_timeout=0.5, socket_connect_timeout=0.5, retry_on_timeout=False,
        health_check_interval=30, decode_responses=False,
    )


K = TypeVar("K")
V = TypeVar("V")


class SizedLru(Generic[K, V]):
    """In-process cache bounded by the total size of its values (as the caller measures
    them); the least recently used go first. Values larger than the bound are not kept."""

    def __init__(self, max_size: int) -> None:
        self._max = max_size
        self._size = 0
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()

    def get(self, key: K) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        self._entries.move_to_end(key)
        return entry[0]

    def put(self, key: K, value: V, size: int) -> None:
        if size > self._max:
            return
        old = self._entries.pop(key, None)
        self._size += size - (old[1] if old else 0)
        self._entries[key] = (value, size)
        while self._size > self._max:
            _, (_, evicted) = self._entries.popitem(last=False)
            self._size -= evicted
