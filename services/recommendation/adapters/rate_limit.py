"""Per-user budget of reported actions: a fixed one-minute window counter in Redis."""

from __future__ import annotations

import time

import redis.asyncio as aioredis

from services.runtime.cache import CACHE_ERRORS
from services.runtime.logging import get_logger

log = get_logger(__name__)


class MinuteBudget:
    def __init__(self, redis: aioredis.Redis, per_minute: int) -> None:
        self._redis = redis
        self._limit = per_minute

    async def take(self, user_id: str, count: int) -> bool:
        key = f"reco:actions:{user_id}:{int(time.time() // 60)}"
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.incrby(key, count)
                pipe.expire(key, 120)
                used, _ = await pipe.execute()
        except CACHE_ERRORS as exc:  # actions are soft signals: take them unthrottled
            log.warning("action budget unavailable", error=str(exc))
            return True
        return int(used) <= self._limit
