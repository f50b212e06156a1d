"""geo-service domain and use cases without I/O: travel time estimates, nearby query
defaults and limits, the cache-or-database flow."""

from __future__ import annotations

import pytest

from services.geo.domain.cells import cell_of
from services.geo.domain.eta import MODES, geodesic_eta, routed_eta, travel_seconds
from services.geo.domain.geodesy import LatLon, distance_m
from services.geo.domain.model import NearbyPoi, NearbyQuery, Poi, city_at
from services.geo.service_layer.eta import Travel
from services.geo.service_layer.nearby import MISS, CacheLookup, Nearby
from services.runtime.errors import InvalidArgument

KREMLIN = LatLon(55.7520, 37.6175)
BOLSHOI = LatLon(55.7601, 37.6186)


def test_geodesic_eta_per_mode() -> None:
    great_circle = distance_m(KREMLIN, BOLSHOI)
    walk, car, transit = (geodesic_eta(KREMLIN, BOLSHOI, mode) for mode in ("walk", "car", "transit"))
    for eta, detour in ((walk, 1.3), (car, 1.4), (transit, 1.35)):
        assert eta.method == "geodesic"
        assert eta.distance == pytest.approx(great_circle * detour)
        assert eta.distance >= great_circle
    assert walk.seconds == round(walk.distance / (4.8 / 3.6))
    assert car.seconds == round(car.distance / (25 / 3.6))
    assert transit.seconds == round(transit.distance / (20 / 3.6) + 300)
    assert walk.seconds > car.seconds


def test_no_trip_takes_no_time() -> None:
    for mode in MODES:
        eta = geodesic_eta(KREMLIN, KREMLIN, mode)
        assert (eta.distance, eta.seconds) == (0, 0)
        assert travel_seconds(0, mode) == 0


def test_routed_eta_has_no_detour() -> None:
    eta = routed_eta(1200.0, "walk")
    assert (eta.distance, eta.seconds, eta.method) == (1200.0, 900, "pgrouting")


class _Router:
    def __init__(self, metres: float | None) -> None:
        self.metres = metres
        self.calls: list[tuple[LatLon, LatLon, str]] = []

    async def route_m(self, origin: LatLon, destination: LatLon, mode: str) -> float | None:
        self.calls.append((origin, destination, mode))
        return self.metres


async def test_travel_prefers_the_road_graph() -> None:
    routed = await Travel(_Router(1500.0)).eta("55.752,37.6175", "55.7601,37.6186", "car")
    assert (routed.method, routed.distance, routed.mode) == ("pgrouting", 1500.0, "car")
    router = _Router(None)
    estimated = await Travel(router).eta("55.752,37.6175", "55.7601,37.6186", "")
    assert (estimated.method, estimated.mode) == ("geodesic", "walk")
    assert router.calls == [(KREMLIN, BOLSHOI, "walk")]


@pytest.mark.parametrize("origin, destination, mode, field", [
    ("bad", "55.7,37.6", "", "from"),
    ("55.7,37.6", "95,37.6", "", "to"),
    ("55.7,37.6", "55.7,37.6", "plane", "mode"),
])
async def test_travel_rejects_bad_input_naming_the_field(origin: str, destination: str, mode: str,
                                                         field: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        await Travel(_Router(None)).eta(origin, destination, mode)
    assert caught.value.metadata["field"] == field


def test_nearby_query_defaults_and_limits() -> None:
    q = NearbyQuery.of(55.75, 37.61)
    assert (q.radius, q.limit, q.category) == (1000.0, 50, "")
    assert NearbyQuery.of(55.75, 37.61, 250, "cafe", 7) == NearbyQuery(55.75, 37.61, 250, "cafe", 7)
    for kwargs, field in (({"lat": 91}, "lat"), ({"lon": -181}, "lon"), ({"radius": -1}, "radius"),
                          ({"radius": 50001}, "radius"), ({"limit": 201}, "limit"), ({"limit": -1}, "limit")):
        args = {"lat": 55.75, "lon": 37.61, **kwargs}
        with pytest.raises(InvalidArgument) as caught:
            NearbyQuery.of(**args)  # type: ignore[arg-type]
        assert caught.value.metadata["field"] == field


def test_city_at() -> None:
    assert city_at(55.75, 37.61) == "moscow"
    assert city_at(59.94, 30.31) == "spb"
    assert city_at(60.8, 31.6) == ""


def _found(*distances: float) -> list[NearbyPoi]:
    return [NearbyPoi(Poi(i, f"p{i}", "cafe", "moscow", "", 55.75, 37.61), d) for i, d in enumerate(distances)]


class _Source:
    def __init__(self, pois: list[NearbyPoi]) -> None:
        self.pois = pois
        self.calls = 0

    async def nearby(self, query: NearbyQuery) -> list[NearbyPoi]:
        self.calls += 1
        return self.pois


class _Cache:
    def __init__(self, lookup: CacheLookup) -> None:
        self.lookup_result = lookup
        self.warmed: list[float] = []

    async def lookup(self, query: NearbyQuery) -> CacheLookup:
        return self.lookup_result

    def warm(self, query: NearbyQuery, lookup: CacheLookup, reach_m: float) -> None:
        self.warmed.append(reach_m)


async def test_nearby_answers_from_the_cache_when_it_can() -> None:
    cached = _found(1.0, 2.0)
    source = _Source(_found(5.0))
    assert await Nearby(source, _Cache(CacheLookup(cached, hot=True)))(NearbyQuery.of(55.75, 37.61)) == cached
    assert source.calls == 0


async def test_nearby_warms_a_hot_area_to_the_answers_reach() -> None:
    query = NearbyQuery.of(55.75, 37.61, 1000, "", 2)
    hot = CacheLookup(None, hot=True, generation="1", missing=(cell_of(55.75, 37.61),))
    full = _Cache(hot)
    assert await Nearby(_Source(_found(10.0, 30.0)), full)(query) == _found(10.0, 30.0)
    assert full.warmed == [30.0]  # the limit was reached: cells up to the farthest POI
    short = _Cache(hot)
    await Nearby(_Source(_found(10.0)), short)(query)
    assert short.warmed == [1000.0]  # fewer than the limit: the whole circle
    cold = _Cache(MISS)
    await Nearby(_Source(_found(10.0)), cold)(query)
    assert cold.warmed == []
