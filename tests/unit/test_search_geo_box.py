"""search-service: the lat/lon box that pre-filters "within radius" must contain the circle."""

from __future__ import annotations

import math

import pytest

from services.search.adapters.geo_box import bounding_box
from services.search.domain.model import GeoCircle, GeoPoint

EARTH_RADIUS = 6_371_008.8  # mean radius; the box has margin for the ellipsoid


def _destination(center: GeoPoint, bearing_deg: float, meters: float) -> GeoPoint:
    lat1, lon1, b = math.radians(center.lat), math.radians(center.lon), math.radians(bearing_deg)
    d = meters / EARTH_RADIUS
    lat2 = math.asin(math.sin(lat1) * math.cos(d) + math.cos(lat1) * math.sin(d) * math.cos(b))
    lon2 = lon1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(lat1), math.cos(d) - math.sin(lat1) * math.sin(lat2))
    return GeoPoint(math.degrees(lat2), (math.degrees(lon2) + 540) % 360 - 180)


@pytest.mark.parametrize(("lat", "lon", "radius"), [
    (59.9343, 30.3351, 1500), (55.75, 37.62, 100_000), (0.0, 0.0, 5000), (-33.9, 151.2, 20_000), (69.0, 33.0, 50_000),
])
def test_the_box_contains_the_circle(lat: float, lon: float, radius: float) -> None:
    box = bounding_box(GeoCircle(GeoPoint(lat, lon), radius))
    assert box.lon_min is not None and box.lon_max is not None
    for bearing in range(0, 360, 5):
        p = _destination(GeoPoint(lat, lon), bearing, radius)
        assert box.lat_min <= p.lat <= box.lat_max
        assert box.lon_min <= p.lon <= box.lon_max


def test_the_box_is_tight_enough_to_be_worth_it() -> None:
    box = bounding_box(GeoCircle(GeoPoint(59.9343, 30.3351), 1500))
    assert box.lat_max - box.lat_min < 0.03 and box.lon_max is not None and box.lon_min is not None
    assert box.lon_max - box.lon_min < 0.06


def test_near_a_pole_or_the_antimeridian_every_longitude_is_kept() -> None:
    assert bounding_box(GeoCircle(GeoPoint(89.99, 10.0), 5000)).lon_min is None
    assert bounding_box(GeoCircle(GeoPoint(64.7, 179.99), 5000)).lon_min is None
