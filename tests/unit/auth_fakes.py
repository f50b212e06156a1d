"""In-memory fakes of auth-service's ports (services/auth/service_layer/ports.py), for
unit tests of its use cases. They keep the contracts the adapters keep: emails and
logins unique case-insensitively, a unit of work whose writes and staged events
survive only if it commits, refresh tokens spent once."""

from __future__ import annotations

import copy
import secrets
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Self

from services.auth.domain.events import UserSignedUp, UserUpdated
from services.auth.domain.model import RefreshRecord, StoredPassword, User
from services.auth.domain.sign_in_throttling import Backoff, SignInThrottling, Throttled, seconds_from_millis
from services.runtime.errors import AlreadyExists, InvalidArgument, Unauthenticated
from services.runtime.uploads import PresignedUpload

START = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)


class FakeClock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class SessionRow:
    user_id: str
    expire_time: datetime
    revoke_reason: str | None = None


@dataclass
class AuthTables:
    users: dict[str, User] = field(default_factory=dict)
    password_hashes: dict[str, str] = field(default_factory=dict)
    legacy_hashes: set[str] = field(default_factory=set)  # user ids whose hash predates NFKC (0002)
    sessions: dict[str, SessionRow] = field(default_factory=dict)
    refresh_tokens: dict[str, tuple[str, bool]] = field(default_factory=dict)  # token -> (session, used)


class CommitFailed(Exception):
    """What a failed COMMIT (e.g. a lost connection) raises in the fake."""


@dataclass
class FakeDatabase:
    """Tables plus the outbox as the relay would see it: only committed events."""

    clock: FakeClock
    tables: AuthTables = field(default_factory=AuthTables)
    published: list[UserSignedUp | UserUpdated] = field(default_factory=list)
    units_opened: int = 0
    fail_next_commit: bool = False


class FakeUsers:
    def __init__(self, db: FakeDatabase) -> None:
        self._db = db

    def _taken(self, field_name: str, value: str) -> bool:
        return any(getattr(u, field_name).lower() == value.lower() for u in self._db.tables.users.values())

    async def add(self, *, email: str, login: str, full_name: str, password_hash: str) -> User:
        for name, value in (("email", email), ("login", login)):
            if self._taken(name, value):
                raise AlreadyExists(f"{name} is already taken", f"{name.upper()}_TAKEN", {"field": name})
        now = self._db.clock()
        user = User(id=str(uuid.uuid4()), email=email, login=login, full_name=full_name, phone="", city="",
                    birth_date=None, bio="", interests=(), avatar="", roles=("user",), create_time=now,
                    update_time=now)
        self._db.tables.users[user.id] = user
        self._db.tables.password_hashes[user.id] = password_hash
        return user

    async def get(self, user_id: str, *, for_update: bool = False) -> User | None:
        return self._db.tables.users.get(user_id)

    async def find(self, login_or_email: str, *, for_update: bool = False) -> User | None:
        name = login_or_email.lower()
        return next((u for u in self._db.tables.users.values() if name in (u.email.lower(), u.login.lower())), None)

    async def credentials(self, login_or_email: str) -> tuple[User, StoredPassword] | None:
        user = await self.find(login_or_email)
        if user is None:
            return None
        tables = self._db.tables
        return user, StoredPassword(tables.password_hashes[user.id], user.id not in tables.legacy_hashes)

    async def replace_password_hash(self, user_id: str, old_hash: str, new_hash: str) -> None:
        if self._db.tables.password_hashes.get(user_id) == old_hash:
            self._db.tables.password_hashes[user_id] = new_hash
            self._db.tables.legacy_hashes.discard(user_id)

    async def save(self, user: User) -> None:
        assert user.id in self._db.tables.users
        self._db.tables.users[user.id] = user


