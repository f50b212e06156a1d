"""Use cases: sign up, sign in, refresh (rotation with reuse detection), logout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from psycopg_pool import AsyncConnectionPool

from services.auth.adapters import event_publisher, passwords, users
from services.auth.adapters.sessions import SessionStore
from services.auth.adapters.signing_keys import SigningKey
from services.auth.domain.events import UserSignedUp
from services.auth.domain.model import User
from services.runtime.errors import Unauthenticated
from services.runtime.logging import get_logger

log = get_logger(__name__)

BAD_CREDENTIALS = "invalid login or password"


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


@dataclass
class Accounts:
    pool: AsyncConnectionPool
    sessions: SessionStore
    signing_key: SigningKey
    issuer: str
    audience: str
    access_ttl: int
    refresh_lifetime: timedelta

    async def sign_up(self, *, email: str, login: str, password: str, full_name: str) -> User:
        password_hash = await passwords.hash_password(password)
        async with self.pool.connection() as conn, conn.transaction():
            user = await users.insert(conn, email=email.strip(), login=login, full_name=full_name.strip(),
                                      password_hash=password_hash)
            await event_publisher.publish(conn, UserSignedUp(user))
        log.info("user signed up", user_id=user.id)
        return user

    def _access(self, user_id: str, session_id: str, roles: list[str]) -> str:
        return self.signing_key.issue_access_token(
            user_id=user_id, session_id=session_id, roles=roles, issuer=self.issuer,
            audience=self.audience, ttl=self.access_ttl,
        )

    async def sign_in(self, *, login: str, password: str) -> TokenPair:
        async with self.pool.connection() as conn:
            found = await users.credentials(conn, login.strip())
            await conn.rollback()
        user, stored_hash = found if found else (None, None)
        # Same error and (thanks to the dummy hash) same cost whether or not the account exists.
        if not await passwords.verify_password(stored_hash, password) or user is None:
            raise Unauthenticated(BAD_CREDENTIALS, "INVALID_CREDENTIALS")
        async with self.pool.connection() as conn, conn.transaction():
            session_id, refresh = await self.sessions.open(conn, user.id, self.refresh_lifetime)
        await self.sessions.cache(session_id, user.id)
        return TokenPair(self._access(user.id, session_id, list(user.roles)), refresh, self.access_ttl)

    async def refresh(self, token: str) -> TokenPair:
        async with self.pool.connection() as conn, conn.transaction():
            record = await self.sessions.claim_refresh(conn, token)
            if record is None or record.revoked or record.expired:
                raise Unauthenticated("invalid refresh token", "REFRESH_TOKEN_INVALID")
            if record.used:
                # A rotated token came back: it was stolen or replayed. Kill the family.
                await self.sessions.revoke(conn, record.session_id, "refresh token reuse")
                reused = record.session_id
            else:
                reused = None
                new_refresh = await self.sessions.rotate(conn, token, record.session_id)
                user = await users.by_id(conn, record.user_id)
        if reused is not None:
            await self.sessions.forget(reused)
            log.warning("refresh token reuse: session revoked", session_id=reused, user_id=record.user_id)
            raise Unauthenticated("refresh token reuse detected; session revoked", "REFRESH_TOKEN_REUSED")
        if user is None:
            raise Unauthenticated("invalid refresh token", "REFRESH_TOKEN_INVALID")
        await self.sessions.cache(record.session_id, user.id)
        return TokenPair(self._access(user.id, record.session_id, list(user.roles)), new_refresh,
                         self.access_ttl)

    async def logout(self, session_id: str) -> None:
        async with self.pool.connection() as conn, conn.transaction():
            await self.sessions.revoke(conn, session_id, "logout")
        await self.sessions.forget(session_id)

    async def require_active_session(self, session_id: str) -> None:
        await self.sessions.require_active(session_id)
