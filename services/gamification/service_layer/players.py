"""A user's points, level and badges, and whom they follow."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from services.gamification.domain.levels import next_level_xp
from services.gamification.service_layer.ports import EarnedBadge, Follow, UnitOfWork
from services.runtime.errors import InvalidArgument, NotFound


@dataclass(frozen=True, slots=True)
class Standing:
    xp: int
    level: int
    next_level_xp: int
    badges: list[EarnedBadge]


class Players:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Callable[[], datetime]) -> None:
        self._uow = uow
        self._clock = clock

    async def standing(self, user_id: str) -> Standing:
        async with self._uow() as uow:
            xp, level = await uow.ledger.totals(user_id)
            badges = await uow.badges.of(user_id)
        return Standing(xp, level, next_level_xp(xp), badges)

    async def follow(self, user_id: str, login: str) -> Follow:
        async with self._uow() as uow:
            friend = await uow.users.by_login(login)
            if friend is None:
                raise NotFound(f"no user with login {login!r}", "USER_NOT_FOUND")
            if friend.user_id == user_id:
                raise InvalidArgument.on_field("login", "you cannot follow yourself")
            at = await uow.follows.add(user_id, friend.user_id, self._clock())
            xp, level = await uow.ledger.totals(friend.user_id)
        return Follow(friend, xp, level, at)

    async def unfollow(self, user_id: str, login: str) -> None:
        async with self._uow() as uow:
            friend = await uow.users.by_login(login)
            if friend is None:
                raise NotFound(f"no user with login {login!r}", "USER_NOT_FOUND")
            await uow.follows.remove(user_id, friend.user_id)

    async def friends(self, user_id: str) -> list[Follow]:
        async with self._uow() as uow:
            return await uow.follows.of(user_id)
