"""Use cases of the tour catalog: browse, read, publish (measured by geo-service)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from services.gid.domain import page_tokens
from services.gid.domain.events import TourPublished
from services.gid.domain.model import ListQuery, Page, Tour, measured, normalize
from services.gid.service_layer.ports import RouteMeter, UnitOfWorkFactory
from services.runtime.errors import NotFound
from services.runtime.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class ListedPage:
    page: Page
    next_page_token: str


@dataclass
class TourCatalog:
    unit_of_work: UnitOfWorkFactory
    route_meter: RouteMeter

    async def list(self, query: ListQuery, page_token: str) -> ListedPage:
        fingerprint = query.fingerprint()
        after = (page_tokens.decode(page_token, fingerprint, nearest_first=query.near is not None)
                 if page_token else None)
        async with self.unit_of_work() as uow:
            page = await uow.tours.list_page(query, after)
        token = page_tokens.encode(page.next_cursor, fingerprint) if page.next_cursor else ""
        return ListedPage(page, token)

    async def get(self, tour_id: str) -> Tour:
        async with self.unit_of_work() as uow:
            tour = await uow.tours.by_id(tour_id)
        if tour is None:
            raise NotFound(f"no tour {tour_id!r}", "TOUR_NOT_FOUND", {"id": tour_id})
        return tour

    async def publish(self, tour: Tour) -> Tour:
        """Create or replace the tour by id; tour.published (with the stored version)
        goes out with it. The legs are measured before the transaction opens."""
        tour = normalize(tour)
        stops = tour.stops
        legs = await asyncio.gather(*(self.route_meter.walk(a.location, b.location)
                                      for a, b in itertools.pairwise(stops)))
        tour = measured(tour, list(legs))
        async with self.unit_of_work() as uow:
            stored = await uow.tours.upsert(tour)
            await uow.stage(TourPublished(stored))
        log.info("tour published", id=stored.id, version=stored.version, stops=len(stored.stops),
                 distance=round(stored.measure.distance_m), method=stored.measure.method)
        return stored


@dataclass
class RecentTours:
    """Tours as read a moment ago: many listeners starting one tour at once cost one read
    (concurrent reads share it). A republished tour is seen after `ttl_seconds` at most."""

    catalog: TourCatalog
    ttl_seconds: float = 2.0
    clock: Callable[[], float] = time.monotonic
    max_entries: int = 1000
    _entries: dict[str, tuple[float, asyncio.Task[Tour]]] = field(default_factory=dict)

    async def get(self, tour_id: str) -> Tour:
        now = self.clock()
        entry = self._entries.get(tour_id)
        if entry is None or entry[0] <= now:
            if len(self._entries) >= self.max_entries:
                self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
            entry = (now + self.ttl_seconds, asyncio.create_task(self.catalog.get(tour_id)))
            self._entries[tour_id] = entry
        try:
            return await asyncio.shield(entry[1])
        except Exception:
            if self._entries.get(tour_id) is entry:
                del self._entries[tour_id]  # a failure (unknown tour, outage) is not kept
            raise
