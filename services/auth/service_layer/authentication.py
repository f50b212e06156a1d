"""Use cases: sign in, refresh (rotation with reuse detection), logout."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from services.auth.domain.model import StoredPassword
from services.auth.domain.passwords import normalize_password
from services.auth.domain.sign_in_throttling import account_key, client_key
from services.auth.service_layer.ports import (
    AccessTokens,
    ActiveSessions,
    PasswordHasher,
    SignInThrottle,
    UnitOfWorkFactory,
)
from services.runtime.errors import ResourceExhausted, Unauthenticated
from services.runtime.logging import get_logger

log = get_logger(__name__)

BAD_CREDENTIALS = "invalid login or password"


class _Unthrottled:
    async def admit(self, account: str, client: str) -> None:
        return None

    async def succeeded(self, account: str, client: str) -> None:
        return None


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


@dataclass
class Authentication:
    unit_of_work: UnitOfWorkFactory
    passwords: PasswordHasher
    sessions: ActiveSessions
    tokens: AccessTokens
    issuer: str
    audience: str
    access_ttl: int
    refresh_lifetime: timedelta
    throttle: SignInThrottle = field(default_factory=_Unthrottled)

    def _access(self, user_id: str, session_id: str, roles: list[str]) -> str:
        return self.tokens.issue_access_token(
            user_id=user_id, session_id=session_id, roles=roles, issuer=self.issuer,
            audience=self.audience, ttl=self.access_ttl,
        )

    async def sign_in(self, *, login: str, password: str, client: str = "") -> TokenPair:
        """`client`: the caller's address, for the per-account + per-client backoff."""
        account, client = account_key(login), client_key(client)
        # Before any lookup, and the same for unknown logins: a refusal tells nothing.
        throttled = await self.throttle.admit(account, client)
        if throttled is not None:
            wait = throttled.retry_after_seconds
            raise ResourceExhausted(f"too many failed sign-in attempts: retry in {wait} s",
                                    "SIGN_IN_THROTTLED", {"retryAfterSeconds": str(wait)})
        # The lookup's transaction ends before the (slow) hash check: no connection is
        # held while argon2 runs.
        async with self.unit_of_work() as uow:
            found = await uow.users.credentials(login.strip())
        user, stored = found if found else (None, None)
        # A hash made before passwords were normalised is of the password as typed.
        candidate = normalize_password(password) if stored is None or stored.normalized else password
        # Same error and (thanks to the dummy hash) same cost whether or not the account exists.
        if not await self.passwords.verify(stored.hash if stored else None, candidate) or user is None:
            raise Unauthenticated(BAD_CREDENTIALS, "INVALID_CREDENTIALS")
        assert stored is not None
        await self.throttle.succeeded(account, client)
        await self._rehash_if_outdated(user.id, stored, password)
        async with self.unit_of_work() as uow:
            session_id, refresh = await uow.sessions.open(user.id, self.refresh_lifetime)
        await self.sessions.cache(session_id, user.id)
        return TokenPair(self._access(user.id, session_id, list(user.roles)), refresh, self.access_ttl)

    async def _rehash_if_outdated(self, user_id: str, stored: StoredPassword, password: str) -> None:
        """Transparently replace a hash of the un-normalised password (or with old argon2
        parameters) now that the password is known to be right."""
        if stored.normalized and not self.passwords.needs_rehash(stored.hash):
            return
        new_hash = await self.passwords.hash(normalize_password(password))
        async with self.unit_of_work() as uow:
            await uow.users.replace_password_hash(user_id, stored.hash, new_hash)
        log.info("password rehashed", user_id=user_id, was_normalized=stored.normalized)

    async def refresh(self, token: str) -> TokenPair:
        async with self.unit_of_work() as uow:
            record = await uow.sessions.claim_refresh(token)
            if record is None or not (record.spendable or record.replayed):
                raise Unauthenticated("invalid refresh token", "REFRESH_TOKEN_INVALID")
            if record.replayed:
                # A rotated token came back: it was stolen or replayed. Kill the family
                # (committed: the error is raised after the block).
                await uow.sessions.revoke(record.session_id, "refresh token reuse")
                user = new_refresh = None
            else:
                new_refresh = await uow.sessions.rotate(token, record.session_id)
                user = await uow.users.get(record.user_id)
        if new_refresh is None:
            await self.sessions.forget(record.session_id)
            log.warning("refresh token reuse: session revoked", session_id=record.session_id,
                        user_id=record.user_id)
            raise Unauthenticated("refresh token reuse detected; session revoked", "REFRESH_TOKEN_REUSED")
        if user is None:
            raise Unauthenticated("invalid refresh token", "REFRESH_TOKEN_INVALID")
        await self.sessions.cache(record.session_id, user.id)
        return TokenPair(self._access(user.id, record.session_id, list(user.roles)), new_refresh,
                         self.access_ttl)

    async def logout(self, session_id: str) -> None:
        async with self.unit_of_work() as uow:
            await uow.sessions.revoke(session_id, "logout")
        await self.sessions.forget(session_id)

    async def require_active_session(self, session_id: str) -> None:
        await self.sessions.require_active(session_id)
