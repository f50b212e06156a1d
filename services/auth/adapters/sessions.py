"""Sessions: PostgreSQL is the record (survives a Redis outage), Redis `session:{sid}`
(TTL 15 min) is the fast path every authenticated request checks."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

import redis.asyncio as aioredis
from psycopg_pool import AsyncConnectionPool

from services.auth.domain.model import RefreshRecord
from services.runtime.cache import CACHE_ERRORS
from services.runtime.errors import Unauthenticated
from services.runtime.logging import get_logger
from services.runtime.sessions import session_key
from services.runtime.unit_of_work import InTransaction

log = get_logger(__name__)


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class PostgresSessions:
    """The record: sessions and their refresh tokens, on the connection of a unit of work."""

    def __init__(self, tx: InTransaction) -> None:
        self._tx = tx

    async def open(self, user_id: str, lifetime: timedelta) -> tuple[str, str]:
        """A new session with its first refresh token: (session_id, refresh_token)."""
        session_id = str(uuid.uuid4())
        await self._tx.connection.execute(
            "INSERT INTO sessions (id, user_id, expire_time) VALUES (%s, %s, now() + %s)",
            (session_id, user_id, lifetime),
        )
        return session_id, await self._new_refresh(session_id)

    async def _new_refresh(self, session_id: str) -> str:
        token = secrets.token_urlsafe(32)
        await self._tx.connection.execute("INSERT INTO refresh_tokens (token_hash, session_id) VALUES (%s, %s)",
                                          (_hash(token), session_id))
        return token

    async def claim_refresh(self, token: str) -> RefreshRecord | None:
        """Look the token up under a row lock; the caller then rotates or revokes."""
        row = await (await self._tx.connection.execute(
            "SELECT r.session_id::text AS session_id, s.user_id::text AS user_id, r.used_at IS NOT NULL AS used, "
            "s.revoked_at IS NOT NULL AS revoked, s.expire_time < now() AS expired "
            "FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id "
            "WHERE r.token_hash = %s FOR UPDATE OF r, s",
            (_hash(token),),
        )).fetchone()
        return RefreshRecord(**row) if row else None

    async def rotate(self, token: str, session_id: str) -> str:
        await self._tx.connection.execute("UPDATE refresh_tokens SET used_at = now() WHERE token_hash = %s",
                                          (_hash(token),))
        return await self._new_refresh(session_id)

    async def revoke(self, session_id: str, reason: str) -> None:
        await self._tx.connection.execute(
            "UPDATE sessions SET revoked_at = now(), revoke_reason = %s WHERE id = %s AND revoked_at IS NULL",
            (reason, session_id),
        )


class SessionStore:
    """The fast path (Redis), falling back to the record when the key is missing."""

    def __init__(self, pool: AsyncConnectionPool, redis: aioredis.Redis, ttl_seconds: int) -> None:
        self._pool = pool
        self._redis = redis
        self._ttl = ttl_seconds

    @staticmethod
    def key(session_id: str) -> str:
        return session_key(session_id)  # the key every service's privileged-call check reads

    async def cache(self, session_id: str, user_id: str) -> None:
        try:
            await self._redis.set(self.key(session_id), user_id, ex=self._ttl)
        except CACHE_ERRORS as exc:
            log.warning("redis unavailable: session not cached", error=str(exc))

    async def forget(self, session_id: str) -> None:
        try:
            await self._redis.delete(self.key(session_id))
        except CACHE_ERRORS as exc:
            # The PostgreSQL revocation stands; a stale entry expires with its TTL.
            log.warning("redis unavailable: session not evicted", error=str(exc))

    async def is_active(self, session_id: str, *, cached: bool | None = None) -> bool:
        """`cached`: the caller already looked `session:{sid}` up in Redis."""
        if cached is None:
            try:
                cached = bool(await self._redis.exists(self.key(session_id)))
            except CACHE_ERRORS as exc:
                log.warning("redis unavailable: checking session in postgres", error=str(exc))
        if cached:
            return True
        async with self._pool.connection() as conn:
            row = await (await conn.execute(
                "SELECT user_id::text AS user_id FROM sessions WHERE id = %s AND revoked_at IS NULL "
                "AND expire_time > now()", (session_id,),
            )).fetchone()
        if row is None:
            return False
        await self.cache(session_id, row["user_id"])  # type: ignore[call-overload]  # dict rows (open_pool)
        return True

    async def require_active(self, session_id: str, *, cached: bool | None = None) -> None:
        if not await self.is_active(session_id, cached=cached):
            raise Unauthenticated("session is closed", "SESSION_REVOKED")
