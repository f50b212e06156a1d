"""Use cases: the apps' action reports, favourites, and taking in user.action (from any
publisher) into the interaction log and the short-term profile."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Protocol, Self

from services.recommendation.domain.actions import APP_KINDS, Action, Kind, RecentAction, check_client_time
from services.runtime.errors import InvalidArgument, NotFound, ResourceExhausted
from services.runtime.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class FavouriteRow:
    slug: str
    create_time: datetime


class UnitOfWork(Protocol):
    async def stage_action(self, action: Action, source: str) -> None: ...

    async def event_exists(self, slug: str) -> bool: ...

    async def add_favourite(self, user_id: str, slug: str, at: datetime) -> bool: ...

    async def remove_favourite(self, user_id: str, slug: str) -> bool: ...

    async def favourites(self, user_id: str, after: tuple[datetime, str] | None, limit: int
                         ) -> list[FavouriteRow]: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> bool | None: ...


class RateLimiter(Protocol):
    async def take(self, user_id: str, count: int) -> bool:
        """False when the user is over their budget (the request is then refused whole)."""
        ...


class ProfileWriter(Protocol):
    async def remember(self, user_id: str, action: RecentAction) -> None: ...


@dataclass(frozen=True, slots=True)
class Reported:
    action_id: str
    kind: int
    event_slug: str
    client_time: datetime


@dataclass
class Actions:
    unit_of_work: Callable[[], UnitOfWork]
    limiter: RateLimiter
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    async def record(self, user_id: str, reported: Sequence[Reported]) -> int:
        now = self.clock()
        actions = []
        for n, r in enumerate(reported):
            if r.kind not in {int(k) for k in APP_KINDS}:
                raise InvalidArgument.on_field(f"actions[{n}].kind", "apps report VIEW, SEARCH_CLICK or SHARE")
            check_client_time(r.client_time, now, f"actions[{n}].clientTime")
            actions.append(Action(user_id, r.action_id.lower(), Kind(r.kind), r.event_slug, r.client_time))
        if not await self.limiter.take(user_id, len(actions)):
            raise ResourceExhausted("too many actions reported: slow down", "ACTIONS_RATE_LIMITED",
                                    {"retryAfterSeconds": "60"})
        async with self.unit_of_work() as uow:
            for action in actions:
                await uow.stage_action(action, "app")
        return len(actions)

    async def favourite(self, user_id: str, slug: str) -> FavouriteRow:
        now = self.clock()
        async with self.unit_of_work() as uow:
            if not await uow.event_exists(slug):
                raise NotFound(f"no event {slug!r}", "EVENT_NOT_FOUND", {"slug": slug})
            if await uow.add_favourite(user_id, slug, now):
                await uow.stage_action(Action(user_id, f"fav:{uuid.uuid4()}", Kind.FAVOURITE, slug, now), "favourites")
        return FavouriteRow(slug, now)

    async def unfavourite(self, user_id: str, slug: str) -> None:
        now = self.clock()
        async with self.unit_of_work() as uow:
            if await uow.remove_favourite(user_id, slug):
                await uow.stage_action(Action(user_id, f"unfav:{uuid.uuid4()}", Kind.UNFAVOURITE, slug, now),
                                       "favourites")

    async def list_favourites(self, user_id: str, after: tuple[datetime, str] | None, limit: int
                              ) -> tuple[list[FavouriteRow], bool]:
        """(a page, whether more follow)."""
        async with self.unit_of_work() as uow:
            rows = await uow.favourites(user_id, after, limit + 1)
        return rows[:limit], len(rows) > limit


class LogWriter(Protocol):
    async def append(self, action: Action) -> bool:
        """Into the interaction log; False when already there."""
        ...


async def take_in(action: Action, log_writer: LogWriter, profiles: ProfileWriter) -> bool:
    """An action from user.action (or ticket.paid): logged once, then remembered in the
    short-term profile (a redelivery after the profile write counts twice there, which
    only nudges a decaying weight)."""
    if not await log_writer.append(action):
        return False
    await profiles.remember(action.user_id, RecentAction(action.kind, action.event_slug, action.time))
    return True
