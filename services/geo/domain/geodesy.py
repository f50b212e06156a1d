"""Great-circle geometry on the sphere PostGIS uses for geography with use_spheroid=false.

Nearby results are ordered with the geography KNN operator `<->`, which measures on
that sphere, so distances computed here agree with the database to float noise.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Final

# PostGIS's sphere: the mean radius (2a + b) / 3 of the WGS 84 ellipsoid.
EARTH_RADIUS_M: Final = 6371008.771415

_LAT_LON = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True, slots=True)
class LatLon:
    lat: float
    lon: float


def haversine_m(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    """Great-circle distance in metres."""
    phi1, phi2 = math.radians(a_lat), math.radians(b_lat)
    dphi = phi2 - phi1
    dlmb = math.radians(b_lon - a_lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def distance_m(a: LatLon, b: LatLon) -> float:
    return haversine_m(a.lat, a.lon, b.lat, b.lon)


def in_range(lat: float, lon: float) -> bool:
    return -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0


def parse_lat_lon(text: str) -> LatLon:
    """"lat,lon" in degrees; ValueError on bad syntax or out-of-range values."""
    match = _LAT_LON.match(text)
    if match is None:
        raise ValueError('expected "lat,lon" in decimal degrees')
    lat, lon = float(match[1]), float(match[2])
    if not in_range(lat, lon):
        raise ValueError("lat must be within [-90, 90] and lon within [-180, 180]")
    return LatLon(lat, lon)


def lon_half_width_deg(lat: float, radius_m: float) -> float | None:
    """Half the longitude span of a circle (spherical cap) around a point at `lat`:
    asin(sin(r/R) / cos(lat)). None when the cap reaches over a pole."""
    angular = radius_m / EARTH_RADIUS_M
    cos_lat = math.cos(math.radians(lat))
    if angular >= math.pi / 2 or math.sin(angular) >= cos_lat:
        return None
    return math.degrees(math.asin(math.sin(angular) / cos_lat))
