"""Is the caller's session still open? Logout and revocation must take effect for every
service within seconds, not when the access token expires.

auth-service keeps `session:{sid}` in Redis for as long as a session's access tokens
can be valid and deletes it on logout or revocation (services/auth/adapters/sessions.py
uses `session_key`). Privileged calls check it here; the check fails closed: when Redis
cannot answer, a privileged write is refused with UNAVAILABLE (retryable), never let
through unchecked.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from services.runtime import errors
from services.runtime.cache import CACHE_ERRORS


def session_key(session_id: str) -> str:
    return f"session:{session_id}"


class LiveSessions:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis

    async def require_alive(self, session_id: str) -> None:
        try:
            alive = await self._redis.exists(session_key(session_id))
        except CACHE_ERRORS as exc:
            raise errors.Unavailable("the session cannot be checked right now; retry shortly",
                                     "SESSION_CHECK_UNAVAILABLE") from exc
        if not alive:
            raise errors.Unauthenticated("session is closed (signed out or revoked)", "SESSION_REVOKED")
