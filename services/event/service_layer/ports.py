"""What the catalog use cases need from the outside world; adapters/ implement it
(PostgreSQL, Redis) and bootstrap.py wires it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Protocol, Self

from services.event.domain.events import EventPublished
from services.event.domain.model import Cursor, Event, ListQuery, Page

# The current instant (aware); injected so that tests can stand where days turn.
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Events(Protocol):
    """The catalog's events, in the unit of work's transaction."""

    async def upsert(self, event: Event) -> Event:
        """Create or replace the event with this slug, sessions included. Returns it as
        stored: version 1 when new, the stored version + 1 when replaced."""
        ...

    async def by_slug(self, slug: str) -> Event | None:
        """The card, with the sessions that have not ended."""
        ...

    async def list_page(self, query: ListQuery, after: Cursor | None) -> Page:
        """Events with a session in the window, by (next start, slug), after the cursor."""
        ...


class UnitOfWork(Protocol):
    """One transaction: `async with` commits on success and rolls back on error, staged
    events included (they are published only once committed)."""

    @property
    def events(self) -> Events: ...

    async def stage(self, event: EventPublished) -> None:
        """Add a domain event to the outbox of this transaction."""
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> bool | None: ...


# A new unit of work per use (one transaction each).
UnitOfWorkFactory = Callable[[], UnitOfWork]


class CardViews(Protocol):
    """Card views of known users, for recommendation-service (user.action). `viewed`
    must not wait on I/O: it sits on the cached read path of every card."""

    def viewed(self, user_id: str, slug: str, at: datetime) -> None: ...


class CatalogCache(Protocol):
    """Rendered pages and cards: an in-process tier in front of a shared one, emptied
    by `invalidate` on every replica."""

    def local_get(self, key: str) -> bytes | None: ...

    def local_put(self, key: str, value: bytes) -> None: ...

    async def get(self, key: str) -> tuple[str | None, bytes | None]:
        """(generation to store under, cached value); generation None: do not store."""
        ...

    async def put(self, key: str, generation: str, value: bytes) -> None: ...

    async def invalidate(self) -> None: ...
