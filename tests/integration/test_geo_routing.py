"""pgRouting ETAs over a small synthetic road graph in a scratch database."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from itertools import pairwise

import psycopg
import pytest
from geo_support import great_circle_m

from services.geo.adapters.road_loader import RoadEdge, delete_road_edges, load_road_edges
from services.geo.adapters.router import PgRouter
from services.geo.domain.geodesy import LatLon
from services.runtime.db import open_pool

BASE_LAT, BASE_LON = 60.80, 31.60
STEP_M = 200.0
DLAT = STEP_M / 111_195
DLON = DLAT / math.cos(math.radians(BASE_LAT))


def vertex(r: int, c: int) -> tuple[float, float]:
    return BASE_LAT + r * DLAT, BASE_LON + c * DLON


def vid(r: int, c: int) -> int:
    return 10 * r + c + 1


def grid_edges() -> list[RoadEdge]:
    """A 3 x 3 grid of 200 m streets; the street v(0,0) -> v(0,1) is one-way east."""
    edges, next_id = [], 1
    for r in range(3):
        for c in range(3):
            for nr, nc in ((r, c + 1), (r + 1, c)):
                if nr < 3 and nc < 3:
                    edges.append(RoadEdge(next_id, vid(r, c), vid(nr, nc), [vertex(r, c), vertex(nr, nc)],
                                          oneway=(r, c, nr, nc) == (0, 0, 0, 1)))
                    next_id += 1
    # An island: a street 3 km away, not connected to the grid.
    island = vertex(15, 0)
    edges.append(RoadEdge(100, 900, 901, [island, (island[0], island[1] + DLON)]))
    return edges


def length(a: tuple[float, float], b: tuple[float, float]) -> float:
    return great_circle_m(*a, *b)


@pytest.fixture
async def router(scratch_database: str) -> AsyncIterator[tuple[PgRouter, str]]:
    assert load_road_edges(scratch_database, grid_edges()) == 13
    pool = await open_pool(scratch_database, min_size=1, max_size=2)
    try:
        yield PgRouter(pool, snap_m=500), scratch_database
    finally:
        await pool.close()


def near(r: int, c: int, north_m: float = 20.0) -> LatLon:
    lat, lon = vertex(r, c)
    return LatLon(lat + north_m / 111_195, lon)


async def test_shortest_path_plus_walk_on_and_off(router: tuple[PgRouter, str]) -> None:
    pg, _ = router
    snap = great_circle_m(near(0, 0).lat, near(0, 0).lon, *vertex(0, 0))
    # North first, then east along the northern street: degrees of longitude shrink
    # northwards, so that street is the shortest way across.
    path = length(vertex(0, 0), vertex(2, 0)) + length(vertex(2, 0), vertex(2, 2))
    metres = await pg.route_m(near(0, 0), near(2, 2), "walk")
    assert metres == pytest.approx(2 * snap + path, rel=1e-6)
    assert metres >= great_circle_m(near(0, 0).lat, near(0, 0).lon, near(2, 2).lat, near(2, 2).lon)


async def test_cars_keep_to_one_way_streets(router: tuple[PgRouter, str]) -> None:
    pg, _ = router
    block = length(vertex(0, 0), vertex(0, 1))
    corners = [vertex(0, 1), vertex(1, 1), vertex(1, 0), vertex(0, 0)]
    around = sum(length(a, b) for a, b in pairwise(corners))
    walk = await pg.route_m(near(0, 1, 0), near(0, 0, 0), "walk")
    car = await pg.route_m(near(0, 1, 0), near(0, 0, 0), "car")
    assert walk == pytest.approx(block, rel=1e-6)
    assert car == pytest.approx(around, rel=1e-6)  # around the block
    assert await pg.route_m(near(0, 0, 0), near(0, 1, 0), "car") == pytest.approx(block, rel=1e-6)


async def test_trips_the_graph_does_not_cover(router: tuple[PgRouter, str]) -> None:
    pg, database = router
    far = LatLon(BASE_LAT - 0.01, BASE_LON)  # ~1.1 km from the nearest vertex
    assert await pg.route_m(far, near(1, 1), "walk") is None
    assert await pg.route_m(near(1, 1), far, "car") is None
    island = vertex(15, 0)
    assert await pg.route_m(near(0, 0), LatLon(*island), "walk") is None  # no path
    # Both ends snap to the same vertex: only the walk on and off.
    assert await pg.route_m(near(1, 1, 10), near(1, 1, -10), "walk") == pytest.approx(20.0, rel=1e-3)

    assert delete_road_edges(database, 1, 100) == 13
    with psycopg.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM roads_vertices").fetchone() == (0,)
    assert await pg.route_m(near(0, 0), near(2, 2), "walk") is None
