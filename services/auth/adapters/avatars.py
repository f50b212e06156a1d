"""Avatar uploads: pending object keys in Redis (`pending:{uid}`, EX 600) and the
objects themselves in S3 under avatars/."""

from __future__ import annotations

from datetime import timedelta

import redis.asyncio as aioredis

from services.auth.domain.model import avatar_s3_key
from services.runtime.cache import CACHE_ERRORS
from services.runtime.errors import Unavailable
from services.runtime.object_storage import ObjectStorage


class AvatarStore:
    def __init__(self, storage: ObjectStorage, redis: aioredis.Redis, *, upload_ttl: int,
                 pending_ttl: int, view_ttl: int) -> None:
        self._storage = storage
        self._redis = redis
        self._upload_ttl = timedelta(seconds=upload_ttl)
        self._pending_ttl = pending_ttl
        self._view_ttl = timedelta(seconds=view_ttl)

    @property
    def upload_ttl(self) -> timedelta:
        return self._upload_ttl

    def upload_url(self, object_key: str) -> str:
        return self._storage.presigned_put(avatar_s3_key(object_key), self._upload_ttl)

    def view_url(self, object_key: str) -> str:
        return self._storage.presigned_get(avatar_s3_key(object_key), self._view_ttl) if object_key else ""

    async def remember_pending(self, user_id: str, object_key: str) -> None:
        try:
            await self._redis.set(f"pending:{user_id}", object_key, ex=self._pending_ttl)
        except CACHE_ERRORS as exc:
            raise Unavailable("avatar uploads are temporarily unavailable", "CACHE_UNAVAILABLE") from exc

    async def pending(self, user_id: str) -> str | None:
        try:
            raw = await self._redis.get(f"pending:{user_id}")
        except CACHE_ERRORS as exc:
            raise Unavailable("avatar uploads are temporarily unavailable", "CACHE_UNAVAILABLE") from exc
        return raw.decode() if isinstance(raw, bytes) else raw

    async def clear_pending(self, user_id: str) -> None:
        try:
            await self._redis.delete(f"pending:{user_id}")
        except CACHE_ERRORS:
            pass  # expires on its own within 10 minutes

    async def uploaded(self, object_key: str) -> bool:
        return await self._storage.exists(avatar_s3_key(object_key))