class FakeSessions:
    def __init__(self, db: FakeDatabase) -> None:
        self._db = db

    def _new_refresh(self, session_id: str) -> str:
        token = secrets.token_urlsafe(16)
        self._db.tables.refresh_tokens[token] = (session_id, False)
        return token

    async def open(self, user_id: str, lifetime: timedelta) -> tuple[str, str]:
        session_id = str(uuid.uuid4())
        self._db.tables.sessions[session_id] = SessionRow(user_id, self._db.clock() + lifetime)
        return session_id, self._new_refresh(session_id)

    async def claim_refresh(self, token: str) -> RefreshRecord | None:
        if token not in self._db.tables.refresh_tokens:
            return None
        session_id, used = self._db.tables.refresh_tokens[token]
        session = self._db.tables.sessions[session_id]
        return RefreshRecord(session_id, session.user_id, used, session.revoke_reason is not None,
                             session.expire_time < self._db.clock())

    async def rotate(self, token: str, session_id: str) -> str:
        self._db.tables.refresh_tokens[token] = (session_id, True)
        return self._new_refresh(session_id)

    async def revoke(self, session_id: str, reason: str) -> None:
        session = self._db.tables.sessions[session_id]
        if session.revoke_reason is None:
            session.revoke_reason = reason


class FakeUnitOfWork:
    """Snapshots the tables on entry and puts them back unless the block commits."""

    def __init__(self, db: FakeDatabase) -> None:
        self._db = db
        self.users = FakeUsers(db)
        self.sessions = FakeSessions(db)
        self._staged: list[UserSignedUp | UserUpdated] = []
        self._snapshot: AuthTables | None = None

    async def stage(self, event: UserSignedUp | UserUpdated) -> None:
        assert self._snapshot is not None, "staged outside the unit of work"
        self._staged.append(event)

    async def __aenter__(self) -> Self:
        self._db.units_opened += 1
        self._snapshot = copy.deepcopy(self._db.tables)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        snapshot, self._snapshot = self._snapshot, None
        assert snapshot is not None
        if exc is None and self._db.fail_next_commit:
            self._db.fail_next_commit = False
            self._db.tables = snapshot
            raise CommitFailed("commit failed")
        if exc is not None:
            self._db.tables = snapshot
            return
        self._db.published.extend(self._staged)


class FakePasswordHasher:
    def __init__(self) -> None:
        self.verified = 0

    async def hash(self, password: str) -> str:
        return "hashed:" + password[::-1]

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        self.verified += 1  # called whether or not the account exists (same cost)
        return stored_hash is not None and stored_hash == "hashed:" + password[::-1]

    def needs_rehash(self, stored_hash: str) -> bool:
        return not stored_hash.startswith("hashed:")


class FakeBlocklist:
    def __init__(self, *words: str) -> None:
        self.words = {w.lower() for w in words} or {"password", "12345678", "qwertyuiop", "iloveyou"}

    def is_common(self, password: str) -> bool:
        return password.lower() in self.words


class FakeAccessTokens:
    def issue_access_token(self, *, user_id: str, session_id: str, roles: list[str], issuer: str,
                           audience: str, ttl: int) -> str:
        return f"at|{user_id}|{session_id}|{','.join(roles)}|{ttl}"


class FakeActiveSessions:
    """Redis `session:{sid}` keys, falling back to the tables like SessionStore does."""

    def __init__(self, db: FakeDatabase) -> None:
        self._db = db
        self.cached: set[str] = set()

    def key(self, session_id: str) -> str:
        return f"session:{session_id}"

    async def cache(self, session_id: str, user_id: str) -> None:
        self.cached.add(self.key(session_id))

    async def forget(self, session_id: str) -> None:
        self.cached.discard(self.key(session_id))

    async def require_active(self, session_id: str, *, cached: bool | None = None) -> None:
        if cached if cached is not None else self.key(session_id) in self.cached:
            return
        self._db.units_opened += 1  # the fallback reads the record
        session = self._db.tables.sessions.get(session_id)
        if session is None or session.revoke_reason is not None or session.expire_time < self._db.clock():
            raise Unauthenticated("session is closed", "SESSION_REVOKED")
        self.cached.add(self.key(session_id))


