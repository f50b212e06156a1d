"""The map grid behind the nearby cache: which cells a circle touches, distance bounds."""

from __future__ import annotations

import math
import random

import pytest

from services.geo.domain.cells import LAT_STEP, LON_STEP, Cell, cell_of, cells_for_circle
from services.geo.domain.geodesy import EARTH_RADIUS_M, haversine_m


def _point_at(lat: float, lon: float, distance: float, bearing: float) -> tuple[float, float]:
    """Destination point on the sphere (independent of the code under test)."""
    d, b = distance / EARTH_RADIUS_M, math.radians(bearing)
    p1, l1 = math.radians(lat), math.radians(lon)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    return math.degrees(p2), math.degrees(l2)


def test_cell_of_floors() -> None:
    assert cell_of(55.759, 37.644) == Cell(5575, 1882)
    assert cell_of(-0.001, -0.001) == Cell(-1, -1)
    cell = cell_of(59.93, 30.31)
    lat_min, lat_max, lon_min, lon_max = cell.bounds
    assert lat_min <= 59.93 < lat_max and lon_min <= 30.31 < lon_max
    assert lat_max - lat_min == pytest.approx(LAT_STEP) and lon_max - lon_min == pytest.approx(LON_STEP)


def test_cell_area_is_about_its_sides() -> None:
    cell = cell_of(55.75, 37.6)
    lat, lon = cell.center
    lat_min, lat_max, lon_min, lon_max = cell.bounds
    height = haversine_m(lat_min, lon, lat_max, lon)
    width = haversine_m(lat, lon_min, lat, lon_max)
    assert cell.area_m2() == pytest.approx(height * width, rel=1e-3)


@pytest.mark.parametrize("lat, lon, radius", [
    (55.759, 37.644, 1000), (59.934, 30.34, 2000), (55.75, 37.62, 30), (60.0, 30.0, 1500), (-33.9, 151.2, 800),
])
def test_cells_for_circle_cover_every_point_of_the_circle(lat: float, lon: float, radius: float) -> None:
    cells = cells_for_circle(lat, lon, radius)
    assert cells is not None
    assert cells[0] == cell_of(lat, lon)
    assert len(set(cells)) == len(cells)
    rng = random.Random(1)
    for _ in range(3000):
        d = radius * math.sqrt(rng.random())
        p_lat, p_lon = _point_at(lat, lon, d, rng.uniform(0, 360))
        assert cell_of(p_lat, p_lon) in cells
    # The boundary itself, where rounding would bite.
    for bearing in range(0, 360, 5):
        assert cell_of(*_point_at(lat, lon, radius, bearing)) in cells


def test_cells_for_circle_ordered_by_distance_and_pruned() -> None:
    lat, lon, radius = 55.7551, 37.6111, 1000.0
    cells = cells_for_circle(lat, lon, radius)
    assert cells is not None
    bounds = [cell.min_distance_m(lat, lon) for cell in cells]
    assert bounds == sorted(bounds)
    assert all(b <= radius for b in bounds)
    # A 1 km circle at 55.75 N never needs more than a 3 x 3 block.
    assert 4 <= len(cells) <= 9


def test_min_distance_is_a_lower_bound() -> None:
    rng = random.Random(2)
    for _ in range(200):
        lat, lon = rng.uniform(55.5, 60.1), rng.uniform(30.0, 38.0)
        cell = Cell(cell_of(lat, lon).i + rng.randint(-3, 3), cell_of(lat, lon).j + rng.randint(-3, 3))
        bound = cell.min_distance_m(lat, lon)
        lat_min, lat_max, lon_min, lon_max = cell.bounds
        for _ in range(50):
            p_lat, p_lon = rng.uniform(lat_min, lat_max), rng.uniform(lon_min, lon_max)
            assert haversine_m(lat, lon, p_lat, p_lon) >= bound
        corner = max(haversine_m(*cell.center, c_lat, c_lon)
                     for c_lat in (lat_min, lat_max) for c_lon in (lon_min, lon_max))
        assert cell.circumradius_m() == pytest.approx(corner)


def test_no_cells_near_the_poles_or_the_antimeridian() -> None:
    assert cells_for_circle(85.0, 10.0, 1000) is None
    assert cells_for_circle(10.0, 179.999, 1000) is None
    assert cells_for_circle(10.0, -179.999, 1000) is None
