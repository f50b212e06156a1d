"""Leaderboards: the projector that adds the XP ledger's new rows to the Redis sorted sets
(exactly once: a batch is claimed in PostgreSQL first, Redis takes a batch id once, then
it is marked done), the rebuild from the ledger, and reading a board with my own rank."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from services.gamification.domain.boards import board_key, boards_of
from services.gamification.domain.calendar import period_key
from services.gamification.service_layer.ports import Increment, Leaderboards, Projection, UnitOfWork, UserInfo

DEFAULT_LIMIT = 10
DEFAULT_CITY = "moscow"


def increments(rows: Sequence[Increment]) -> list[tuple[str, str, int]]:
    return [(key, row.user_id, row.xp) for row in rows if row.xp for key in boards_of(row.day, row.city)]


def totals(rows: Sequence[Increment]) -> dict[str, dict[str, int]]:
    boards: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for key, user_id, xp in increments(rows):
        boards[key][user_id] += xp
    return {k: dict(v) for k, v in boards.items()}


class Projector:
    def __init__(self, projection: Projection, boards: Leaderboards, *, batch: int = 1000) -> None:
        self._projection = projection
        self._boards = boards
        self._batch = batch

    async def _apply(self, batch_id: int) -> int:
        rows = await self._projection.batch_rows(batch_id)
        await self._boards.apply(batch_id, increments(rows))
        await self._projection.mark_done(batch_id)
        return len(rows)

    async def _drain(self) -> int:
        moved = 0
        for batch_id in await self._projection.undone_batches():  # left by a crash: same id, same rows
            moved += await self._apply(batch_id)
        while (claimed := await self._projection.claim_batch(self._batch)) is not None:
            moved += await self._apply(claimed)
        return moved

    async def step(self) -> int:
        """Projects what the ledger has that Redis has not; returns the rows moved."""
        async with self._projection.exclusive():
            return await self._drain()

    async def rebuild(self) -> tuple[int, int]:
        """Replaces every board with the ledger's sums; returns (users, scores)."""
        async with self._projection.exclusive():
            await self._drain()  # everything in the ledger is then in a done batch
            boards = totals(await self._projection.all_rows())
            await self._boards.replace_all(boards)
        return len({u for b in boards.values() for u in b}), sum(len(b) for b in boards.values())


@dataclass(frozen=True, slots=True)
class Entry:
    rank: int  # 1-based; 0: not on the board
    user_id: str
    xp: int
    user: UserInfo | None = None


@dataclass(frozen=True, slots=True)
class Board:
    scope: str
    period: str
    city: str
    entries: list[Entry]
    me: Entry


class LeaderboardReader:
    def __init__(self, uow: Callable[[], UnitOfWork], boards: Leaderboards, clock: Callable[[], datetime]) -> None:
        self._uow = uow
        self._boards = boards
        self._clock = clock

    async def read(self, user_id: str, scope: str, period: str, limit: int, city: str) -> Board:
        scope, period, limit = scope or "global", period or "all", limit or DEFAULT_LIMIT
        bucket = period_key(period, self._clock())
        followees: list[str] = []
        if scope == "friends" or (scope == "city" and not city):  # else no read before Redis
            async with self._uow() as uow:
                if scope == "city":
                    me_user = await uow.users.get(user_id)
                    city = (me_user.city if me_user and me_user.city in ("moscow", "spb") else "") or DEFAULT_CITY
                else:
                    followees = await uow.follows.followees(user_id)
        key = board_key(scope, bucket, city)
        if scope == "friends":
            members = [user_id, *followees]
            scores = await self._boards.scores(key, members)
            ranked = sorted(((s, u) for u, s in zip(members, scores, strict=True) if s), key=lambda t: (-t[0], t[1]))
            entries = [Entry(n, u, s) for n, (s, u) in enumerate(ranked, 1)]
            me = next((e for e in entries if e.user_id == user_id), Entry(0, user_id, 0))
            entries = entries[:limit]
        else:
            entries = [Entry(n, u, s) for n, (u, s) in enumerate(await self._boards.top(key, limit), 1)]
            rank, xp = await self._boards.rank(key, user_id)
            me = Entry(rank + 1 if rank is not None else 0, user_id, xp)
        async with self._uow() as uow:
            users = await uow.users.many([e.user_id for e in entries] + [user_id])
        return Board(scope, period, city if scope == "city" else "",
                     [Entry(e.rank, e.user_id, e.xp, users.get(e.user_id)) for e in entries],
                     Entry(me.rank, user_id, me.xp, users.get(user_id)))
