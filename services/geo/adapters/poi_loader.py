"""Bulk loading of POIs into the geo database, outside the service (`kgo seed`,
`kgo geo load-osm`, the bench): COPY into a staging table, then one upsert by id.
Every load ends by invalidating the Redis geo-cache when given its URL (otherwise
the caller must call geo_cache.invalidate); `cache_keys` names a cache other than
the service's (tests)."""

from __future__ import annotations

from collections.abc import Iterable
from os import PathLike

import psycopg

from services.geo.adapters.geo_cache import CacheKeys, invalidate
from services.geo.adapters.osm_loader import PoiRow, read_pois
from services.geo.adapters.schema import ensure_schema

_STAGE = """
CREATE TEMP TABLE poi_stage (
    id bigint, name text, category text, city text, address text, lat float8, lon float8, tags jsonb
) ON COMMIT DROP
"""
# Unchanged rows are left alone: re-seeding must not rewrite (and bloat) a million rows.
_UPSERT = """
INSERT INTO pois AS p (id, name, category, city, address, location, tags)
SELECT id, name, category, city, address, ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography, tags
FROM poi_stage
ON CONFLICT (id) DO UPDATE
SET name = EXCLUDED.name, category = EXCLUDED.category, city = EXCLUDED.city,
    address = EXCLUDED.address, location = EXCLUDED.location, tags = EXCLUDED.tags
WHERE (p.name, p.category, p.city, p.address, p.location::text, p.tags)
      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.category, EXCLUDED.city, EXCLUDED.address,
                        EXCLUDED.location::text, EXCLUDED.tags)
"""


def copy_pois(conn: psycopg.Connection, rows: Iterable[PoiRow]) -> int:
    """Upserts `rows` (ids unique among them) in the connection's transaction; returns
    how many rows were read."""
    conn.execute(_STAGE)
    count = 0
    with conn.cursor().copy("COPY poi_stage FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    conn.execute(_UPSERT)
    return count


def load_pois(database_url: str, rows: Iterable[PoiRow], *, redis_url: str | None = None,
              cache_keys: CacheKeys | None = None) -> int:
    ensure_schema(database_url)
    with psycopg.connect(database_url) as conn:
        # A bulk load may lose its last moments in a crash (it is simply rerun), so it
        # need not wait for the WAL flush.
        conn.execute("SET LOCAL synchronous_commit = off")
        count = copy_pois(conn, rows)
    if redis_url:
        invalidate(redis_url, cache_keys)
    return count


def load_osm(database_url: str, path: str | PathLike[str], *, redis_url: str | None = None,
             cache_keys: CacheKeys | None = None) -> int:
    """The POIs of an OSM extract (see osm_loader for the tag mapping)."""
    return load_pois(database_url, read_pois(path), redis_url=redis_url, cache_keys=cache_keys)


def delete_pois(database_url: str, first_id: int, last_id: int, *, redis_url: str | None = None,
                cache_keys: CacheKeys | None = None) -> int:
    """Removes the POIs with ids in [first_id, last_id] (a test's or the bench's range)."""
    with psycopg.connect(database_url) as conn:
        deleted = conn.execute("DELETE FROM pois WHERE id BETWEEN %s AND %s", (first_id, last_id)).rowcount
    if redis_url:
        invalidate(redis_url, cache_keys)
    return deleted
