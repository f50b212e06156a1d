"""The short-term profile in Redis: each user's last actions (a capped list) and what
they bought (a set), written by the user.action consumer and read by every personal
request in one round trip. PostgreSQL's interaction log stays the record; this is
what makes the next request reflect an action within a second."""

from __future__ import annotations

import redis.asyncio as aioredis

from services.recommendation.domain.actions import RECENT_ACTIONS, Kind, RecentAction
from services.runtime.cache import CACHE_ERRORS
from services.runtime.logging import get_logger

log = get_logger(__name__)
TTL_SECONDS = 30 * 86400
BOUGHT_TTL_SECONDS = 180 * 86400


def _recent_key(user_id: str) -> str:
    return f"reco:recent:{user_id}"


def _bought_key(user_id: str) -> str:
    return f"reco:bought:{user_id}"


class RedisProfiles:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis

    async def remember(self, user_id: str, action: RecentAction) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.lpush(_recent_key(user_id), action.encode())
            pipe.ltrim(_recent_key(user_id), 0, RECENT_ACTIONS - 1)
            pipe.expire(_recent_key(user_id), TTL_SECONDS)
            if action.kind is Kind.PURCHASE:
                pipe.sadd(_bought_key(user_id), action.event_slug)
                pipe.expire(_bought_key(user_id), BOUGHT_TTL_SECONDS)
            await pipe.execute()

    async def recall(self, user_id: str) -> tuple[list[RecentAction], set[str]]:
        """(recent actions, newest first; slugs bought). Empty when Redis cannot answer:
        the request then gets the cold-start list rather than an error."""
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.lrange(_recent_key(user_id), 0, RECENT_ACTIONS - 1)
                pipe.smembers(_bought_key(user_id))
                raw_recent, raw_bought = await pipe.execute()
        except CACHE_ERRORS as exc:
            log.warning("short-term profile unavailable", error=str(exc))
            return [], set()
        recent = [a for a in (RecentAction.decode(r.decode()) for r in raw_recent) if a is not None]
        return recent, {b.decode() for b in raw_bought}
