"""Immutable records produced by the demo catalog generator.

The shapes here are a contract with the rest of the backend (seeding scripts,
search indexing tests), so field names and meanings must stay stable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Final

from kulturago.event.v1 import event_service_pb2
from kulturago.geo.v1 import geo_service_pb2
from services.runtime.vocabulary import words

__all__ = [
    "CATEGORIES",
    "CITIES",
    "MOSCOW_TZ",
    "POI_CATEGORIES",
    "DemoEvent",
    "DemoPlace",
    "DemoPoi",
    "DemoSession",
    "DemoTier",
]

# The vocabularies of the contracts, where they are defined (buf.validate `in` rules).
# Their proto order matters here: the generator's weights and coverage events follow
# it, so a seed keeps producing the same city.
CATEGORIES: Final = words(event_service_pb2.Event, "category")
POI_CATEGORIES: Final = words(geo_service_pb2.ListNearbyRequest, "category")
CITIES: Final = words(event_service_pb2.Event, "city")


def _moscow_tz() -> tzinfo:
    # Both cities live in Europe/Moscow. Prefer the real zone; minimal containers
    # sometimes ship without the tz database, and since Moscow has had a fixed
    # UTC+3 offset without DST since 2014, a fixed offset is an exact fallback
    # that keeps the generator dependency-free.
    try:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    except ImportError:  # pragma: no cover - zoneinfo is stdlib on 3.9+
        return timezone(timedelta(hours=3), "MSK")
    try:
        return ZoneInfo("Europe/Moscow")
    except ZoneInfoNotFoundError:  # pragma: no cover - depends on the host
        return timezone(timedelta(hours=3), "MSK")


MOSCOW_TZ: Final[tzinfo] = _moscow_tz()


@dataclass(frozen=True, slots=True)
class DemoPlace:
    name: str  # "Концертный зал «Зарядье»"
    address: str  # "ул. Варварка, 6, стр. 1"
    city: str  # "moscow" | "spb"
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class DemoTier:
    id: str  # "parter"
    name: str  # "Партер"
    price: int  # kopecks
    capacity: int  # with seats: the number of seats of the tier


@dataclass(frozen=True, slots=True)
class DemoSession:
    start: datetime  # timezone-aware, Europe/Moscow
    end: datetime
    tiers: tuple[DemoTier, ...] = ()  # what is on sale (sellable events only)
    seats: tuple[tuple[str, str], ...] = ()  # (seat id "A-12", tier id): assigned seating
    # The session's stable id; empty: derived from the start. A vendor-backed session
    # carries the vendor's own id of it (the TicketsCloud event, the Kassir session).
    id: str = ""


@dataclass(frozen=True, slots=True)
class DemoEvent:
    slug: str  # unique, ascii, lowercase, [a-z0-9-], <= 80 chars
    title: str  # Russian
    description: str  # Russian, 2-4 sentences
    category: str  # one of CATEGORIES
    tags: tuple[str, ...]  # Russian lowercase tags, 2-5
    city: str  # "moscow" | "spb"
    place: DemoPlace
    sessions: tuple[DemoSession, ...]  # 1-6, sorted, within [start, start+days)
    price_min: int  # rubles; 0 when free
    price_max: int
    is_free: bool
    kids: bool  # suitable for children
    age_restriction: int  # one of 0, 6, 12, 16, 18 (kids events never above 6)
    images: tuple[str, ...]  # 1-3 object keys like "events/<slug>/1.jpg"
    ticket_provider: str  # "kassir" | "ticketscloud" | "kulturago" | ""


@dataclass(frozen=True, slots=True)
class DemoPoi:
    osm_id: int  # unique positive int
    name: str  # Russian
    category: str  # one of POI_CATEGORIES
    city: str
    lat: float
    lon: float
    address: str
