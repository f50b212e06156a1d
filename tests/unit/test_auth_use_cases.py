"""auth-service's use cases (services/auth/service_layer) on in-memory fakes of their
ports: no servers, no I/O."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

import pytest
from auth_fakes import (
    CommitFailed,
    FakeAccessTokens,
    FakeActiveSessions,
    FakeAvatarStore,
    FakeBlocklist,
    FakeClock,
    FakeDatabase,
    FakePasswordHasher,
    FakeProfileCache,
    FakeSignInThrottle,
    FakeUnitOfWork,
)

from services.auth.domain.events import UserSignedUp, UserUpdated
from services.auth.domain.model import ProfileUpdate, User
from services.auth.service_layer.accounts import Accounts
from services.auth.service_layer.authentication import Authentication, TokenPair
from services.auth.service_layer.profiles import Profiles
from services.runtime.errors import (
    AlreadyExists,
    InvalidArgument,
    NotFound,
    ResourceExhausted,
    ServiceError,
    Unauthenticated,
)

PASSWORD = "s3cret-pass"


@dataclass
class Auth:
    db: FakeDatabase
    clock: FakeClock
    passwords: FakePasswordHasher
    active: FakeActiveSessions
    cache: FakeProfileCache
    avatars: FakeAvatarStore
    throttle: FakeSignInThrottle
    accounts: Accounts
    authentication: Authentication
    profiles: Profiles

    async def user(self, login: str = "anna") -> User:
        return await self.accounts.sign_up(email=f"{login}@example.com", login=login, password=PASSWORD,
                                           full_name="Анна Петрова")

    async def signed_in(self, login: str = "anna") -> tuple[User, TokenPair]:
        user = await self.user(login)
        return user, await self.authentication.sign_in(login=login, password=PASSWORD)


@pytest.fixture
def auth() -> Auth:
    clock = FakeClock()
    db = FakeDatabase(clock)
    passwords = FakePasswordHasher()
    active = FakeActiveSessions(db)
    cache = FakeProfileCache(active)
    avatars = FakeAvatarStore()
    throttle = FakeSignInThrottle(clock)

    def unit_of_work() -> FakeUnitOfWork:
        return FakeUnitOfWork(db)

    return Auth(
        db, clock, passwords, active, cache, avatars, throttle,
        Accounts(unit_of_work, passwords, FakeBlocklist(), clock),
        Authentication(unit_of_work, passwords, active, FakeAccessTokens(), issuer="kulturago", audience="api",
                       access_ttl=900, refresh_lifetime=timedelta(days=30), throttle=throttle),
        Profiles(unit_of_work, cache, avatars, active, clock),
    )


def reason(exc: pytest.ExceptionInfo[ServiceError]) -> str:
    return exc.value.reason


def session_of(pair: TokenPair) -> str:
    return pair.access_token.split("|")[2]


# Sign-up


async def test_sign_up_stores_the_user_and_publishes_user_signed_up(auth: Auth) -> None:
    user = await auth.accounts.sign_up(email="  anna@example.com ", login="anna", password=PASSWORD,
                                       full_name=" Анна Петрова ")
    assert (user.email, user.login, user.full_name, user.roles) == ("anna@example.com", "anna", "Анна Петрова",
                                                                    ("user",))
    assert auth.db.tables.password_hashes[user.id] != PASSWORD  # only the hash is stored
    assert auth.db.published == [UserSignedUp(user)]


@pytest.mark.parametrize(("email", "login", "field"), [
    ("ANNA@example.com", "someone", "email"),  # case-insensitive
    ("other@example.com", "Anna", "login"),
])
async def test_taken_email_or_login_is_already_exists_and_changes_nothing(
        auth: Auth, email: str, login: str, field: str) -> None:
    await auth.user("anna")
    with pytest.raises(AlreadyExists) as exc:
        await auth.accounts.sign_up(email=email, login=login, password=PASSWORD, full_name="")
    assert (exc.value.metadata, reason(exc)) == ({"field": field}, f"{field.upper()}_TAKEN")
    assert len(auth.db.tables.users) == 1 and len(auth.db.published) == 1


@pytest.mark.parametrize(("password", "reason"), [
    ("password", "PASSWORD_TOO_COMMON"),
    ("12345678", "PASSWORD_TOO_COMMON"),
    (" " * 8, "PASSWORD_BLANK"),
    ("anna_karenina", "PASSWORD_CONTAINS_IDENTITY"),
    ("Anna.Karenina.1877", "PASSWORD_CONTAINS_IDENTITY"),
])
async def test_a_weak_password_is_refused_and_nothing_is_stored(auth: Auth, password: str, reason: str) -> None:
    with pytest.raises(InvalidArgument) as exc:
        await auth.accounts.sign_up(email="anna.karenina@example.com", login="anna_karenina", password=password,
                                    full_name="")
    assert exc.value.reason == reason and [v.field for v in exc.value.violations] == ["password"]
    assert auth.db.tables.users == {} and auth.db.published == []


async def test_nfd_and_nfc_forms_of_a_password_are_the_same_password(auth: Auth) -> None:
    typed = "Ёлка-в-лесу-2025"
    await auth.accounts.sign_up(email="anna@example.com", login="anna", password=unicodedata.normalize("NFD", typed),
                                full_name="")
    pair = await auth.authentication.sign_in(login="anna", password=unicodedata.normalize("NFC", typed))
    assert pair.access_token


async def test_a_hash_made_before_normalisation_is_replaced_at_the_next_sign_in(auth: Auth) -> None:
    typed = unicodedata.normalize("NFD", "Ёлка-в-лесу-2025")
    user = await auth.user()
    auth.db.tables.password_hashes[user.id] = await auth.passwords.hash(typed)  # as hashed before 0002
    auth.db.tables.legacy_hashes.add(user.id)
    with pytest.raises(Unauthenticated):  # the old hash is of the form as typed then ...
        await auth.authentication.sign_in(login="anna", password=unicodedata.normalize("NFC", typed))
    await auth.authentication.sign_in(login="anna", password=typed)  # ... which still works
    assert user.id not in auth.db.tables.legacy_hashes  # rehashed, transparently
    assert auth.db.tables.password_hashes[user.id] == await auth.passwords.hash(unicodedata.normalize("NFC", typed))
    await auth.authentication.sign_in(login="anna", password=unicodedata.normalize("NFC", typed))  # any form now


async def test_an_event_staged_in_a_unit_of_work_that_fails_to_commit_is_never_published(auth: Auth) -> None:
    auth.db.fail_next_commit = True
    with pytest.raises(CommitFailed):
        await auth.user("anna")
    assert auth.db.tables.users == {} and auth.db.published == []


# Sign-in


async def test_sign_in_opens_a_session_and_issues_a_token_with_the_roles(auth: Auth) -> None:
    user, pair = await auth.signed_in()
    assert pair.access_token == f"at|{user.id}|{session_of(pair)}|user|900" and pair.expires_in == 900
    assert auth.active.key(session_of(pair)) in auth.active.cached
    assert (await auth.authentication.sign_in(login="ANNA@example.com", password=PASSWORD)).refresh_token


@pytest.mark.parametrize(("login", "password"), [("anna", "wrong-pass"), ("nobody", PASSWORD)])
async def test_wrong_password_and_unknown_login_fail_alike(auth: Auth, login: str, password: str) -> None:
    await auth.user("anna")
    with pytest.raises(Unauthenticated) as exc:
        await auth.authentication.sign_in(login=login, password=password)
    assert (str(exc.value), reason(exc)) == ("invalid login or password", "INVALID_CREDENTIALS")
    assert auth.passwords.verified == 1  # a hash is checked even for an unknown login
    assert auth.db.tables.sessions == {}


# Brute-force protection (services/auth/domain/sign_in_throttling.py)

ATTACKER, OWNER = "203.0.113.7", "198.51.100.20"


async def attempt(auth: Auth, password: str, client: str, login: str = "anna") -> str:
    """'ok', 'wrong', or 'wait <seconds>'."""
    try:
        await auth.authentication.sign_in(login=login, password=password, client=client)
    except Unauthenticated:
        return "wrong"
    except ResourceExhausted as exc:
        assert exc.reason == "SIGN_IN_THROTTLED"
        return f"wait {exc.metadata['retryAfterSeconds']}"
    return "ok"


async def test_failures_from_one_client_back_off_exponentially_up_to_the_cap(auth: Auth) -> None:
    await auth.user()
    assert [await attempt(auth, "wrong-pass", ATTACKER) for _ in range(5)] == ["wrong"] * 5
    verified = auth.passwords.verified
    # The right password is refused too, without being checked (no argon2 for a locked client).
    assert await attempt(auth, PASSWORD, ATTACKER) == "wait 1"
    assert auth.passwords.verified == verified
    waits = []
    for _ in range(12):
        wait = int((await attempt(auth, "wrong-pass", ATTACKER)).split()[1])
        waits.append(wait)
        auth.clock.advance(seconds=wait)
        assert await attempt(auth, "wrong-pass", ATTACKER) == "wrong"  # one more guess after each wait
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]
    auth.clock.advance(seconds=300)
    assert await attempt(auth, PASSWORD, ATTACKER) == "ok"


async def test_fifty_wrong_passwords_then_the_right_one_is_refused(auth: Auth) -> None:
    await auth.user()
    outcomes = [await attempt(auth, f"guess-{i:03}", ATTACKER) for i in range(50)]
    assert outcomes.count("wrong") == 5 and outcomes[5:] == ["wait 1"] * 45
    assert await attempt(auth, PASSWORD, ATTACKER) == "wait 1"


async def test_an_attacker_cannot_lock_the_owner_out(auth: Auth) -> None:
    await auth.user()
    for _ in range(40):  # as fast as the waits allow: the account's own counter is far past its cap
        while (outcome := await attempt(auth, "wrong-pass", ATTACKER)) != "wrong":
            auth.clock.advance(seconds=int(outcome.split()[1]))
    assert (await attempt(auth, PASSWORD, ATTACKER)).startswith("wait")
    # The owner, from an address with no failures of its own, signs in at once ...
    assert await attempt(auth, PASSWORD, OWNER) == "ok"
    # ... and after a typo of their own waits at most the capped account wait.
    assert await attempt(auth, "typo-pass", OWNER) == "wrong"
    wait = await attempt(auth, PASSWORD, OWNER)
    assert wait.startswith("wait") and int(wait.split()[1]) <= 300
    auth.clock.advance(seconds=int(wait.split()[1]))
    assert await attempt(auth, PASSWORD, OWNER) == "ok"


async def test_many_addresses_get_one_guess_each_then_the_account_wait(auth: Auth) -> None:
    await auth.user()
    bots = [f"192.0.2.{i}" for i in range(1, 13)]
    assert [await attempt(auth, "wrong-pass", bot) for bot in bots] == ["wrong"] * 12
    # Each has failed once on an account past its free failures: all wait the account's backoff.
    assert [await attempt(auth, "wrong-pass", bot) for bot in bots] == ["wait 4"] * 12


async def test_unknown_logins_are_throttled_exactly_like_existing_ones(auth: Auth) -> None:
    await auth.user()
    known = [await attempt(auth, "wrong-pass", ATTACKER, login="anna") for _ in range(8)]
    unknown = [await attempt(auth, "wrong-pass", ATTACKER, login="nobody") for _ in range(8)]
    assert known == unknown == ["wrong"] * 5 + ["wait 1"] * 3


async def test_a_success_forgets_the_clients_own_failures(auth: Auth) -> None:
    await auth.user()
    for _ in range(2):
        assert [await attempt(auth, "wrong-pass", OWNER) for _ in range(4)] == ["wrong"] * 4
        assert await attempt(auth, PASSWORD, OWNER) == "ok"


async def test_identifiers_are_counted_case_insensitively_login_and_email_apart(auth: Auth) -> None:
    await auth.user()
    assert [await attempt(auth, "wrong-pass", ATTACKER, login=f) for f in ["Anna", "anna ", "ANNA", "anna", "anna",
                                                                           "aNNa"]] == ["wrong"] * 5 + ["wait 1"]
    # Sharing one counter would tell that the login and the e-mail are one account.
    assert await attempt(auth, PASSWORD, ATTACKER, login="anna@example.com") == "ok"


async def test_without_its_counters_sign_in_still_works(auth: Auth) -> None:
    await auth.user()
    auth.throttle.down = True  # what RedisSignInThrottle does when Redis is unreachable
    assert [await attempt(auth, "wrong-pass", ATTACKER) for _ in range(20)] == ["wrong"] * 20
    assert await attempt(auth, PASSWORD, ATTACKER) == "ok"


# Refresh, reuse, logout


async def test_refresh_rotates_the_token_within_the_session(auth: Auth) -> None:
    user, first = await auth.signed_in()
    second = await auth.authentication.refresh(first.refresh_token)
    assert second.refresh_token != first.refresh_token
    assert second.access_token == f"at|{user.id}|{session_of(first)}|user|900"
    third = await auth.authentication.refresh(second.refresh_token)  # the new one works once too
    assert session_of(third) == session_of(first)


async def test_a_spent_refresh_token_coming_back_revokes_the_whole_session(auth: Auth) -> None:
    _, first = await auth.signed_in()
    second = await auth.authentication.refresh(first.refresh_token)
    with pytest.raises(Unauthenticated) as exc:
        await auth.authentication.refresh(first.refresh_token)  # replayed (stolen?)
    assert reason(exc) == "REFRESH_TOKEN_REUSED"
    session = session_of(first)
    # The revocation is committed although the call failed, and the cache forgets it.
    assert auth.db.tables.sessions[session].revoke_reason == "refresh token reuse"
    assert auth.active.key(session) not in auth.active.cached
    with pytest.raises(Unauthenticated) as exc:
        await auth.authentication.refresh(second.refresh_token)  # the thief's or the user's: both dead
    assert reason(exc) == "REFRESH_TOKEN_INVALID"
    with pytest.raises(Unauthenticated) as exc:
        await auth.authentication.require_active_session(session)
    assert reason(exc) == "SESSION_REVOKED"


async def test_unknown_and_expired_refresh_tokens_are_invalid(auth: Auth) -> None:
    _, pair = await auth.signed_in()
    with pytest.raises(Unauthenticated) as exc:
        await auth.authentication.refresh("never-issued")
    assert reason(exc) == "REFRESH_TOKEN_INVALID"
    auth.clock.advance(days=31)
    with pytest.raises(Unauthenticated) as exc:
        await auth.authentication.refresh(pair.refresh_token)
    assert reason(exc) == "REFRESH_TOKEN_INVALID"


async def test_logout_closes_the_session_everywhere(auth: Auth) -> None:
    _, pair = await auth.signed_in()
    session = session_of(pair)
    await auth.authentication.logout(session)
    assert auth.db.tables.sessions[session].revoke_reason == "logout"
    with pytest.raises(Unauthenticated):
        await auth.authentication.require_active_session(session)
    with pytest.raises(Unauthenticated) as exc:
        await auth.authentication.refresh(pair.refresh_token)
    assert reason(exc) == "REFRESH_TOKEN_INVALID"


# Profile


async def test_partial_update_keeps_absent_fields_and_publishes_the_changed_ones(auth: Auth) -> None:
    user = await auth.user()
    await auth.profiles.update(user.id, ProfileUpdate(city="Москва", bio="Люблю джаз"))
    auth.clock.advance(minutes=5)
    updated = await auth.profiles.update(user.id, ProfileUpdate(city="Тверь", interests=(" Джаз ", "джаз")))
    assert (updated.city, updated.bio, updated.interests, updated.full_name) == (
        "Тверь", "Люблю джаз", ("джаз",), "Анна Петрова")
    assert updated.update_time == auth.clock.now
    assert auth.db.tables.users[user.id] == updated and auth.cache.profiles[user.id] == updated
    assert [(type(e), getattr(e, "changed_fields", ())) for e in auth.db.published] == [
        (UserSignedUp, ()), (UserUpdated, ("city", "bio")), (UserUpdated, ("city", "interests"))]


async def test_an_update_that_changes_nothing_publishes_nothing(auth: Auth) -> None:
    user = await auth.user()
    same = await auth.profiles.update(user.id, ProfileUpdate(full_name=" Анна Петрова ", city=""))
    assert same == user and len(auth.db.published) == 1


async def test_birth_date_is_checked_against_the_clock_and_a_bad_one_changes_nothing(auth: Auth) -> None:
    user = await auth.user()
    today = auth.clock.now.date()
    updated = await auth.profiles.update(user.id, ProfileUpdate(birth_date=today.isoformat()))
    assert updated.birth_date == today
    with pytest.raises(InvalidArgument) as exc:
        await auth.profiles.update(user.id, ProfileUpdate(city="Омск",
                                                          birth_date=(today + timedelta(days=1)).isoformat()))
    assert [v.field for v in exc.value.violations] == ["birthDate"]
    assert auth.db.tables.users[user.id].city == "" and len(auth.db.published) == 2


async def test_own_profile_from_the_cache_costs_no_transaction(auth: Auth) -> None:
    user, pair = await auth.signed_in()
    first = await auth.profiles.get_own(user.id, session_of(pair))  # loads and caches
    opened = auth.db.units_opened
    assert await auth.profiles.get_own(user.id, session_of(pair)) == first == user
    assert auth.db.units_opened == opened
    await auth.authentication.logout(session_of(pair))
    with pytest.raises(Unauthenticated):
        await auth.profiles.get_own(user.id, session_of(pair))


async def test_profile_of_a_missing_user_is_not_found(auth: Auth) -> None:
    with pytest.raises(NotFound):
        await auth.profiles.get("00000000-0000-0000-0000-000000000000")


# Avatars

SAVED = "f" * 64 + ".png"  # what the check of an uploaded image names it (content-addressed)


async def test_presign_remembers_the_key_of_the_spec(auth: Auth) -> None:
    user = await auth.user()
    avatar = await auth.profiles.presign_avatar(user.id)
    nanos = int(auth.clock.now.timestamp()) * 10**9
    assert avatar.object_key == hashlib.sha256(f"anna@example.com:anna:{nanos}".encode()).hexdigest() + ".jpg"
    assert avatar.upload.expires == auth.clock.now + timedelta(minutes=15)
    assert avatar.upload.content_type == "image/jpeg"  # the default
    assert auth.avatars.pending_keys[user.id] == avatar.object_key
    assert (await auth.profiles.presign_avatar(user.id, "image/png")).upload.content_type == "image/png"


@pytest.mark.parametrize(("whose", "uploaded", "expected"), [
    ("someone else's", SAVED, "AVATAR_KEY_UNKNOWN"),
    ("mine", "nothing", "AVATAR_NOT_UPLOADED"),
    ("mine", None, "AVATAR_NOT_AN_IMAGE"),
])
async def test_only_my_pending_and_uploaded_image_is_accepted(
        auth: Auth, whose: str, uploaded: str | None, expected: str) -> None:
    me, other = await auth.user("anna"), await auth.user("boris")
    key = (await auth.profiles.presign_avatar(me.id if whose == "mine" else other.id)).object_key
    if uploaded != "nothing":
        auth.avatars.objects[key] = uploaded
    with pytest.raises(InvalidArgument) as exc:
        await auth.profiles.update(me.id, ProfileUpdate(avatar=key, city="Омск"))
    assert reason(exc) == expected and exc.value.violations[0].field == "avatar"
    assert auth.db.tables.users[me.id].avatar == "" and auth.db.tables.users[me.id].city == ""


async def test_an_uploaded_avatar_is_saved_under_its_checked_name_once(auth: Auth) -> None:
    user = await auth.user()
    key = (await auth.profiles.presign_avatar(user.id)).object_key
    auth.avatars.objects[key] = SAVED
    assert (await auth.profiles.update(user.id, ProfileUpdate(avatar=key))).avatar == SAVED
    assert user.id not in auth.avatars.pending_keys  # single use
    auth.avatars.objects[key] = SAVED  # uploaded again with the same (still valid) policy
    with pytest.raises(InvalidArgument) as exc:
        await auth.profiles.update(user.id, ProfileUpdate(avatar=key))
    assert reason(exc) == "AVATAR_KEY_UNKNOWN"
    removed = await auth.profiles.update(user.id, ProfileUpdate(avatar=""))  # empty key: no avatar
    assert removed.avatar == ""
    assert [e.changed_fields for e in auth.db.published if isinstance(e, UserUpdated)] == [("avatar",), ("avatar",)]


async def test_a_key_whose_upload_is_missing_stays_pending(auth: Auth) -> None:
    user = await auth.user()
    key = (await auth.profiles.presign_avatar(user.id)).object_key
    with pytest.raises(InvalidArgument):
        await auth.profiles.update(user.id, ProfileUpdate(avatar=key))
    auth.avatars.objects[key] = SAVED  # the client uploads, then retries
    assert (await auth.profiles.update(user.id, ProfileUpdate(avatar=key))).avatar == SAVED


# Roles


async def test_granting_a_role_publishes_user_updated_in_the_same_transaction(auth: Auth) -> None:
    user = await auth.user()
    auth.clock.advance(hours=1)
    admin = await auth.accounts.grant_role("ANNA@example.com", "admin")
    assert admin.roles == ("user", "admin") and admin.update_time == auth.clock.now
    assert auth.db.tables.users[user.id] == admin
    assert auth.db.published[-1] == UserUpdated(admin, ("roles",))
    again = await auth.accounts.grant_role("anna", "admin")  # idempotent: no change, no event
    assert again == admin and len(auth.db.published) == 2
    pair = await auth.authentication.sign_in(login="anna", password=PASSWORD)
    assert pair.access_token.split("|")[3] == "user,admin"


async def test_a_grant_that_fails_to_commit_publishes_nothing(auth: Auth) -> None:
    user = await auth.user()
    auth.db.fail_next_commit = True
    with pytest.raises(CommitFailed):
        await auth.accounts.grant_role("anna", "admin")
    assert auth.db.tables.users[user.id].roles == ("user",) and len(auth.db.published) == 1


async def test_granting_to_nobody_or_an_unknown_role_fails(auth: Auth) -> None:
    await auth.user()
    with pytest.raises(NotFound):
        await auth.accounts.grant_role("nobody@example.com", "admin")
    with pytest.raises(InvalidArgument):
        await auth.accounts.grant_role("anna", "superuser")
    assert len(auth.db.published) == 1

