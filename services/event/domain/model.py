"""Events of the catalog and the queries over them: pure, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from services.runtime.errors import InvalidArgument

DEFAULT_PAGE_SIZE = 20


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    address: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Session:
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Event:
    slug: str
    title: str
    description: str
    category: str
    tags: tuple[str, ...]
    city: str
    place: Place
    sessions: tuple[Session, ...]
    price_min: int
    price_max: int
    currency: str
    is_free: bool
    kids: bool
    age_restriction: int
    images: tuple[str, ...]
    ticket_provider: str
    rating_average: float = 0.0
    rating_count: int = 0
    next_start: datetime | None = None  # within the window of the query that found it
    create_time: datetime | None = None
    update_time: datetime | None = None
    version: int = 0


def normalize(event: Event) -> Event:
    """Business rules on top of the field rules of the contract."""
    sessions = tuple(sorted(event.sessions, key=lambda s: s.start))
    tags = tuple(dict.fromkeys(t.strip().lower() for t in event.tags if t.strip()))
    kids = event.kids or event.category == "kids"
    if kids and event.age_restriction > 6:
        raise InvalidArgument.on_field("kids", "an event for children cannot be rated above 6+")
    if event.is_free and (event.price_min or event.price_max):
        raise InvalidArgument.on_field("price", "a free event has price 0")
    if not event.is_free and event.price_max == 0:
        raise InvalidArgument.on_field("price", "a paid event needs a price (or isFree: true)")
    return replace(event, sessions=sessions, tags=tags, kids=kids, currency=event.currency or "RUB",
                   title=event.title.strip())


@dataclass(frozen=True, slots=True)
class GeoFilter:
    lat: float
    lon: float
    radius: float


@dataclass(frozen=True, slots=True)
class ListQuery:
    window_start: datetime
    window_end: datetime | None
    # The window as asked for ("today@2026-11-26", "2026-12-01..2026-12-03", "upcoming"):
    # stable for a day, unlike window_start (which is never before now).
    window_label: str = "upcoming"
    categories: tuple[str, ...] = ()
    is_free: bool | None = None
    kids: bool | None = None
    city: str | None = None
    geo: GeoFilter | None = None
    page_size: int = DEFAULT_PAGE_SIZE

    def fingerprint(self) -> str:
        """Identifies the filters (not the page) for page tokens and cache keys."""
        return "|".join(map(str, (
            self.window_label, ",".join(sorted(self.categories)), self.is_free, self.kids, self.city,
            f"{self.geo.lat:.6f},{self.geo.lon:.6f},{self.geo.radius:.1f}" if self.geo else "",
        )))


@dataclass(frozen=True, slots=True)
class Cursor:
    """Keyset position: the last (next_start, slug) of the previous page."""

    next_start: datetime
    slug: str


@dataclass(frozen=True, slots=True)
class Page:
    events: list[Event]
    next_cursor: Cursor | None
    total: int
