"""In-memory fakes of event-service's ports (services/event/service_layer/ports.py), for
unit tests of the catalog use cases. They keep the adapters' contracts: upsert by slug
bumps the version, lists are ordered by (next start, slug) after a keyset cursor, a
unit of work's writes and staged events survive only if it commits."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType
from typing import Self

from services.event.domain.events import EventPublished
from services.event.domain.model import Cursor, Event, ListQuery, Page


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class CommitFailed(Exception):
    """What a failed COMMIT raises in the fake."""


@dataclass
class FakeDatabase:
    clock: FakeClock
    events: dict[str, Event] = field(default_factory=dict)
    published: list[EventPublished] = field(default_factory=list)  # committed: what the relay sends
    queries: list[ListQuery] = field(default_factory=list)
    units_opened: int = 0
    fail_next_commit: bool = False


def _next_start(event: Event, query: ListQuery) -> datetime | None:
    return min((s.start for s in event.sessions
                if s.end > query.window_start and (query.window_end is None or s.start < query.window_end)),
               default=None)


class FakeEvents:
    def __init__(self, db: FakeDatabase) -> None:
        self._db = db

    async def upsert(self, event: Event) -> Event:
        now = self._db.clock()
        current = self._db.events.get(event.slug)
        stored = replace(event, version=current.version + 1 if current else 1,
                         create_time=current.create_time if current else now, update_time=now)
        self._db.events[event.slug] = stored
        return stored

    async def by_slug(self, slug: str) -> Event | None:
        return self._db.events.get(slug)

    async def list_page(self, query: ListQuery, after: Cursor | None) -> Page:
        self._db.queries.append(query)
        matching = []
        for event in self._db.events.values():
            start = _next_start(event, query)
            if start is None or (query.categories and event.category not in query.categories):
                continue
            if query.city and event.city != query.city:
                continue
            matching.append(replace(event, next_start=start))
        matching.sort(key=lambda e: (e.next_start, e.slug))
        rest = [e for e in matching if after is None or (e.next_start, e.slug) > (after.next_start, after.slug)]
        page = rest[:query.page_size]
        more = len(rest) > query.page_size
        last = page[-1] if page else None
        cursor = Cursor(last.next_start, last.slug) if more and last and last.next_start else None
        return Page(page, cursor, len(matching))


class FakeUnitOfWork:
    def __init__(self, db: FakeDatabase) -> None:
        self._db = db
        self.events = FakeEvents(db)
        self._staged: list[EventPublished] = []
        self._snapshot: dict[str, Event] | None = None

    async def stage(self, event: EventPublished) -> None:
        assert self._snapshot is not None, "staged outside the unit of work"
        self._staged.append(event)

    async def __aenter__(self) -> Self:
        self._db.units_opened += 1
        self._snapshot = copy.copy(self._db.events)  # events are immutable
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        snapshot, self._snapshot = self._snapshot, None
        assert snapshot is not None
        if exc is None and self._db.fail_next_commit:
            self._db.fail_next_commit = False
            self._db.events = snapshot
            raise CommitFailed("commit failed")
        if exc is not None:
            self._db.events = snapshot
            return
        self._db.published.extend(self._staged)


class FakeCatalogCache:
    """Both tiers in memory: a local dict and a shared one keyed by generation."""

    def __init__(self) -> None:
        self.local: dict[str, bytes] = {}
        self.shared: dict[str, bytes] = {}
        self.generation = 0
        self.invalidations = 0

    def local_get(self, key: str) -> bytes | None:
        return self.local.get(key)

    def local_put(self, key: str, value: bytes) -> None:
        self.local[key] = value

    async def get(self, key: str) -> tuple[str | None, bytes | None]:
        generation = str(self.generation)
        return generation, self.shared.get(f"{key}:{generation}")

    async def put(self, key: str, generation: str, value: bytes) -> None:
        self.shared[f"{key}:{generation}"] = value

    async def invalidate(self) -> None:
        self.invalidations += 1
        self.generation += 1
        self.local.clear()
