"""geo-service nearby through Envoy, on a known set of POIs loaded into the live geo
database in the middle of Lake Ladoga (no real or demo POI can be there), checked
against an independent great-circle reference; removed afterwards."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest
import redis as redis_sync
from auth_support import assert_bad_request
from geo_support import CATEGORIES, LIVE_REDIS, PoiRow, great_circle_m, live_database, scatter

from kgo import topology
from services.geo.adapters.geo_cache import CacheKeys
from services.geo.adapters.poi_loader import delete_pois, load_pois
from services.geo.domain.cells import cell_of

CENTER = (60.85, 31.45)
FIRST_ID, LAST_ID = 1 << 42, (1 << 42) + (1 << 20) - 1  # reserved for these tests
TIES = (CENTER[0] + 0.004, CENTER[1] + 0.004)


@pytest.fixture(scope="module")
def pois() -> Iterator[dict[int, PoiRow]]:
    """400 POIs within ±1.5 km of CENTER (about 140 within 1 km of it), plus 6 at one point."""
    database = live_database()
    with psycopg.connect(database) as conn:
        foreign = conn.execute(
            "SELECT count(*) FROM pois WHERE ST_DWithin(location, ST_MakePoint(%s, %s)::geography, 8000, false) "
            "AND id NOT BETWEEN %s AND %s", (CENTER[1], CENTER[0], FIRST_ID, LAST_ID)).fetchone()
    assert foreign == (0,), "the test area must hold no other POIs"
    rows = [*scatter(FIRST_ID, 400, *CENTER, 1500, seed=5), *scatter(FIRST_ID + 1000, 6, *TIES, 0, duplicates=6)]
    load_pois(database, rows, redis_url=LIVE_REDIS)
    yield {row[0]: row for row in rows}
    delete_pois(database, FIRST_ID, LAST_ID, redis_url=LIVE_REDIS)


def nearby(http: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    reply = http.get("/api/v1/geo/nearby", params=params)
    assert reply.status_code == 200, reply.text
    found: list[dict[str, Any]] = reply.json()["pois"]
    return found


def cache_hits(http: httpx.Client) -> float:
    """geo-service's count of nearby answers served from Redis (its /metrics)."""
    metrics = http.get(f"http://127.0.0.1:{topology.service('geo').metrics_port}/metrics").text
    sample = 'geo_nearby_cache_lookups_total{result="hit"} '
    return float(next(line for line in metrics.splitlines() if line.startswith(sample)).removeprefix(sample))


def reference(pois: dict[int, PoiRow], lat: float, lon: float, radius: float,
              category: str = "") -> list[tuple[float, int]]:
    """(distance, id) of every test POI within `radius`, nearest first, ties by id."""
    return sorted((d, poi_id) for poi_id, row in pois.items()
                  if (d := great_circle_m(lat, lon, row[5], row[6])) <= radius and (not category or row[2] == category))


def assert_matches(found: list[dict[str, Any]], expected: list[tuple[float, int]], radius: float) -> None:
    distances = [p["distance"] for p in found]
    assert distances == sorted(distances)
    assert all(d <= radius for d in distances)
    assert [int(p["id"]) for p in found] == [poi_id for _, poi_id in expected]
    for p, (d, _) in zip(found, expected, strict=True):
        assert p["distance"] == pytest.approx(d, rel=0.005, abs=1e-6)


@pytest.mark.parametrize("offset, radius", [((0, 0), 300), ((0.003, -0.002), 700), ((-0.008, 0.01), 1200),
                                            ((0.01, 0.02), 2500), ((0, 0), 50)])
def test_nearest_first_within_radius(http: httpx.Client, pois: dict[int, PoiRow], offset: tuple[float, float],
                                     radius: float) -> None:
    lat, lon = CENTER[0] + offset[0], CENTER[1] + offset[1]
    expected = reference(pois, lat, lon, radius)
    found = nearby(http, lat=lat, lon=lon, radius=radius, limit=200)
    assert_matches(found, expected[:200], radius)  # all of them, unless more than the limit
    first = found[0] if found else None
    if first:
        row = pois[int(first["id"])]
        assert (first["name"], first["category"], first["address"], first["lat"], first["lon"]) == (
            row[1], row[2], row[4], row[5], row[6])


