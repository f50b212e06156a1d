"""A latitude/longitude box that contains a circle on the Earth: a cheap first test for
"within radius" (pure)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from services.search.domain.model import GeoCircle

# The shortest degree of latitude (at the equator) and the longest radius of the
# parallels, so that the box is never smaller than the circle.
_METERS_PER_DEGREE_LATITUDE = 110_574.0
_METERS_PER_DEGREE_LONGITUDE_AT_EQUATOR = 111_320.0
_MARGIN = 1.01  # float error and the ellipsoid's small departures from the sphere above


@dataclass(frozen=True, slots=True)
class Box:
    lat_min: float
    lat_max: float
    lon_min: float | None  # None: every longitude (the circle reaches a pole or the antimeridian)
    lon_max: float | None


def bounding_box(circle: GeoCircle) -> Box:
    radius = circle.radius_meters * _MARGIN
    dlat = radius / _METERS_PER_DEGREE_LATITUDE
    lat_min, lat_max = circle.center.lat - dlat, circle.center.lat + dlat
    if lat_min <= -90 or lat_max >= 90:
        return Box(max(lat_min, -90.0), min(lat_max, 90.0), None, None)
    # Parallels are shortest at the box's edge nearest a pole: the widest span in degrees.
    widest = max(abs(lat_min), abs(lat_max))
    dlon = radius / (_METERS_PER_DEGREE_LONGITUDE_AT_EQUATOR * math.cos(math.radians(widest)))
    lon_min, lon_max = circle.center.lon - dlon, circle.center.lon + dlon
    if lon_min < -180 or lon_max > 180:
        return Box(lat_min, lat_max, None, None)
    return Box(lat_min, lat_max, lon_min, lon_max)
