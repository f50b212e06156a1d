"""Redis cache of profiles, `profile:{uid}` (TTL 15 min), refreshed on every update."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import redis.asyncio as aioredis

from services.auth.domain.model import User
from services.runtime.cache import CACHE_ERRORS
from services.runtime.logging import get_logger

log = get_logger(__name__)


def _encode(user: User) -> bytes:
    return json.dumps({
        "id": user.id, "email": user.email, "login": user.login, "full_name": user.full_name,
        "phone": user.phone, "city": user.city,
        "birth_date": user.birth_date.isoformat() if user.birth_date else None,
        "bio": user.bio, "interests": list(user.interests), "avatar": user.avatar,
        "roles": list(user.roles), "create_time": user.create_time.isoformat(),
        "update_time": user.update_time.isoformat(),
    }, ensure_ascii=False).encode()


def _decode(raw: bytes | str) -> User:
    d: dict[str, Any] = json.loads(raw)
    return User(
        id=d["id"], email=d["email"], login=d["login"], full_name=d["full_name"], phone=d["phone"],
        city=d["city"], birth_date=date.fromisoformat(d["birth_date"]) if d["birth_date"] else None,
        bio=d["bio"], interests=tuple(d["interests"]), avatar=d["avatar"], roles=tuple(d["roles"]),
        create_time=datetime.fromisoformat(d["create_time"]),
        update_time=datetime.fromisoformat(d["update_time"]),
    )


class ProfileCache:
    def __init__(self, redis: aioredis.Redis, ttl_seconds: int) -> None:
        self._redis = redis
        self._ttl = ttl_seconds

    async def get(self, user_id: str) -> User | None:
        try:
            raw = await self._redis.get(f"profile:{user_id}")
        except CACHE_ERRORS as exc:
            log.warning("redis unavailable: profile cache skipped", error=str(exc))
            return None
        return _decode(raw) if raw else None

    async def get_with_key(self, user_id: str, other_key: str) -> tuple[bool, User | None]:
        """The cached profile and whether `other_key` exists, in one MGET (the hot path
        of /me and /profile also checks the session key; one command is cheaper than a
        pipeline of two)."""
        try:
            other, raw = await self._redis.mget(other_key, f"profile:{user_id}")
        except CACHE_ERRORS as exc:
            log.warning("redis unavailable: profile cache skipped", error=str(exc))
            return False, None
        return other is not None, (_decode(raw) if raw else None)

    async def put(self, user: User) -> None:
        try:
            await self._redis.set(f"profile:{user.id}", _encode(user), ex=self._ttl)
        except CACHE_ERRORS as exc:
            log.warning("redis unavailable: profile cache not refreshed", error=str(exc))
