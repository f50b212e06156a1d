"""Avatar uploads: the pending object key per user in Redis (`pending:{uid}`, EX 600, single
use), the images themselves in S3 through the runtime's ImageUploads: uploaded to
avatars/pending/<objectKey> with a presigned POST policy, accepted on save into
avatars/<sha256 of the bytes>.<jpg|png|webp>."""

from __future__ import annotations

from datetime import timedelta

import redis.asyncio as aioredis

from services.auth.domain.model import AVATAR_PREFIX
from services.runtime.cache import CACHE_ERRORS
from services.runtime.errors import InvalidArgument, Unavailable
from services.runtime.object_storage import ObjectStorage
from services.runtime.uploads import ImageRules, ImageUploads, PresignedUpload, UploadRejected

# Deletes pending:{uid} only if it still names this key: of two saves racing, one wins.
_CONSUME = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


class AvatarStore:
    def __init__(self, storage: ObjectStorage, redis: aioredis.Redis, *, upload_ttl: int,
                 pending_ttl: int, view_ttl: int, rules: ImageRules | None = None) -> None:
        self._uploads = ImageUploads(storage, pending_prefix=AVATAR_PREFIX + "pending/", final_prefix=AVATAR_PREFIX,
                                     rules=rules)
        self._redis = redis
        self._consume = redis.register_script(_CONSUME)
        self._upload_ttl = timedelta(seconds=upload_ttl)
        self._pending_ttl = pending_ttl
        self._view_ttl = timedelta(seconds=view_ttl)

    @property
    def upload_ttl(self) -> timedelta:
        return self._upload_ttl

    def upload(self, object_key: str, content_type: str) -> PresignedUpload:
        return self._uploads.presign(object_key, content_type, self._upload_ttl)

    def view_url(self, avatar: str) -> str:
        return self._uploads.view_url(avatar, self._view_ttl) if avatar else ""

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

    async def consume_pending(self, user_id: str, object_key: str) -> bool:
        try:
            return bool(await self._consume(keys=[f"pending:{user_id}"], args=[object_key]))
        except CACHE_ERRORS as exc:
            raise Unavailable("avatar uploads are temporarily unavailable", "CACHE_UNAVAILABLE") from exc

    async def accept(self, object_key: str) -> str:
        try:
            return (await self._uploads.accept(object_key)).name
        except UploadRejected as exc:
            reason = "AVATAR_NOT_UPLOADED" if exc.reason == "UPLOAD_MISSING" else \
                "AVATAR_" + exc.reason.removeprefix("UPLOAD_")  # AVATAR_SIZE, AVATAR_NOT_AN_IMAGE, ...
            raise InvalidArgument.on_field("avatar", exc.description, reason) from exc
