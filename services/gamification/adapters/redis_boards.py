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
    def __init__(self, redis: aioredis.Redis, writer: aioredis.Redis | None = None) -> None:
        """`redis` serves reads (short timeouts: a request degrades, never hangs); `writer`
        the projector and the rebuild, whose batches may take Redis longer than that."""
        self._redis = redis
        self._writer = writer or redis
        self._apply = self._writer.register_script(_APPLY)

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
        redis, staging = self._writer, f"{PREFIX}rebuild:"
        stale = [k async for k in redis.scan_iter(match=f"{PREFIX}*", count=1000)]
        leftovers = [k for k in stale if k.startswith(staging.encode())]  # of a rebuild that died
        if leftovers:
            await redis.unlink(*leftovers)
        for key, scores in boards.items():
            items = list(scores.items())
            for i in range(0, len(items), _CHUNK):
                await redis.zadd(staging + key, dict(items[i:i + _CHUNK]))
        # UNLINK frees the old sets in the background (a RENAME over a set of 1M members
        # would free it inside the transaction, blocking Redis for a second).
        async with redis.pipeline(transaction=True) as pipe:
            for key in stale:
                if not key.startswith(staging.encode()):
                    pipe.unlink(key)
            for key in boards:
                pipe.rename(staging + key, key)
            await pipe.execute()
