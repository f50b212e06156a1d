"""geo-service loaders against a scratch database: the demo bulk loader and the OSM
loader (XML and PBF written by the test), and their cache invalidation."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import osmium
import psycopg
import pytest
import redis as redis_sync
from geo_support import LIVE_REDIS

from kgo.geo_cli import load_demo_pois
from services.geo.adapters.geo_cache import CacheKeys
from services.geo.adapters.poi_loader import delete_pois, load_osm
from services.geo.adapters.vocabulary import POI_CATEGORIES as CATEGORIES

# Nodes: a named museum, an unnamed cafe, two places of worship, a bookshop with an
# address; a closed way (a park, square 56.301..56.303 x 38.101..38.105) and an open
# way (a footpath with the same tags, skipped) over untagged nodes.
OSM_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="kulturago-test">
  <node id="101" lat="55.7520" lon="37.6175" version="1">
    <tag k="tourism" v="museum"/><tag k="name" v="Музей Кремля"/><tag k="name:en" v="Kremlin Museum"/>
  </node>
  <node id="102" lat="55.7530" lon="37.6180" version="1"><tag k="amenity" v="cafe"/></node>
  <node id="103" lat="59.9390" lon="30.3158" version="1">
    <tag k="amenity" v="place_of_worship"/><tag k="religion" v="christian"/><tag k="name" v="Храм"/>
  </node>
  <node id="104" lat="59.9400" lon="30.3200" version="1">
    <tag k="amenity" v="place_of_worship"/><tag k="religion" v="muslim"/><tag k="name" v="Мечеть"/>
  </node>
  <node id="105" lat="55.7600" lon="37.6300" version="1">
    <tag k="shop" v="books"/><tag k="name" v="Книжный"/>
    <tag k="addr:street" v="Мясницкая улица"/><tag k="addr:housenumber" v="6"/>
  </node>
  <node id="201" lat="56.301" lon="38.101" version="1"/>
  <node id="202" lat="56.301" lon="38.105" version="1"/>
  <node id="203" lat="56.303" lon="38.105" version="1"/>
  <node id="204" lat="56.303" lon="38.101" version="1"/>
  <way id="101" version="1">
    <nd ref="201"/><nd ref="202"/><nd ref="203"/><nd ref="204"/><nd ref="201"/>
    <tag k="leisure" v="park"/><tag k="name" v="Парк у реки"/>
  </way>
  <way id="302" version="1">
    <nd ref="201"/><nd ref="202"/><nd ref="203"/>
    <tag k="leisure" v="park"/><tag k="name" v="Не парк"/>
  </way>
</osm>
"""


@pytest.fixture
def cache_keys() -> Iterator[CacheKeys]:
    keys = CacheKeys(f"test-geo-{uuid.uuid4().hex[:8]}")
    yield keys
    client = redis_sync.Redis.from_url(LIVE_REDIS)
    for key in client.scan_iter(match=f"{keys.prefix}:*"):
        client.delete(key)


def _rows(database_url: str, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(database_url) as conn:
        return conn.execute(sql).fetchall()


def test_demo_loader_bulk_loads_and_is_idempotent(scratch_database: str, cache_keys: CacheKeys) -> None:
    client = redis_sync.Redis.from_url(LIVE_REDIS)
    stale = f"{cache_keys.prefix}:g0:c:1:1"
    client.set(stale, b"x")
    assert load_demo_pois(scratch_database, 3000, redis_url=LIVE_REDIS, cache_keys=cache_keys) == 3000
    # Invalidated: a new generation, and the old generation's keys are gone.
    assert int(client.get(cache_keys.generation) or 0) == 1
    assert not client.exists(stale)

    count, categories, cities, bad = _rows(scratch_database, """
        SELECT count(*), array_agg(DISTINCT category), array_agg(DISTINCT city),
               count(*) FILTER (WHERE abs(ST_Y(location::geometry)) > 90 OR tags <> '{}')
        FROM pois""")[0]
    assert count == 3000 and bad == 0
    assert set(categories) <= CATEGORIES  # type: ignore[arg-type]
    assert set(cities) == {"moscow", "spb"}  # type: ignore[arg-type]

    # Seeding again changes nothing; more POIs extend the same deterministic sequence.
    assert load_demo_pois(scratch_database, 3500, redis_url=LIVE_REDIS, cache_keys=cache_keys) == 3500
    assert _rows(scratch_database, "SELECT count(*) FROM pois")[0][0] == 3500
    offset = 1 << 40
    load_demo_pois(scratch_database, 100, seed=9, id_offset=offset)
    assert _rows(scratch_database, f"SELECT count(*) FROM pois WHERE id >= {offset}")[0][0] == 100
    assert delete_pois(scratch_database, offset, offset + (1 << 34), redis_url=LIVE_REDIS,
                       cache_keys=cache_keys) == 100
    assert int(client.get(cache_keys.generation) or 0) == 3


@pytest.mark.parametrize("fmt", ["osm", "osm.pbf"])
def test_osm_loader_maps_nodes_and_closed_ways(scratch_database: str, tmp_path: Path, fmt: str,
                                               cache_keys: CacheKeys) -> None:
    source = tmp_path / "extract.osm"
    source.write_text(OSM_XML, encoding="utf-8")
    if fmt == "osm.pbf":  # the same data as a PBF, the format real extracts come in
        target = tmp_path / "extract.osm.pbf"
        with osmium.SimpleWriter(str(target)) as writer:
            for obj in osmium.FileProcessor(str(source)):
                writer.add(obj)
        source = target

    assert load_osm(scratch_database, source, redis_url=LIVE_REDIS, cache_keys=cache_keys) == 4
    rows = {r[0]: r[1:] for r in _rows(scratch_database, """
        SELECT id, name, category, city, address, ST_Y(location::geometry), ST_X(location::geometry), tags
        FROM pois""")}
    assert set(rows) == {101, 103, 105, -101}  # unnamed cafe, mosque and open way skipped
    name, category, city, address, lat, lon, tags = rows[101]
    assert (name, category, city, address, lat, lon) == ("Музей Кремля", "museum", "moscow", "", 55.752, 37.6175)
    assert tags["name:en"] == "Kremlin Museum"  # type: ignore[index]
    assert rows[103][:3] == ("Храм", "church", "spb")
    assert rows[105][:4] == ("Книжный", "bookstore", "moscow", "Мясницкая улица, 6")
    # The closed way: stored as -way_id at the polygon's centroid.
    name, category, city, _, lat, lon, tags = rows[-101]
    assert (name, category, city) == ("Парк у реки", "park", "")
    assert lat == pytest.approx(56.302, abs=1e-9) and lon == pytest.approx(38.103, abs=1e-9)
    assert json.loads(json.dumps(tags))["leisure"] == "park"
    assert int(redis_sync.Redis.from_url(LIVE_REDIS).get(cache_keys.generation) or 0) == 1
