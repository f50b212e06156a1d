"""What search-service indexes and answers with: pure dataclasses, no I/O, no grpc."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from services.runtime.time_windows import Window

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
DEFAULT_RADIUS_METERS = 5000.0  # lat/lon without radius; same default as event-service
KIDS_CATEGORY = "kids"


@dataclass(frozen=True, slots=True)
class GeoPoint:
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Session:
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Document:
    """One published event as the index stores it (the latest `version` wins)."""

    slug: str
    version: int
    title: str
    description: str
    category: str
    tags: tuple[str, ...]
    city: str
    place_name: str
    place_address: str
    location: GeoPoint | None
    sessions: tuple[Session, ...]
    is_free: bool
    kids: bool
    price_min: int
    price_max: int
    age_restriction: int
    image: str


def make_document(*, slug: str, version: int, title: str, description: str, category: str,
                  tags: tuple[str, ...], city: str, place_name: str, place_address: str,
                  location: GeoPoint | None, sessions: tuple[Session, ...], is_free: bool, kids: bool,
                  price_min: int, price_max: int, age_restriction: int, image: str) -> Document:
    """A Document with the index's rules applied: an event of category "kids" is for
    kids (so the `kids` filter and facet mean one thing), tags are lower-cased and
    unique, empty or inverted sessions are dropped (they can never match a window)."""
    return Document(
        slug=slug, version=version, title=title.strip(), description=description, category=category,
        tags=tuple(dict.fromkeys(t.strip().lower() for t in tags if t.strip())), city=city,
        place_name=place_name, place_address=place_address, location=location,
        sessions=tuple(sorted((s for s in sessions if s.end > s.start), key=lambda s: s.start)),
        is_free=is_free, kids=kids or category == KIDS_CATEGORY, price_min=price_min,
        price_max=price_max, age_restriction=age_restriction, image=image,
    )


@dataclass(frozen=True, slots=True)
class GeoCircle:
    center: GeoPoint
    radius_meters: float


@dataclass(frozen=True, slots=True)
class Filters:
    categories: tuple[str, ...] = ()  # any of
    is_free: bool | None = None
    kids: bool | None = None
    city: str = ""
    near: GeoCircle | None = None


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A validated search: `tokens` empty means browse (filters only, soonest first)."""

    text: str  # the query as typed, folded; what trigram similarity compares against
    tokens: tuple[str, ...]
    filters: Filters
    window: Window  # sessions must overlap it; never starts before now
    # The window as asked for ("today@2026-11-26", "2026-12-01..2026-12-03", "upcoming"):
    # stable for a day, unlike window.start (which is never before now).
    window_label: str = "upcoming"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def fingerprint(self) -> str:
        """Identifies the answer (up to the passing of time) for result caches."""
        f = self.filters
        near = f"{f.near.center.lat:.6f},{f.near.center.lon:.6f},{f.near.radius_meters:.1f}" if f.near else ""
        return "|".join(map(str, (" ".join(self.tokens), self.window_label, ",".join(f.categories), f.is_free,
                                  f.kids, f.city, near, self.page, self.per_page)))


@dataclass(frozen=True, slots=True)
class Highlights:
    title: str = ""  # with <mark>…</mark> around matched words; HTML-escaped otherwise
    description: str = ""


@dataclass(frozen=True, slots=True)
class Hit:
    slug: str
    title: str
    category: str
    tags: tuple[str, ...]
    city: str
    place_name: str
    place_address: str
    location: GeoPoint | None
    next_start: datetime | None  # start of the first session still running or ahead in the window
    is_free: bool
    kids: bool
    price_min: int
    price_max: int
    age_restriction: int
    image: str
    score: float
    highlights: Highlights


@dataclass(frozen=True, slots=True)
class FacetCount:
    value: str
    count: int


@dataclass(frozen=True, slots=True)
class Facets:
    """Counts over all matches of the query, not just the returned page."""

    category: tuple[FacetCount, ...] = ()
    is_free: tuple[FacetCount, ...] = ()
    kids: tuple[FacetCount, ...] = ()


@dataclass(frozen=True, slots=True)
class SearchResults:
    hits: tuple[Hit, ...]
    total: int
    facets: Facets = field(default_factory=Facets)
    # Counting stopped at a cap: `total` and the facet counts are lower bounds, counted
    # over the first `total` matches found (events with a session in the next days
    # first), which the hits come from.
    total_is_lower_bound: bool = False
