"""geo-service travel times through Envoy: the geodesic estimate in the city, and
pgRouting over a tiny road graph loaded into the live geo database (in the middle of
Lake Ladoga, far from anything) for the duration of one test."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from auth_support import assert_bad_request
from geo_support import great_circle_m, live_database

from services.geo.adapters.road_loader import RoadEdge, delete_road_edges, load_road_edges

KREMLIN, BOLSHOI = (55.7520, 37.6175), (55.7601, 37.6186)
GRAPH_ORIGIN = (60.90, 31.35)
FIRST_EDGE, LAST_EDGE = 1 << 42, (1 << 42) + 999  # reserved for these tests
DLAT = 300 / 111_195  # 300 m north
DLON = DLAT / math.cos(math.radians(GRAPH_ORIGIN[0]))  # 300 m east


def eta(http: httpx.Client, origin: tuple[float, float], destination: tuple[float, float],
        mode: str = "") -> dict[str, Any]:
    params = {"from": f"{origin[0]},{origin[1]}", "to": f"{destination[0]},{destination[1]}"}
    reply = http.get("/api/v1/geo/eta", params={**params, **({"mode": mode} if mode else {})})
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def test_geodesic_estimate_in_the_city(http: httpx.Client) -> None:
    great_circle = great_circle_m(*KREMLIN, *BOLSHOI)
    by_mode = {mode: eta(http, KREMLIN, BOLSHOI, mode) for mode in ("walk", "car", "transit")}
    for mode, body in by_mode.items():
        assert body["method"] == "geodesic" and body["mode"] == mode
        assert body["distance"] >= great_circle
        assert body["seconds"] > 0
    assert by_mode["walk"]["seconds"] > by_mode["car"]["seconds"]
    assert 8 * 60 < by_mode["walk"]["seconds"] < 20 * 60  # ~900 m on foot
    assert eta(http, KREMLIN, BOLSHOI) == by_mode["walk"]  # the default mode


def test_same_point_takes_no_time(http: httpx.Client) -> None:
    for mode in ("walk", "car", "transit"):
        body = eta(http, KREMLIN, KREMLIN, mode)
        assert (body["distance"], body["seconds"]) == (0, 0)


@pytest.mark.parametrize("params, field", [
    ({"from": "bad", "to": "55.76,37.61"}, "from"),
    ({"from": "55.75,37.61", "to": "95,37.61"}, "to"),
    ({"from": "55.75,37.61", "to": "55.76,-190"}, "to"),
    ({"from": "55.75,37.61", "to": "55.76,37.61", "mode": "plane"}, "mode"),
])
def test_bad_requests_name_the_field(http: httpx.Client, params: dict[str, str], field: str) -> None:
    assert_bad_request(http.get("/api/v1/geo/eta", params=params), field)


def corner(r: int, c: int) -> tuple[float, float]:
    return GRAPH_ORIGIN[0] + r * DLAT, GRAPH_ORIGIN[1] + c * DLON


@pytest.fixture
def road_graph() -> Iterator[str]:
    """A square of four 300 m streets; the southern one is one-way east."""
    database = live_database()
    ring = [corner(0, 0), corner(0, 1), corner(1, 1), corner(1, 0)]
    edges = [RoadEdge(FIRST_EDGE + k, FIRST_EDGE + k, FIRST_EDGE + (k + 1) % 4, [ring[k], ring[(k + 1) % 4]],
                      oneway=k == 0) for k in range(4)]
    load_road_edges(database, edges)
    yield database
    delete_road_edges(database, FIRST_EDGE, LAST_EDGE)


def test_pgrouting_over_a_loaded_graph(http: httpx.Client, road_graph: str) -> None:
    west, east = corner(0, 0), corner(0, 1)
    street = great_circle_m(*west, *east)
    walk = eta(http, east, west, "walk")
    assert walk["method"] == "pgrouting"
    assert walk["distance"] == pytest.approx(street, rel=1e-6)
    assert walk["seconds"] == round(street / (4.8 / 3.6))
    car = eta(http, east, west, "car")  # the direct street is one-way the other way
    assert car["method"] == "pgrouting" and car["distance"] > 2.9 * street
    start = (west[0] - 50 / 111_195, west[1])  # 50 m south of the corner: walks onto the graph
    assert eta(http, start, east, "car")["distance"] == pytest.approx(street + 50, rel=1e-3)
    far = (west[0] - 0.01, west[1])  # ~1.1 km away: the graph does not cover the trip
    assert eta(http, far, east, "walk")["method"] == "geodesic"

    delete_road_edges(road_graph, FIRST_EDGE, LAST_EDGE)
    assert eta(http, east, west, "walk")["method"] == "geodesic"
