"""geo-service data commands for `kgo` (POIs and the road graph live in geo's database
and are loaded from here, not through the API)."""

from __future__ import annotations

from collections.abc import Iterable

from kgo import provision, topology
from kgo.console import step
from kgo.demo_city import generate_pois
from services.geo.adapters.poi_loader import CacheKeys, PoiRow, load_pois


def database_url() -> str:
    return topology.database_url("geo", provision.postgres_password())


def redis_url() -> str:
    return provision.redis_url()


def demo_rows(count: int, *, seed: int = 7, id_offset: int = 0) -> Iterable[PoiRow]:
    for p in generate_pois(count, seed=seed):
        yield p.osm_id + id_offset, p.name, p.category, p.city, p.address, p.lat, p.lon, "{}"


def load_demo_pois(database_url: str, count: int, *, seed: int = 7, id_offset: int = 0,
                   redis_url: str | None = None, cache_keys: CacheKeys | None = None) -> int:
    """The demo generator's first `count` POIs (ids shifted by `id_offset`)."""
    rows = demo_rows(count, seed=seed, id_offset=id_offset)
    return load_pois(database_url, rows, redis_url=redis_url, cache_keys=cache_keys)


def seed_demo_pois(count: int = 6000) -> int:
    """`kgo seed`: the demo city's first `count` POIs."""
    with step(f"loading {count} demo POIs"):
        return load_demo_pois(database_url(), count, redis_url=redis_url())


def load_osm(path: str) -> int:
    """`kgo geo load-osm FILE`: the POIs of an OSM extract (.osm, .osm.pbf)."""
    from services.geo.adapters.poi_loader import load_osm as load

    with step(f"loading POIs from {path}"):
        count = load(database_url(), path, redis_url=redis_url())
    print(f"kgo: {count} POIs loaded from {path}")
    return count
