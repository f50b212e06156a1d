"""POIs and nearby queries: pure values, validated where the API's limits live."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, NamedTuple

from services.runtime.errors import InvalidArgument

DEFAULT_RADIUS_M: Final = 1000.0
MAX_RADIUS_M: Final = 50000.0
DEFAULT_LIMIT: Final = 50
MAX_LIMIT: Final = 200

# Generous boxes (lat_min, lat_max, lon_min, lon_max) around the two cities, for
# tagging loaded POIs; wider than the demo city's "inner" bounds on purpose.
CITY_BOXES: Final[dict[str, tuple[float, float, float, float]]] = {
    "moscow": (55.14, 56.03, 36.80, 38.10),
    "spb": (59.63, 60.25, 29.42, 30.76),
}


# POIs are NamedTuples rather than frozen dataclasses: a nearby answer builds up to 200
# of them per request, and a tuple is built four times faster.
class Poi(NamedTuple):
    id: int  # OSM node id; closed ways are stored as -way_id
    name: str
    category: str
    city: str
    address: str
    lat: float
    lon: float


class NearbyPoi(NamedTuple):
    poi: Poi
    distance: float  # metres on the sphere from the query point


@dataclass(frozen=True, slots=True)
class NearbyQuery:
    lat: float
    lon: float
    radius: float  # metres
    category: str  # "" for all; a word of ListNearbyRequest.category (its `in` rule refused others)
    limit: int

    @classmethod
    def of(cls, lat: float, lon: float, radius: float = 0, category: str = "", limit: int = 0) -> NearbyQuery:
        """Applies the defaults (proto3 zero = absent) and the API's limits."""
        if not (-90 <= lat <= 90):
            raise InvalidArgument.on_field("lat", "must be within [-90, 90]")
        if not (-180 <= lon <= 180):
            raise InvalidArgument.on_field("lon", "must be within [-180, 180]")
        if radius < 0 or radius > MAX_RADIUS_M:
            raise InvalidArgument.on_field("radius", f"must be within (0, {MAX_RADIUS_M:.0f}] metres")
        if limit < 0 or limit > MAX_LIMIT:
            raise InvalidArgument.on_field("limit", f"must be within [1, {MAX_LIMIT}]")
        return cls(lat, lon, radius or DEFAULT_RADIUS_M, category, limit or DEFAULT_LIMIT)


def city_at(lat: float, lon: float) -> str:
    for city, (lat_min, lat_max, lon_min, lon_max) in CITY_BOXES.items():
        if lat_min <= lat <= lat_max and lon_min <= lon <= lon_max:
            return city
    return ""


def nearest_first(found: list[NearbyPoi]) -> list[NearbyPoi]:
    """The order of every nearby answer: distance, then id (ties are real: POIs in one
    building share a point), so the database and the cache agree on it."""
    return sorted(found, key=lambda n: (n.distance, n.poi.id))