def test_category_filter(http: httpx.Client, pois: dict[int, PoiRow]) -> None:
    for category in ("museum", "viewpoint", "concert_hall"):
        found = nearby(http, lat=CENTER[0], lon=CENTER[1], radius=2000, category=category, limit=200)
        assert found and {p["category"] for p in found} == {category}
        assert_matches(found, reference(pois, *CENTER, 2000, category), 2000)


def test_limit_and_defaults(http: httpx.Client, pois: dict[int, PoiRow]) -> None:
    assert_matches(nearby(http, lat=CENTER[0], lon=CENTER[1], radius=1500, limit=7),
                   reference(pois, *CENTER, 1500)[:7], 1500)
    within_1km = reference(pois, *CENTER, 1000)
    assert len(within_1km) > 50 and len(reference(pois, *CENTER, 1500)) > len(within_1km)
    assert_matches(nearby(http, lat=CENTER[0], lon=CENTER[1]), within_1km[:50], 1000)  # radius 1000, limit 50
    assert_matches(nearby(http, lat=CENTER[0], lon=CENTER[1], limit=200), within_1km, 1000)


def test_points_in_one_place_are_ordered_by_id(http: httpx.Client, pois: dict[int, PoiRow]) -> None:
    found = nearby(http, lat=TIES[0] + 0.0002, lon=TIES[1], radius=60, category="cafe", limit=4)
    tied = [p for p in found if int(p["id"]) >= FIRST_ID + 1000]
    assert len(tied) == 4 and len({p["distance"] for p in tied}) == 1
    assert [int(p["id"]) for p in tied] == [FIRST_ID + 1000 + k for k in range(4)]


def test_repeated_queries_are_served_from_the_hot_cell_identically(
        http: httpx.Client, redis_client: redis_sync.Redis, pois: dict[int, PoiRow]) -> None:
    lat, lon = CENTER[0] - 0.002, CENTER[1] + 0.003
    keys, cell = CacheKeys(), cell_of(lat, lon)

    def loaded() -> bool:
        generation = (redis_client.get(keys.generation) or b"0").decode()
        return bool(redis_client.exists(keys.marker(generation, cell)))

    answers: dict[str, list[list[dict[str, Any]]]] = {"": [], "cafe": []}
    deadline = time.monotonic() + 10
    while len(answers[""]) < 3 or not loaded():  # the cell turns hot, then loads in the background
        assert time.monotonic() < deadline, "the cell should be hot and loaded by now"
        for category, found in answers.items():
            found.append(nearby(http, lat=lat, lon=lon, radius=800, category=category, limit=30))
        time.sleep(0.05)
    hits_before = cache_hits(http)
    for category, found in answers.items():
        found += [nearby(http, lat=lat, lon=lon, radius=800, category=category, limit=30) for _ in range(3)]
    assert cache_hits(http) >= hits_before + 6
    for category, found in answers.items():
        assert all(f == found[0] for f in found)  # PostGIS before the load, Redis after it
        assert_matches(found[0], reference(pois, lat, lon, 800, category)[:30], 800)


@pytest.mark.parametrize("params, field", [
    ({"lat": 100, "lon": 31.4}, "lat"),
    ({"lat": 60.8, "lon": -200}, "lon"),
    ({"lat": 60.8, "lon": 31.4, "radius": -1}, "radius"),
    ({"lat": 60.8, "lon": 31.4, "radius": 50001}, "radius"),
    ({"lat": 60.8, "lon": 31.4, "limit": 1000}, "limit"),
    ({"lat": 60.8, "lon": 31.4, "category": "casino"}, "category"),
])
def test_bad_requests_name_the_field(http: httpx.Client, params: dict[str, Any], field: str) -> None:
    assert_bad_request(http.get("/api/v1/geo/nearby", params=params), field)


def test_categories_are_the_contract(http: httpx.Client, pois: dict[int, PoiRow]) -> None:
    found = nearby(http, lat=CENTER[0], lon=CENTER[1], radius=1500, limit=200)
    assert {p["category"] for p in found} == set(CATEGORIES)
