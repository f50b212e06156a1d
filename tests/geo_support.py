"""Helpers for the geo tests: an independent great-circle reference, POI rows, and the
live geo database. Imported as `geo_support` (tests/ is on sys.path)."""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from kgo import provision, topology
from kulturago.geo.v1 import geo_service_pb2
from services.runtime.vocabulary import words

# The sphere PostGIS uses for geography with use_spheroid=false (mean WGS 84 radius).
SPHERE_RADIUS_M = 6371008.771415
# The POI categories of the contract (ListNearbyRequest.category), in their proto order.
CATEGORIES = words(geo_service_pb2.ListNearbyRequest, "category")
LIVE_REDIS = provision.redis_url()

PoiRow = tuple[int, str, str, str, str, float, float, str]


def live_database() -> str:
    return topology.database_url("geo", provision.postgres_password())


@contextmanager
def scratch_database() -> Iterator[str]:
    """Like conftest's `scratch_database` fixture, for a module-scoped fixture."""
    name = f"test_scratch_{uuid.uuid4().hex[:12]}"
    admin = topology.database_url("postgres", provision.postgres_password())
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield topology.database_url(name, provision.postgres_password())
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def great_circle_m(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    """Spherical law of haversines written out here, not imported from the service."""
    p1, p2 = math.radians(a_lat), math.radians(b_lat)
    h = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b_lon - a_lon) / 2) ** 2)
    return 2 * SPHERE_RADIUS_M * math.asin(math.sqrt(h))


def scatter(first_id: int, count: int, lat: float, lon: float, spread_m: float, *, seed: int = 1,
            duplicates: int = 0) -> Iterator[PoiRow]:
    """`count` POIs uniformly in a square of `spread_m` around (lat, lon), ids from
    `first_id`; the last `duplicates` share one point (ties in distance)."""
    rng = random.Random(seed)
    dlat = spread_m / 111_195
    dlon = dlat / math.cos(math.radians(lat))
    for k in range(count - duplicates):
        yield (first_id + k, f"Тестовая точка {k}", CATEGORIES[k % len(CATEGORIES)], "", f"ул. Тестовая, {k}",
               round(lat + rng.uniform(-dlat, dlat), 7), round(lon + rng.uniform(-dlon, dlon), 7), "{}")
    for k in range(count - duplicates, count):
        yield (first_id + k, f"Дом {k}", "cafe", "", "ул. Тестовая, 1", lat + dlat / 3, lon, "{}")
