"""The Redis geo-cache against PostGIS on the same POIs (scratch database, real Redis
under a key prefix of its own): hot cells answer exactly what PostGIS answers."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import psycopg
import pytest
import redis.asyncio as aioredis
from geo_support import LIVE_REDIS, scatter, scratch_database

from kgo.geo_cli import demo_rows
from services.geo.adapters.geo_cache import CacheKeys, CachePolicy, GeoCache, invalidate
from services.geo.adapters.poi_loader import copy_pois
from services.geo.adapters.pois import PoiRepository
from services.geo.adapters.schema import ensure_schema
from services.geo.adapters.vocabulary import POI_CATEGORIES as CATEGORIES
from services.geo.domain.cells import cell_of
from services.geo.domain.model import NearbyPoi, NearbyQuery
from services.geo.service_layer.nearby import Nearby
from services.runtime.cache import open_redis
from services.runtime.db import open_pool

TIES_AT = (55.7600, 37.6400)  # 40 POIs share one point here: ties in distance


@dataclass
class Setup:
    repo: PoiRepository
    redis: aioredis.Redis
    keys: CacheKeys

    def cache(self, hot_hits: int = 1, client: aioredis.Redis | None = None) -> GeoCache:
        return GeoCache(client or self.redis, self.repo, CachePolicy(hot_hits=hot_hits), self.keys)


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    """30k demo POIs over both cities, and 40 sharing one point; read-only for the tests."""
    with scratch_database() as url:
        ensure_schema(url)
        with psycopg.connect(url) as conn:
            copy_pois(conn, [*demo_rows(30_000, seed=3), *scatter(1 << 41, 40, *TIES_AT, 0, duplicates=40)])
        yield url


@pytest.fixture
async def setup(database: str) -> AsyncIterator[Setup]:
    pool = await open_pool(database, min_size=1, max_size=4)
    redis = open_redis(LIVE_REDIS)
    keys = CacheKeys(f"test-geo-{uuid.uuid4().hex[:8]}")
    try:
        yield Setup(PoiRepository(pool), redis, keys)
    finally:
        async for key in redis.scan_iter(match=f"{keys.prefix}:*"):
            await redis.delete(key)
        await redis.aclose()
        await pool.close()


def _same(cached: list[NearbyPoi], exact: list[NearbyPoi]) -> None:
    assert [c.poi for c in cached] == [e.poi for e in exact]
    for c, e in zip(cached, exact, strict=True):
        assert c.distance == pytest.approx(e.distance, abs=1e-6)


async def _served(cache: GeoCache, repo: PoiRepository, query: NearbyQuery) -> list[NearbyPoi] | None:
    """The cache's answer once the cells the query needs are loaded."""
    lookup = await cache.lookup(query)
    if lookup.pois is None and lookup.hot:
        exact = await repo.nearby(query)
        cache.warm(query, lookup, exact[-1].distance if len(exact) == query.limit else query.radius)
        await cache.drain()
        lookup = await cache.lookup(query)
    return lookup.pois


def _random_queries(n: int) -> list[NearbyQuery]:
    rng = random.Random(11)
    centres = [(55.759, 37.644, 0.02), (55.70, 37.55, 0.05), (59.934, 30.34, 0.02), (TIES_AT[0], TIES_AT[1], 0.0005)]
    queries = []
    for _ in range(n):
        lat, lon, spread = rng.choice(centres)
        queries.append(NearbyQuery.of(rng.gauss(lat, spread), rng.gauss(lon, spread * 1.8),
                                      rng.choice([40, 300, 1000, 2000]), rng.choice(["", "", *sorted(CATEGORIES)]),
                                      rng.choice([1, 7, 50, 200])))
    return queries


async def test_hot_cells_answer_exactly_like_postgis(setup: Setup) -> None:
    cache = setup.cache()
    served = 0
    queries = _random_queries(160)
    for query in queries:
        exact = await setup.repo.nearby(query)
        cached = await _served(cache, setup.repo, query)
        if cached is not None:
            served += 1
            _same(cached, exact)
    assert served >= 0.95 * len(queries)  # the rest fell back to PostGIS, which is allowed


async def test_ties_are_ordered_by_id_on_both_paths(setup: Setup) -> None:
    cache = setup.cache()
    query = NearbyQuery.of(TIES_AT[0] + 0.0001, TIES_AT[1], 100, "cafe", 25)
    exact = await setup.repo.nearby(query)
    tied = [p for p in exact if p.poi.id >= 1 << 41]
    assert len(tied) >= 20 and len({p.distance for p in tied}) == 1
    assert [p.poi.id for p in tied] == sorted(p.poi.id for p in tied)
    cached = await _served(cache, setup.repo, query)
    assert cached is not None
    _same(cached, exact)


async def test_cells_turn_hot_after_enough_hits(setup: Setup) -> None:
    cache = setup.cache(hot_hits=3)
    query = NearbyQuery.of(59.93, 30.31, 500)
    first, second = await cache.lookup(query), await cache.lookup(query)
    assert not first.hot and not second.hot
    third = await cache.lookup(query)
    assert third.hot and third.pois is None and third.missing
    cache.warm(query, third, query.radius)
    await cache.drain()
    fourth = await cache.lookup(query)
    assert fourth.pois is not None and not fourth.missing
    _same(fourth.pois, await setup.repo.nearby(query))
    # Loaded cells keep answering after the area cools down (until they expire).
    await setup.redis.delete(setup.keys.hits(cell_of(query.lat, query.lon)))
    cooled = await cache.lookup(query)
    assert not cooled.hot and cooled.pois == fourth.pois


async def test_invalidation_forgets_every_cell(setup: Setup) -> None:
    cache = setup.cache()
    query = NearbyQuery.of(55.76, 37.62, 1000, "", 50)
    assert await _served(cache, setup.repo, query) is not None
    before = await cache.lookup(query)
    invalidate(LIVE_REDIS, setup.keys)
    after = await cache.lookup(query)
    assert after.pois is None and after.missing and after.generation != before.generation
    leftovers = [k async for k in setup.redis.scan_iter(match=f"{setup.keys.prefix}:g{before.generation}:*")]
    assert leftovers == []


async def test_off_switch_and_redis_outage_fall_back_to_postgis(setup: Setup) -> None:
    query = NearbyQuery.of(55.759, 37.644, 1000, "museum", 20)
    exact = await setup.repo.nearby(query)
    cache = setup.cache()
    await setup.redis.set(setup.keys.off, b"1")
    assert not (await cache.lookup(query)).hot
    assert await Nearby(setup.repo, cache)(query) == exact
    await setup.redis.delete(setup.keys.off)

    dead = open_redis("redis://127.0.0.1:1/0")  # nothing listens there
    try:
        down = setup.cache(client=dead)
        started = time.monotonic()
        assert await Nearby(setup.repo, down)(query) == exact
        assert await Nearby(setup.repo, down)(query) == exact  # skips Redis for a while now
        assert time.monotonic() - started < 2
    finally:
        await dead.aclose()
