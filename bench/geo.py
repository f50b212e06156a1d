"""GET /api/v1/geo/nearby through Envoy at 1M POIs: once on PostGIS alone (the cache's
off switch set) and once with the points' cells hot in Redis.

The 1M POIs are the demo generator's (another seed) under ids from 2^40, away from the
demo city's and OSM's; they are loaded once and kept. ~200 query points follow the
POIs' own density over both cities, so most land in dense central cells.
"""

from __future__ import annotations

import time
from itertools import islice

import httpx
import psycopg
import redis

from bench import wrk
from bench.report import Check, Section
from kgo import provision, topology
from kgo.demo_city import generate_pois
from kgo.geo_cli import load_demo_pois
from services.geo.adapters.geo_cache import CacheKeys

BASE = f"http://127.0.0.1:{topology.GATEWAY_HTTP_PORT}"
REDIS_URL = provision.redis_url()
COUNT = 1_000_000
ID_OFFSET = 1 << 40  # bench POIs: [2^40, 2^40 + 2^34); demo ids stay below 2^34
SEED = 11
POINTS = 200
CONNECTIONS = 4
SECONDS = 10
TARGET_P95_MS = 10.0


def _database() -> str:
    return topology.database_url("geo", provision.postgres_password())


def ensure_pois() -> tuple[int, float]:
    """(bench POIs present, seconds spent loading them now)."""
    database = _database()
    with psycopg.connect(database) as conn:
        row = conn.execute("SELECT count(*) FROM pois WHERE id >= %s AND id < %s",
                           (ID_OFFSET, ID_OFFSET + (1 << 34))).fetchone()
    if row is not None and row[0] >= COUNT:
        return row[0], 0.0
    started = time.monotonic()
    loaded = load_demo_pois(database, COUNT, seed=SEED, id_offset=ID_OFFSET, redis_url=REDIS_URL)
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute("ANALYZE pois")
    return loaded, time.monotonic() - started


def query_paths() -> list[str]:
    # Synthetic POIs of yet another seed: where people are, with the same density.
    points = islice(generate_pois(COUNT, seed=SEED + 1), 1000, 1000 + POINTS)
    return [f"/api/v1/geo/nearby?lat={p.lat:.6f}&lon={p.lon:.6f}&radius=1000&limit=50" for p in points]


def _warm(paths: list[str], passes: int = 5) -> None:
    """Make every point's cell hot and let the background loads land."""
    with httpx.Client(base_url=BASE, timeout=30) as http:
        for _ in range(passes):
            for path in paths:
                http.get(path).raise_for_status()
            time.sleep(0.5)


def run() -> Section:
    present, load_s = ensure_pois()
    paths = query_paths()
    keys, client = CacheKeys(), redis.Redis.from_url(REDIS_URL)

    client.set(keys.off, b"1", ex=SECONDS * 6)  # expires by itself if the bench dies
    try:
        cold = wrk.run("nearby r=1000 limit=50, PostGIS KNN (cache off)", BASE, paths,
                       connections=CONNECTIONS, seconds=SECONDS)
    finally:
        client.delete(keys.off)
    _warm(paths)
    hot = wrk.run("nearby r=1000 limit=50, hot cells (Redis GEO)", BASE, paths,
                  connections=CONNECTIONS, seconds=SECONDS)
    memory = client.info("memory")["used_memory_human"]
    # The floor under the same load: Envoy and a bare grpc.aio servicer, no middleware.
    echo = wrk.run("GET /bench/echo (bare grpc.aio), for reference", BASE, ["/bench/echo?message=hi"],
                   connections=CONNECTIONS, seconds=SECONDS)

    notes = [f"{present:,} bench POIs (demo generator, seed {SEED}, ids from 2^40) besides the demo city's; "
             + (f"loaded in {load_s:.0f} s this run." if load_s else "already loaded."),
             f"{POINTS} query points drawn from the POI density over Moscow and Saint Petersburg, round-robin; "
             f"wrk, {CONNECTIONS} connections, {SECONDS} s per run.",
             f"Hot run after warming every point's cells; Redis used_memory afterwards: {memory}."]
    return Section(
        title="geo-service nearby at 1M POIs (Envoy -> geo -> PostGIS / Redis)",
        results=[cold, hot, echo],
        checks=[Check("nearby p95 at 1M POIs", hot.p95_ms, f"< {TARGET_P95_MS:.0f} ms", hot.p95_ms < TARGET_P95_MS),
                Check("nearby p95 at 1M POIs, cache off", cold.p95_ms, f"< {TARGET_P95_MS:.0f} ms",
                      cold.p95_ms < TARGET_P95_MS)],
        notes=notes,
    )
