"""pgRouting over the road graph: snap both endpoints to the nearest vertex, then the
shortest path by length (pgr_dijkstra, cost in metres)."""

from __future__ import annotations

from typing import Any

from psycopg import AsyncCursor
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from services.geo.domain.eta import MODES
from services.geo.domain.geodesy import LatLon

_SNAP = """
SELECT id, ST_Distance(geog, pt, false) AS snap, ST_X(geog::geometry) AS lon, ST_Y(geog::geometry) AS lat
FROM roads_vertices, (SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography AS pt) AS p
WHERE ST_DWithin(geog, pt, %(snap)s, false)
ORDER BY geog <-> pt, id
LIMIT 1
"""
_PATH = "SELECT agg_cost FROM pgr_dijkstra(%(edges)s, %(source)s, %(target)s, directed => %(directed)s) WHERE edge = -1"


def _edges_sql(a: dict[str, Any], b: dict[str, Any]) -> str:
    """Edges near the trip only: loading a whole city graph per query would dominate.
    The margin (2 km plus half the trip) keeps real detours inside the box."""
    lon0, lon1 = sorted((float(a["lon"]), float(b["lon"])))
    lat0, lat1 = sorted((float(a["lat"]), float(b["lat"])))
    margin = 0.02 + 0.5 * max(lon1 - lon0, lat1 - lat0)
    return ("SELECT id, source, target, cost, reverse_cost FROM roads WHERE geom && "
            f"ST_Expand(ST_MakeEnvelope({lon0:.9f}, {lat0:.9f}, {lon1:.9f}, {lat1:.9f}, 4326), {margin:.9f})")


class PgRouter:
    def __init__(self, pool: AsyncConnectionPool, snap_m: float = 500.0) -> None:
        self._pool = pool
        self._snap_m = snap_m  # farther than this from the graph, the graph does not cover the trip

    async def _snap(self, cur: AsyncCursor[dict[str, Any]], point: LatLon) -> dict[str, Any] | None:
        params = {"lat": point.lat, "lon": point.lon, "snap": self._snap_m}
        return await (await cur.execute(_SNAP, params)).fetchone()

    async def route_m(self, origin: LatLon, destination: LatLon, mode: str) -> float | None:
        async with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            a, b = await self._snap(cur, origin), await self._snap(cur, destination)
            if a is None or b is None:
                return None
            ends = float(a["snap"] + b["snap"])  # walking on and off the graph
            if a["id"] == b["id"]:
                return ends
            params = {"edges": _edges_sql(a, b), "source": a["id"], "target": b["id"],
                      "directed": MODES[mode].directed}
            row = await (await cur.execute(_PATH, params)).fetchone()
        return None if row is None else ends + float(row["agg_cost"])
