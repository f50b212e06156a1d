"""What the use cases need from the outside: repositories on a unit of work, and the
leaderboards (Redis sorted sets)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self

from google.protobuf.message import Message

from services.gamification.domain.rules import Award, EventInfo, Fact


@dataclass(frozen=True, slots=True)
class UserInfo:
    user_id: str
    login: str
    full_name: str
    city: str


@dataclass(frozen=True, slots=True)
class EarnedBadge:
    badge_id: str
    earn_time: datetime


@dataclass(frozen=True, slots=True)
class Follow:
    user: UserInfo
    xp: int
    level: int
    follow_time: datetime


@dataclass(frozen=True, slots=True)
class Increment:
    """XP a user earned on a Moscow day, in a city ("" unknown): one line of the ledger."""

    user_id: str
    day: date
    city: str
    xp: int


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What deciding a user's fact needs, read at once (under the user's lock)."""

    today: dict[str, int]  # awards (XP > 0) per rule on the fact's Moscow day
    ever: dict[str, int]  # ... ever
    xp: int
    level: int
    city: str  # of their profile
    badges: set[str]


class Ledger(Protocol):
    async def lock_user(self, user_id: str) -> None: ...
    async def snapshot(self, user_id: str, rule_ids: Sequence[str], day: date) -> Snapshot: ...
    async def record(self, fact: Fact, awards: Sequence[Award], city: str) -> bool:
        """Records the awards of a fact; False (nothing recorded) when it was recorded before."""
        ...
    async def apply(self, user_id: str, xp: int, level: int, kind: str) -> None:
        """The user's new total and level, and one more fact of `kind`."""
        ...
    async def add_visit(self, fact: Fact) -> None: ...
    async def progress(self, user_id: str) -> tuple[dict[str, int], dict[str, int], dict[str, int]]: ...
    async def totals(self, user_id: str) -> tuple[int, int]: ...


class Badges(Protocol):
    async def of(self, user_id: str) -> list[EarnedBadge]: ...
    async def add(self, user_id: str, badge_id: str, at: datetime) -> bool: ...


class Users(Protocol):
    async def remember(self, user: UserInfo, as_of: datetime | None) -> None: ...
    async def get(self, user_id: str) -> UserInfo | None: ...
    async def by_login(self, login: str) -> UserInfo | None: ...
    async def many(self, user_ids: Sequence[str]) -> dict[str, UserInfo]: ...


class Events(Protocol):
    async def remember(self, event: EventInfo, version: int) -> None: ...
    async def get(self, slug: str) -> EventInfo | None: ...


class Follows(Protocol):
    async def add(self, follower: str, followee: str, at: datetime) -> datetime: ...
    async def remove(self, follower: str, followee: str) -> None: ...
    async def of(self, follower: str) -> list[Follow]: ...
    async def followees(self, follower: str) -> list[str]: ...


class UnitOfWork(Protocol):
    """One transaction: `async with` commits on success and rolls back on error."""

    @property
    def ledger(self) -> Ledger: ...

    @property
    def badges(self) -> Badges: ...

    @property
    def users(self) -> Users: ...

    @property
    def events(self) -> Events: ...

    @property
    def follows(self) -> Follows: ...

    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> bool | None: ...
    async def add_event(self, topic: str, key: str, message: Message) -> str: ...


class Leaderboards(Protocol):
    async def apply(self, batch_id: int, increments: Sequence[tuple[str, str, int]]) -> bool: ...
    async def top(self, key: str, limit: int) -> list[tuple[str, int]]: ...
    async def rank(self, key: str, user_id: str) -> tuple[int | None, int]: ...
    async def scores(self, key: str, user_ids: Sequence[str]) -> list[int | None]: ...
    async def replace_all(self, boards: dict[str, dict[str, int]]) -> None: ...


class Projection(Protocol):
    """The ledger's side of the leaderboard projection (adapters/projection.py)."""

    def exclusive(self) -> AbstractAsyncContextManager[None]: ...
    async def undone_batches(self) -> list[int]: ...
    async def claim_batch(self, size: int) -> int | None: ...
    async def batch_rows(self, batch_id: int) -> list[Increment]: ...
    async def mark_done(self, batch_id: int) -> None: ...
    async def all_rows(self) -> list[Increment]: ...
