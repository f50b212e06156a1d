"""Live-tour sessions in Redis (`gid:listen:<session>`, 30 minutes after the last
change), so that a dropped connection resumes on any replica; and the lock that lets
one replica build a tour's bundle while the others wait."""

from __future__ import annotations

import redis.asyncio as aioredis

from services.gid.domain.listening import Listening

SESSION_TTL_SECONDS = 30 * 60


class RedisListeningStore:
    def __init__(self, redis: aioredis.Redis, *, ttl_seconds: int = SESSION_TTL_SECONDS) -> None:
        self._redis = redis
        self._ttl = ttl_seconds

    async def load(self, session: str) -> Listening | None:
        raw = await self._redis.get(f"gid:listen:{session}")
        return None if raw is None else Listening.from_json(raw)

    async def save(self, state: Listening) -> None:
        await self._redis.set(f"gid:listen:{state.session}", state.to_json(), ex=self._ttl)


class RedisBuildLock:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis

    async def acquire(self, name: str, ttl_seconds: float) -> bool:
        return bool(await self._redis.set(f"gid:build:{name}", b"1", nx=True, ex=int(ttl_seconds)))

    async def release(self, name: str) -> None:
        await self._redis.delete(f"gid:build:{name}")
