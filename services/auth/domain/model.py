"""The user and profile model of auth-service: pure, no I/O."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime

from services.runtime.errors import InvalidArgument

AVATAR_PREFIX = "avatars/"
_INTEREST_MAX = 30
# What access tokens may carry: "admin" may publish events, "staff" check tickets in at the door.
ROLES = frozenset({"user", "admin", "staff"})


@dataclass(frozen=True, slots=True)
class User:
    id: str
    email: str
    login: str
    full_name: str
    phone: str
    city: str
    birth_date: date | None
    bio: str
    interests: tuple[str, ...]
    avatar: str  # object key, "" when none
    roles: tuple[str, ...]
    create_time: datetime
    update_time: datetime


@dataclass(frozen=True, slots=True)
class StoredPassword:
    """A user's password hash, and whether it was made of the NFKC form (see passwords.py)."""

    hash: str
    normalized: bool


@dataclass(frozen=True, slots=True)
class ProfileUpdate:
    """A partial update: None means "absent, keep the current value"."""

    full_name: str | None = None
    phone: str | None = None
    city: str | None = None
    birth_date: str | None = None  # "YYYY-MM-DD" or "" to clear
    bio: str | None = None
    interests: tuple[str, ...] | None = None
    avatar: str | None = None

    def present(self) -> list[str]:
        return [f.name for f in fields(self) if getattr(self, f.name) is not None]


@dataclass(frozen=True, slots=True)
class ProfileChange:
    user: User
    changed: list[str] = field(default_factory=list)


def parse_birth_date(value: str, today: date) -> date | None:
    if value == "":
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise InvalidArgument.on_field("birthDate", "not a calendar date (YYYY-MM-DD)") from None
    if parsed > today or parsed.year < 1900:
        raise InvalidArgument.on_field("birthDate", "must be between 1900-01-01 and today")
    return parsed


def normalize_interests(values: tuple[str, ...]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for value in values:
        cleaned = re.sub(r"\s+", " ", value).strip().lower()
        if cleaned:
            seen.setdefault(cleaned, None)
    if len(seen) > _INTEREST_MAX:
        raise InvalidArgument.on_field("interests", f"at most {_INTEREST_MAX} interests")
    return tuple(seen)


def apply_update(user: User, update: ProfileUpdate, *, today: date, now: datetime) -> ProfileChange:
    """The user after `update`, with the names of the fields whose value changed."""
    values: dict[str, object] = {}
    if update.full_name is not None:
        values["full_name"] = update.full_name.strip()
    if update.phone is not None:
        values["phone"] = update.phone
    if update.city is not None:
        values["city"] = update.city.strip()
    if update.birth_date is not None:
        values["birth_date"] = parse_birth_date(update.birth_date, today)
    if update.bio is not None:
        values["bio"] = update.bio.strip()
    if update.interests is not None:
        values["interests"] = normalize_interests(update.interests)
    if update.avatar is not None:
        values["avatar"] = update.avatar
    changed = [name for name, value in values.items() if getattr(user, name) != value]
    if not changed:
        return ProfileChange(user, [])
    return ProfileChange(replace(user, **values, update_time=now), changed)  # type: ignore[arg-type]


def grant_role(user: User, role: str, *, now: datetime) -> ProfileChange:
    """The user with `role` added; no change when they have it already."""
    if role not in ROLES:
        raise InvalidArgument.on_field("role", f"unknown role {role!r}")
    if role in user.roles:
        return ProfileChange(user, [])
    return ProfileChange(replace(user, roles=(*user.roles, role), update_time=now), ["roles"])


@dataclass(frozen=True, slots=True)
class RefreshRecord:
    """A refresh token as found (under a row lock), with the state of its session."""

    session_id: str
    user_id: str
    used: bool
    revoked: bool
    expired: bool

    @property
    def spendable(self) -> bool:
        """Valid for one rotation: a live session and a token not spent before."""
        return not (self.used or self.revoked or self.expired)

    @property
    def replayed(self) -> bool:
        """A rotated token came back to a live session: stolen or replayed."""
        return self.used and not (self.revoked or self.expired)


def avatar_object_key(email: str, login: str, unix_nano: int) -> str:
    """objectKey = sha256(email:login:unixNano).jpg, as the product spec defines it."""
    return hashlib.sha256(f"{email}:{login}:{unix_nano}".encode()).hexdigest() + ".jpg"


def avatar_s3_key(object_key: str) -> str:
    return AVATAR_PREFIX + object_key
