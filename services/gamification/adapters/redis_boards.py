"""Leaderboards in Redis sorted sets (ZINCRBY per award; ZREVRANGE, ZREVRANK, ZMSCORE)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import redis.asyncio as aioredis

from services.gamification.domain.boards import PREFIX

BATCH_MARK = "gam:batch:"
BATCH_MARK_TTL = 7 * 24 * 3600
# A projector batch is taken once: its mark and its increments in one atomic step.
_APPLY = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  for i = 2, #ARGV, 3 do redis.call('ZINCRBY', ARGV[i], ARGV[i + 2], ARGV[i + 1]) end
  return 1
end
return 0
"""
_CHUNK = 50_000  # members written per ZADD while rebuilding


class RedisLeaderboards:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._apply = redis.register_script(_APPLY)

    async def apply(self, batch_id: int, increments: Sequence[tuple[str, str, int]]) -> bool:
        args: list[str | int] = [BATCH_MARK_TTL]
        for key, member, xp in increments:
            args += [key, member, xp]
        return bool(await self._apply(keys=[f"{BATCH_MARK}{batch_id}"], args=args))

    async def top(self, key: str, limit: int) -> list[tuple[str, int]]:
        rows = await self._redis.zrevrange(key, 0, limit - 1, withscores=True)
        return [(bytes(m).decode(), int(s)) for m, s in cast(list[tuple[bytes, float]], rows)]

    async def rank(self, key: str, user_id: str) -> tuple[int | None, int]:
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.zrevrank(key, user_id)
            pipe.zscore(key, user_id)
            rank, score = await pipe.execute()
        return (int(rank) if rank is not None else None), int(score or 0)

    async def scores(self, key: str, user_ids: Sequence[str]) -> list[int | None]:
        if not user_ids:
            return []
        return [int(s) if s is not None else None for s in await self._redis.zmscore(key, list(user_ids))]

    async def replace_all(self, boards: dict[str, dict[str, int]]) -> None:
        """Every board becomes what `boards` says: written under temporary names, then
        renamed over the live ones in one transaction; boards not in it are deleted."""
        staging = f"{PREFIX}rebuild:"
        stale = [k async for k in self._redis.scan_iter(match=f"{PREFIX}*", count=1000)]
        leftovers = [k for k in stale if k.startswith(staging.encode())]  # of a rebuild that died
        if leftovers:
            await self._redis.delete(*leftovers)
        for key, scores in boards.items():
            items = list(scores.items())
            for i in range(0, len(items), _CHUNK):
                await self._redis.zadd(staging + key, dict(items[i:i + _CHUNK]))
        async with self._redis.pipeline(transaction=True) as pipe:
            for key in stale:
                if key.decode() not in boards and not key.startswith(staging.encode()):
                    pipe.delete(key)
            for key in boards:
                pipe.rename(staging + key, key)
            await pipe.execute()
