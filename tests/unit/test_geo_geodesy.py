"""Great-circle math of geo-service: the sphere PostGIS measures on, "lat,lon" parsing,
the longitude span of a circle."""

from __future__ import annotations

import math

import pytest

from services.geo.domain.geodesy import EARTH_RADIUS_M, haversine_m, lon_half_width_deg, parse_lat_lon


def test_haversine_matches_postgis_sphere() -> None:
    # SELECT ST_Distance('POINT(37.6 55.75)'::geography, 'POINT(37.61 55.752)'::geography, false)
    assert haversine_m(55.75, 37.6, 55.752, 37.61) == pytest.approx(664.1364298, abs=1e-6)


def test_haversine_basic_properties() -> None:
    assert haversine_m(55.75, 37.61, 55.75, 37.61) == 0
    one_degree = math.pi * EARTH_RADIUS_M / 180
    assert haversine_m(10, 20, 11, 20) == pytest.approx(one_degree)
    assert haversine_m(0, 0, 0, 1) == pytest.approx(one_degree)  # the equator is a great circle
    assert haversine_m(0, 0, 0, 180) == pytest.approx(math.pi * EARTH_RADIUS_M)
    a, b = (55.7558, 37.6173), (59.9386, 30.3141)  # Moscow, Saint Petersburg
    assert haversine_m(*a, *b) == pytest.approx(haversine_m(*b, *a))
    assert 630_000 < haversine_m(*a, *b) < 640_000


@pytest.mark.parametrize("text, expected", [
    ("55.75,37.61", (55.75, 37.61)),
    (" -33.9 , 151.2 ", (-33.9, 151.2)),
    ("90,180", (90.0, 180.0)),
    ("0,0", (0.0, 0.0)),
])
def test_parse_lat_lon(text: str, expected: tuple[float, float]) -> None:
    point = parse_lat_lon(text)
    assert (point.lat, point.lon) == expected


@pytest.mark.parametrize("text", ["", "bad", "55.75", "55.75;37.61", "1e3,2", "91,0", "-90.5,0", "0,180.01", "0,-181"])
def test_parse_lat_lon_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_lat_lon(text)


@pytest.mark.parametrize("lat", [0.0, 55.75, 59.94, -70.0])
def test_lon_half_width_reaches_the_circle(lat: float) -> None:
    radius = 2000.0
    dlon = lon_half_width_deg(lat, radius)
    assert dlon is not None
    # The easternmost point of a spherical cap lies at asin(sin(lat) / cos(r / R)).
    angular = radius / EARTH_RADIUS_M
    east_lat = math.degrees(math.asin(math.sin(math.radians(lat)) / math.cos(angular)))
    assert haversine_m(lat, 10.0, east_lat, 10.0 + dlon) == pytest.approx(radius, rel=1e-9)
    # ... and no point of the same circle is farther east.
    for probe in (east_lat - 0.001, east_lat + 0.001):
        assert haversine_m(lat, 10.0, probe, 10.0 + dlon) > radius


def test_lon_half_width_none_over_a_pole() -> None:
    assert lon_half_width_deg(89.99, 5000) is None
    assert lon_half_width_deg(0, EARTH_RADIUS_M * 2) is None
