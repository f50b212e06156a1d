"""Use cases: browse the catalog (cached), read a card, publish an event."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from services.event.domain import page_tokens
from services.event.domain.events import EventPublished
from services.event.domain.listing import CityDay, ListFilters, city_day, list_query
from services.event.domain.model import Event, Page, normalize
from services.event.service_layer.ports import CardViews, CatalogCache, Clock, UnitOfWorkFactory, utc_now
from services.runtime.errors import NotFound
from services.runtime.logging import get_logger

log = get_logger(__name__)

_NEVER = CityDay(datetime.min.date(), datetime.max.replace(tzinfo=UTC), datetime.min.replace(tzinfo=UTC))


@dataclass
class Catalog:
    unit_of_work: UnitOfWorkFactory
    cache: CatalogCache
    clock: Clock = field(default=utc_now)
    views: CardViews | None = None
    # The Moscow day cache keys carry, recomputed only when the clock leaves it.
    _day: CityDay = field(default=_NEVER, init=False)
    _day_key: bytes = field(default=b"", init=False)

    def request_key(self, request: bytes, now: datetime) -> str:
        """The cache key of a list request as sent: windows like "today" are relative to
        the Moscow day, so the key carries it."""
        if not self._day.contains(now):
            self._day = city_day(now)
            self._day_key = self._day.day.isoformat().encode()
        return hashlib.sha256(request + self._day_key).hexdigest()

    async def _cached(self, key: str, load: Callable[[], Awaitable[bytes]]) -> bytes:
        value = self.cache.local_get(key)
        if value is not None:
            return value
        generation, value = await self.cache.get(key)
        if value is None:
            value = await load()
            if generation is not None:
                await self.cache.put(key, generation, value)
        self.cache.local_put(key, value)
        return value

    async def list_page(self, request: bytes, filters: Callable[[], ListFilters], page_token: str,
                        render: Callable[[Page, str], bytes]) -> bytes:
        """The rendered page (the entrypoint's serialized response, which is what we cache).

        `request` is the request as sent (same bytes, same day: same page), so a cache hit
        costs no query building at all; `filters` are read from it only on a miss.
        """
        now = self.clock()

        async def load() -> bytes:
            query = list_query(filters(), now)
            fingerprint = query.fingerprint()
            after = page_tokens.decode(page_token, fingerprint) if page_token else None
            async with self.unit_of_work() as uow:
                page = await uow.events.list_page(query, after)
            token = page_tokens.encode(page.next_cursor, fingerprint) if page.next_cursor else ""
            return render(page, token)

        return await self._cached("list:" + self.request_key(request, now), load)

    async def get(self, slug: str, render: Callable[[Event], bytes], viewer: str | None = None) -> bytes:
        """The rendered card; a known `viewer` (user id) opening it counts as a view."""
        async def load() -> bytes:
            async with self.unit_of_work() as uow:
                event = await uow.events.by_slug(slug)
            if event is None:
                raise NotFound(f"no event {slug!r}", "EVENT_NOT_FOUND", {"slug": slug})
            return render(event)

        card = await self._cached("card:" + slug, load)
        if viewer and self.views is not None:
            self.views.viewed(viewer, slug, self.clock())
        return card

    async def publish(self, event: Event) -> Event:
        """Create or replace the event by slug; event.published (with the stored version)
        goes out with it, and cached pages are dropped once it is committed."""
        event = normalize(event)
        async with self.unit_of_work() as uow:
            stored = await uow.events.upsert(event)
            await uow.stage(EventPublished(stored))
        await self.cache.invalidate()
        log.info("event published", slug=stored.slug, version=stored.version)
        return stored
