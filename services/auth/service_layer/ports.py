"""What auth-service's use cases need from the outside world; adapters/ implement it
(PostgreSQL, Redis, S3, argon2, the signing key) and bootstrap.py wires it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Protocol, Self

from services.auth.domain.events import UserSignedUp, UserUpdated
from services.auth.domain.model import RefreshRecord, StoredPassword, User
from services.auth.domain.sign_in_throttling import Throttled
from services.runtime.uploads import PresignedUpload

# The current instant (aware); injected so that tests choose it.
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Users(Protocol):
    """User records, in the unit of work's transaction."""

    async def add(self, *, email: str, login: str, full_name: str, password_hash: str) -> User:
        """The new user, with a hash of the NFKC-normalised password; AlreadyExists naming
        the field when the email or login (case-insensitively) is taken."""
        ...

    async def get(self, user_id: str, *, for_update: bool = False) -> User | None: ...

    async def find(self, login_or_email: str, *, for_update: bool = False) -> User | None: ...

    async def credentials(self, login_or_email: str) -> tuple[User, StoredPassword] | None:
        """The user and their password hash."""
        ...

    async def replace_password_hash(self, user_id: str, old_hash: str, new_hash: str) -> None:
        """Store `new_hash` (of the normalised password) if the hash is still `old_hash`."""
        ...

    async def save(self, user: User) -> None:
        """Store the profile fields, roles and update_time of an existing user."""
        ...


class Sessions(Protocol):
    """The record of sessions and refresh tokens, in the unit of work's transaction."""

    async def open(self, user_id: str, lifetime: timedelta) -> tuple[str, str]:
        """A new session with its first refresh token: (session_id, refresh_token)."""
        ...

    async def claim_refresh(self, token: str) -> RefreshRecord | None:
        """The token and its session, locked until the transaction ends."""
        ...

    async def rotate(self, token: str, session_id: str) -> str:
        """Spend `token`; returns the next refresh token of the session."""
        ...

    async def revoke(self, session_id: str, reason: str) -> None: ...


class UnitOfWork(Protocol):
    """One transaction: `async with` commits on success and rolls back on error, staged
    events included (they are published only once committed)."""

    @property
    def users(self) -> Users: ...

    @property
    def sessions(self) -> Sessions: ...

    async def stage(self, event: UserSignedUp | UserUpdated) -> None:
        """Add a domain event to the outbox of this transaction."""
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> bool | None: ...


# A new unit of work per use (one transaction each).
UnitOfWorkFactory = Callable[[], UnitOfWork]


class ActiveSessions(Protocol):
    """The fast path every authenticated request checks (Redis `session:{sid}`), with the
    record as the fallback."""

    def key(self, session_id: str) -> str:
        """The cache key, for callers that read it together with another one."""
        ...

    async def cache(self, session_id: str, user_id: str) -> None: ...

    async def forget(self, session_id: str) -> None: ...

    async def require_active(self, session_id: str, *, cached: bool | None = None) -> None:
        """Unauthenticated (SESSION_REVOKED) unless the session is open; `cached`: the
        caller has looked the key up already."""
        ...


class PasswordHasher(Protocol):
    async def hash(self, password: str) -> str: ...

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        """False for a wrong password, and (at the same cost) when there is no hash."""
        ...

    def needs_rehash(self, stored_hash: str) -> bool:
        """The hash was made with other (older) parameters than new ones get."""
        ...


class PasswordBlocklist(Protocol):
    def is_common(self, password: str) -> bool:
        """On a list of common (breached) passwords, case-insensitively."""
        ...


class SignInThrottle(Protocol):
    """Counters of failed sign-ins per account and per account + client, with the
    backoff of services/auth/domain/sign_in_throttling.py."""

    async def admit(self, account: str, client: str) -> Throttled | None:
        """None: the attempt may go ahead, and counts as a failure unless `succeeded`
        follows; Throttled: refused, the password is not checked. Counters that cannot
        be reached admit (sign-in degrades to unthrottled, never to unavailable)."""
        ...

    async def succeeded(self, account: str, client: str) -> None:
        """The attempt admitted last was right: it is not a failure, and the client's
        own failures on the account are forgotten."""
        ...


class AccessTokens(Protocol):
    def issue_access_token(self, *, user_id: str, session_id: str, roles: list[str], issuer: str,
                           audience: str, ttl: int) -> str: ...


class ProfileCache(Protocol):
    async def get(self, user_id: str) -> User | None: ...

    async def get_with_key(self, user_id: str, other_key: str) -> tuple[bool, User | None]:
        """(whether `other_key` exists, the cached profile) in one round trip."""
        ...

    async def put(self, user: User) -> None: ...


class AvatarStore(Protocol):
    """Pending upload keys per user (single use) and the uploaded images."""

    @property
    def upload_ttl(self) -> timedelta: ...

    def upload(self, object_key: str, content_type: str) -> PresignedUpload:
        """How the client uploads the image `object_key` (a presigned S3 POST policy)."""
        ...

    def view_url(self, avatar: str) -> str:
        """A short-lived URL serving the saved avatar with its checked type; "" for none."""
        ...

    async def remember_pending(self, user_id: str, object_key: str) -> None: ...

    async def pending(self, user_id: str) -> str | None: ...

    async def consume_pending(self, user_id: str, object_key: str) -> bool:
        """Forget the user's pending key if it is still `object_key`; False if not (used)."""
        ...

    async def accept(self, object_key: str) -> str:
        """Check the uploaded image and move it to its final immutable key; returns the
        name to save as the avatar. InvalidArgument on `avatar` when nothing was uploaded
        (AVATAR_NOT_UPLOADED) or it is not an acceptable image."""
        ...
