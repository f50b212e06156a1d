"""Use cases: browse the catalog (cached), read a card, publish an event."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from psycopg_pool import AsyncConnectionPool

from services.event.adapters import event_publisher, repository
from services.event.adapters.list_cache import CatalogCache
from services.event.domain import page_tokens
from services.event.domain.model import Event, ListQuery, Page, normalize
from services.runtime.errors import NotFound
from services.runtime.logging import get_logger

log = get_logger(__name__)


@dataclass
class Catalog:
    pool: AsyncConnectionPool
    cache: CatalogCache

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

    async def list_page(self, request_key: str, make_query: Callable[[], ListQuery], page_token: str,
                        render: Callable[[Page, str], bytes]) -> bytes:
        """The rendered page (the entrypoint's serialized response, which is what we cache).

        `request_key` identifies the request as sent (same bytes, same day: same page),
        so a cache hit costs no query building at all.
        """
        async def load() -> bytes:
            query = make_query()
            fingerprint = query.fingerprint()
            after = page_tokens.decode(page_token, fingerprint) if page_token else None
            async with self.pool.connection() as conn:
                page = await repository.list_page(conn, query, after)
            token = page_tokens.encode(page.next_cursor, fingerprint) if page.next_cursor else ""
            return render(page, token)

        return await self._cached("list:" + request_key, load)

    async def get(self, slug: str, render: Callable[[Event], bytes]) -> bytes:
        async def load() -> bytes:
            async with self.pool.connection() as conn:
                event = await repository.by_slug(conn, slug)
            if event is None:
                raise NotFound(f"no event {slug!r}", "EVENT_NOT_FOUND", {"slug": slug})
            return render(event)

        return await self._cached("card:" + slug, load)

    async def publish(self, event: Event) -> Event:
        event = normalize(event)
        async with self.pool.connection() as conn, conn.transaction():
            stored = await repository.upsert(conn, event)
            await event_publisher.publish(conn, stored)
        await self.cache.invalidate()
        log.info("event published", slug=stored.slug, version=stored.version)
        return stored
