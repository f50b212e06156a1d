"""In-memory fakes of gamification-service's own ports (service_layer/ports.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date, datetime
from types import TracebackType
from typing import Self

from google.protobuf.message import Message

from services.gamification.domain.calendar import moscow_day
from services.gamification.domain.rules import Award, EventInfo, Fact
from services.gamification.service_layer.ports import EarnedBadge, Follow, Increment, Snapshot, UserInfo


class World:
    def __init__(self) -> None:
        self.ledger: dict[tuple[str, str, str], tuple[Fact, Award, str]] = {}
        self.ledger_ids: dict[tuple[str, str, str], int] = {}
        self.batches: dict[int, bool] = {}
        self.row_batch: dict[int, int] = {}
        self.totals: dict[str, tuple[int, int]] = {}
        self.facts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.visits: dict[tuple[str, str], EventInfo] = {}
        self.badges: dict[str, dict[str, datetime]] = defaultdict(dict)
        self.users: dict[str, UserInfo] = {}
        self.events: dict[str, EventInfo] = {}
        self.follows: dict[str, dict[str, datetime]] = defaultdict(dict)
        self.outbox: list[tuple[str, str, Message]] = []


class FakeLedger:
    def __init__(self, w: World) -> None:
        self.w = w

    async def lock_user(self, user_id: str) -> None:
        pass

    async def snapshot(self, user_id: str, rule_ids: Sequence[str], day: date) -> Snapshot:
        today: dict[str, int] = defaultdict(int)
        ever: dict[str, int] = defaultdict(int)
        for (u, rule, _), (fact, award, _) in self.w.ledger.items():
            if u == user_id and rule in rule_ids and award.xp > 0:
                ever[rule] += 1
                today[rule] += moscow_day(fact.time) == day
        user = self.w.users.get(user_id)
        return Snapshot(dict(today), dict(ever), *self.w.totals.get(user_id, (0, 1)), user.city if user else "",
                        set(self.w.badges[user_id]))

    async def record(self, fact: Fact, awards: Sequence[Award], city: str) -> bool:
        if (fact.user_id, awards[0].rule.id, fact.source_id) in self.w.ledger:
            return False
        for award in awards:
            key = (fact.user_id, award.rule.id, fact.source_id)
            self.w.ledger[key] = (fact, award, city)
            self.w.ledger_ids[key] = len(self.w.ledger_ids) + 1
        return True

    async def apply(self, user_id: str, xp: int, level: int, kind: str) -> None:
        self.w.totals[user_id] = (xp, level)
        self.w.facts[user_id][kind] += 1

    async def add_visit(self, fact: Fact) -> None:
        assert fact.event is not None
        self.w.visits.setdefault((fact.user_id, fact.event.slug), fact.event)

    async def progress(self, user_id: str) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
        by_category: dict[str, int] = defaultdict(int)
        districts: dict[str, set[str]] = defaultdict(set)
        for (u, _), event in self.w.visits.items():
            if u == user_id:
                by_category[event.category] += 1
                if event.district:
                    districts[event.city].add(event.district)
        return dict(self.w.facts[user_id]), dict(by_category), {c: len(d) for c, d in districts.items()}

    async def totals(self, user_id: str) -> tuple[int, int]:
        return self.w.totals.get(user_id, (0, 1))


class FakeBadges:
    def __init__(self, w: World) -> None:
        self.w = w

    async def of(self, user_id: str) -> list[EarnedBadge]:
        return [EarnedBadge(b, t) for b, t in self.w.badges[user_id].items()]

    async def add(self, user_id: str, badge_id: str, at: datetime) -> bool:
        if badge_id in self.w.badges[user_id]:
            return False
        self.w.badges[user_id][badge_id] = at
        return True


class FakeUsers:
    def __init__(self, w: World) -> None:
        self.w = w

    async def remember(self, user: UserInfo, as_of: datetime | None) -> None:
        self.w.users[user.user_id] = user

    async def get(self, user_id: str) -> UserInfo | None:
        return self.w.users.get(user_id)

    async def by_login(self, login: str) -> UserInfo | None:
        return next((u for u in self.w.users.values() if u.login.lower() == login.lower()), None)

    async def many(self, user_ids: Sequence[str]) -> dict[str, UserInfo]:
        return {u: self.w.users[u] for u in user_ids if u in self.w.users}


class FakeEvents:
    def __init__(self, w: World) -> None:
        self.w = w

    async def remember(self, event: EventInfo, version: int) -> None:
        self.w.events[event.slug] = event

    async def get(self, slug: str) -> EventInfo | None:
        return self.w.events.get(slug)


class FakeFollows:
    def __init__(self, w: World) -> None:
        self.w = w

    async def add(self, follower: str, followee: str, at: datetime) -> datetime:
        return self.w.follows[follower].setdefault(followee, at)

    async def remove(self, follower: str, followee: str) -> None:
        self.w.follows[follower].pop(followee, None)

    async def of(self, follower: str) -> list[Follow]:
        return [Follow(self.w.users[f], *self.w.totals.get(f, (0, 1)), at)
                for f, at in self.w.follows[follower].items()]

    async def followees(self, follower: str) -> list[str]:
        return list(self.w.follows[follower])


class FakeUnitOfWork:
    def __init__(self, w: World) -> None:
        self.w = w
        self.ledger = FakeLedger(w)
        self.badges = FakeBadges(w)
        self.users = FakeUsers(w)
        self.events = FakeEvents(w)
        self.follows = FakeFollows(w)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> bool | None:
        return None

    async def add_event(self, topic: str, key: str, message: Message) -> str:
        self.w.outbox.append((topic, key, message))
        return str(len(self.w.outbox))


class FakeProjection:
    def __init__(self, w: World) -> None:
        self.w = w

    @asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        yield

    async def undone_batches(self) -> list[int]:
        return [b for b, done in self.w.batches.items() if not done]

    async def claim_batch(self, size: int) -> int | None:
        free = [i for i in self.w.ledger_ids.values() if i not in self.w.row_batch][:size]
        if not free:
            return None
        batch = len(self.w.batches) + 1
        self.w.batches[batch] = False
        self.w.row_batch.update({i: batch for i in free})
        return batch

    def _rows(self, batch: int | None) -> list[Increment]:
        return [Increment(f.user_id, moscow_day(f.time), city, a.xp) for key, (f, a, city) in self.w.ledger.items()
                if a.xp and (batch is None or self.w.row_batch.get(self.w.ledger_ids[key]) == batch)]

    async def batch_rows(self, batch_id: int) -> list[Increment]:
        return self._rows(batch_id)

    async def mark_done(self, batch_id: int) -> None:
        self.w.batches[batch_id] = True

    async def all_rows(self) -> list[Increment]:
        return self._rows(None)


class FakeLeaderboards:
    """Sorted sets as dicts; a batch is taken once (like the Lua script)."""

    def __init__(self) -> None:
        self.boards: dict[str, dict[str, int]] = defaultdict(dict)
        self.taken: set[int] = set()

    async def apply(self, batch_id: int, increments: Sequence[tuple[str, str, int]]) -> bool:
        if batch_id in self.taken:
            return False
        self.taken.add(batch_id)
        for key, member, xp in increments:
            self.boards[key][member] = self.boards[key].get(member, 0) + xp
        return True

    def _sorted(self, key: str) -> list[tuple[str, int]]:
        return sorted(self.boards.get(key, {}).items(), key=lambda t: (-t[1], t[0]))

    async def top(self, key: str, limit: int) -> list[tuple[str, int]]:
        return self._sorted(key)[:limit]

    async def rank(self, key: str, user_id: str) -> tuple[int | None, int]:
        members = [m for m, _ in self._sorted(key)]
        return (members.index(user_id), self.boards[key][user_id]) if user_id in members else (None, 0)

    async def scores(self, key: str, user_ids: Sequence[str]) -> list[int | None]:
        return [self.boards.get(key, {}).get(u) for u in user_ids]

    async def replace_all(self, boards: dict[str, dict[str, int]]) -> None:
        self.boards = defaultdict(dict, {k: dict(v) for k, v in boards.items()})
