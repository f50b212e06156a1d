"""Deterministic demo catalog for Moscow and Saint Petersburg (its only dependency: the
contracts, for the vocabularies).

Used to seed local/staging databases and to load-test search and map
endpoints with believable Russian content:

    from datetime import date
    from kgo.demo_city import generate_events, generate_pois, venues

    events = list(generate_events(500, start=date.today()))
    pois = generate_pois(1_000_000)  # streaming; consume lazily
"""

from __future__ import annotations

from .events import SLUG_MAX_LEN, generate_events, weekend_dates
from .models import (
    CATEGORIES,
    CITIES,
    MOSCOW_TZ,
    POI_CATEGORIES,
    DemoEvent,
    DemoPlace,
    DemoPoi,
    DemoSession,
    DemoTier,
)
from .places import CITY_BOUNDS, CITY_CENTERS, venues
from .pois import generate_pois
from .sellable import (
    GENERAL_ADMISSION_SLUG,
    KASSIR_SLUG,
    LAST_SEATS_SLUG,
    SEATED_SLUG,
    TICKETSCLOUD_SLUG,
    sellable_events,
    vendor_events,
)
from .translit import slugify, transliterate

__all__ = [
    "CATEGORIES",
    "CITIES",
    "CITY_BOUNDS",
    "CITY_CENTERS",
    "GENERAL_ADMISSION_SLUG",
    "KASSIR_SLUG",
    "LAST_SEATS_SLUG",
    "MOSCOW_TZ",
    "POI_CATEGORIES",
    "SEATED_SLUG",
    "SLUG_MAX_LEN",
    "TICKETSCLOUD_SLUG",
    "DemoEvent",
    "DemoPlace",
    "DemoPoi",
    "DemoSession",
    "DemoTier",
    "generate_events",
    "generate_pois",
    "sellable_events",
    "slugify",
    "transliterate",
    "vendor_events",
    "venues",
    "weekend_dates",
]
