"""Tours: stops on a route, each with a trigger zone and a narration per language. Pure."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime

from services.runtime.errors import InvalidArgument

DEFAULT_PAGE_SIZE = 20
DEFAULT_TRIGGER_RADIUS_M = 40.0
DEFAULT_NEAR_RADIUS_M = 10_000.0
# The speaking rate the engine is asked for (espeak-ng -s): listening time is estimated
# from it when a tour is published, before anything has been synthesised.
WORDS_PER_MINUTE = 160


@dataclass(frozen=True, slots=True)
class LatLng:
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Narration:
    language: str
    text: str
    title: str = ""  # the stop's title in this language; empty: the stop's own


@dataclass(frozen=True, slots=True)
class Stop:
    id: str
    title: str
    location: LatLng
    narrations: tuple[Narration, ...]
    trigger_radius: float = DEFAULT_TRIGGER_RADIUS_M
    image: str = ""  # object key in the bucket
    poi_id: int = 0
    event_slug: str = ""

    def narration(self, language: str) -> Narration | None:
        return next((n for n in self.narrations if n.language == language), None)

    def title_in(self, language: str) -> str:
        narration = self.narration(language)
        return narration.title if narration and narration.title else self.title


@dataclass(frozen=True, slots=True)
class Leg:
    """Walking from one stop to the next, as geo-service measured it."""

    distance_m: float
    seconds: int
    method: str  # "pgrouting" | "geodesic"


@dataclass(frozen=True, slots=True)
class RouteMeasure:
    distance_m: float
    walking_seconds: int
    method: str  # "pgrouting" | "geodesic" | "mixed"


@dataclass(frozen=True, slots=True)
class Tour:
    id: str
    city: str
    title: str
    description: str
    languages: tuple[str, ...]  # the first is the tour's own
    stops: tuple[Stop, ...]
    route: tuple[LatLng, ...] = ()  # empty: straight from stop to stop
    measure: RouteMeasure = RouteMeasure(0.0, 0, "")
    duration_seconds: int = 0  # walking + listening (first language)
    version: int = 0
    create_time: datetime | None = None
    update_time: datetime | None = None
    stop_count: int = 0  # list items carry no stops, only their number
    start: LatLng | None = None
    start_distance_m: float | None = None  # from the point a list was asked around

    @property
    def language(self) -> str:
        return self.languages[0]

    def stop_index(self, stop_id: str) -> int | None:
        return next((i for i, s in enumerate(self.stops) if s.id == stop_id), None)


def route_measure(legs: list[Leg]) -> RouteMeasure:
    """The route's length and walking time from its legs; `mixed` when the road graph
    covered some legs only."""
    methods = {leg.method for leg in legs}
    method = methods.pop() if len(methods) == 1 else ("mixed" if methods else "geodesic")
    return RouteMeasure(sum(leg.distance_m for leg in legs), sum(leg.seconds for leg in legs), method)


def listening_seconds(text: str) -> int:
    """How long the engine takes to read `text` aloud, estimated from its words."""
    words = len(text.split())
    return math.ceil(words * 60 / WORDS_PER_MINUTE)


def normalize(tour: Tour) -> Tour:
    """Business rules on top of the contract's (fields, CEL): default trigger radii, the
    route drawn through the stops when none is given, trimmed titles."""
    for index, stop in enumerate(tour.stops):
        for narration in stop.narrations:
            if not narration.text.strip():
                raise InvalidArgument.on_field(f"stops[{index}].narrations", "a narration needs words to read")
    stops = tuple(replace(s, title=s.title.strip(), trigger_radius=s.trigger_radius or DEFAULT_TRIGGER_RADIUS_M)
                  for s in tour.stops)
    route = tour.route or tuple(s.location for s in stops)
    return replace(tour, title=tour.title.strip(), description=tour.description.strip(), stops=stops, route=route,
                   stop_count=len(stops), start=stops[0].location)


def measured(tour: Tour, legs: list[Leg]) -> Tour:
    """The tour with its route measured: walking time plus listening time in its language."""
    measure = route_measure(legs)
    listening = sum(listening_seconds(n.text) for s in tour.stops if (n := s.narration(tour.language)))
    return replace(tour, measure=measure, duration_seconds=measure.walking_seconds + listening)


@dataclass(frozen=True, slots=True)
class Near:
    lat: float
    lon: float
    radius_m: float


@dataclass(frozen=True, slots=True)
class ListQuery:
    city: str = ""
    language: str = ""
    near: Near | None = None
    page_size: int = DEFAULT_PAGE_SIZE

    def fingerprint(self) -> str:
        """Identifies the filters (not the page) for page tokens."""
        near = f"{self.near.lat:.6f},{self.near.lon:.6f},{self.near.radius_m:.1f}" if self.near else ""
        return f"tours|{self.city}|{self.language}|{near}"


@dataclass(frozen=True, slots=True)
class Cursor:
    """Keyset position after the last item of a page: (create time, id) newest first, or
    (distance in whole millimetres, id) nearest first."""

    create_time: datetime | None = None
    distance_mm: int | None = None
    id: str = ""


@dataclass(frozen=True, slots=True)
class Page:
    tours: list[Tour]
    next_cursor: Cursor | None
    total: int