class FakeProfileCache:
    def __init__(self, active: FakeActiveSessions) -> None:
        self._active = active
        self.profiles: dict[str, User] = {}

    async def get(self, user_id: str) -> User | None:
        return self.profiles.get(user_id)

    async def get_with_key(self, user_id: str, other_key: str) -> tuple[bool, User | None]:
        return other_key in self._active.cached, self.profiles.get(user_id)

    async def put(self, user: User) -> None:
        self.profiles[user.id] = replace(user)


class FakeAvatarStore:
    """Pending keys and uploads in memory; `objects` maps an uploaded key to what its check
    finds (a saved name like "<sha>.png", or None for a file that is not an image)."""

    upload_ttl = timedelta(minutes=15)

    def __init__(self) -> None:
        self.pending_keys: dict[str, str] = {}
        self.objects: dict[str, str | None] = {}

    def upload(self, object_key: str, content_type: str) -> PresignedUpload:
        return PresignedUpload("https://s3.test/kulturago", {"key": f"avatars/pending/{object_key}",
                                                             "Content-Type": content_type, "policy": "p"},
                               content_type, 1024, 5 * 1024 * 1024, START)

    def view_url(self, avatar: str) -> str:
        return f"https://s3.test/avatars/{avatar}" if avatar else ""

    async def remember_pending(self, user_id: str, object_key: str) -> None:
        self.pending_keys[user_id] = object_key

    async def pending(self, user_id: str) -> str | None:
        return self.pending_keys.get(user_id)

    async def consume_pending(self, user_id: str, object_key: str) -> bool:
        if self.pending_keys.get(user_id) != object_key:
            return False
        del self.pending_keys[user_id]
        return True

    async def accept(self, object_key: str) -> str:
        if object_key not in self.objects:
            raise InvalidArgument.on_field("avatar", "nothing uploaded", "AVATAR_NOT_UPLOADED")
        saved = self.objects.pop(object_key)  # the pending object is gone either way
        if saved is None:
            raise InvalidArgument.on_field("avatar", "not an image", "AVATAR_NOT_AN_IMAGE")
        return saved


@dataclass
class _Counter:
    failures: int = 0
    forget_at: datetime = START
    locked_until: datetime = START


class FakeSignInThrottle:
    """The Redis counters of RedisSignInThrottle on the fake clock (same rules: the account's
    wait applies only to clients with failures of their own; admitted attempts count)."""

    def __init__(self, clock: FakeClock, rules: SignInThrottling | None = None) -> None:
        self._clock = clock
        self.rules = rules or SignInThrottling()
        self.counters: dict[tuple[str, ...], _Counter] = {}
        self.down = False  # Redis unreachable: everything is admitted

    def _get(self, key: tuple[str, ...]) -> _Counter:
        counter = self.counters.get(key)
        if counter is None or counter.forget_at <= self._clock():
            counter = self.counters[key] = _Counter(forget_at=self._clock())
        return counter

    def _fail(self, counter: _Counter, rule: Backoff) -> None:
        now = self._clock()
        counter.failures += 1
        counter.forget_at = now + timedelta(seconds=rule.window_seconds)
        wait = rule.wait_after(counter.failures)
        if wait:
            counter.locked_until = now + timedelta(seconds=wait)

    async def admit(self, account: str, client: str) -> Throttled | None:
        if self.down:
            return None
        now = self._clock()
        acct, mine = self._get((account,)), self._get((account, client))
        waits = [mine.locked_until - now] + ([acct.locked_until - now] if mine.failures else [])
        longest = max(waits)
        if longest > timedelta(0):
            return Throttled(seconds_from_millis(int(longest.total_seconds() * 1000)))
        self._fail(acct, self.rules.account)
        self._fail(mine, self.rules.client)
        return None

    async def succeeded(self, account: str, client: str) -> None:
        if self.down:
            return
        acct = self._get((account,))
        acct.failures = max(0, acct.failures - 1)
        self.counters.pop((account, client), None)
