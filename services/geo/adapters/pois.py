"""PostGIS reads of POIs: KNN nearby queries and whole cells for the cache."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from services.geo.adapters.vocabulary import POI_CATEGORIES
from services.geo.domain.cells import LAT_STEP, LON_STEP, Cell
from services.geo.domain.model import NearbyPoi, NearbyQuery, Poi

_POINT = "ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography"
_COLUMNS = "id, name, category, city, address, ST_Y(location::geometry) AS lat, ST_X(location::geometry) AS lon"

# `<->` on geography is the sphere distance, and ST_DWithin / ST_Distance with
# use_spheroid => false measure on the same sphere, so the filter, the order and the
# reported distance agree. The inner query is a plain KNN scan of the GiST index (a
# tie-breaker in its ORDER BY would make the planner sort every POI in the radius);
# the outer one orders ties between POIs at the same point by id, like the cache, and
# a few extra rows keep ties at the cut-off from falling out arbitrarily.
_NEARBY = f"""
SELECT * FROM (
    SELECT {_COLUMNS}, ST_Distance(location, {_POINT}, false) AS distance
    FROM pois
    WHERE ST_DWithin(location, {_POINT}, %(radius)s, false) {{category}}
    ORDER BY location <-> {_POINT}
    LIMIT %(limit)s + 16
) AS knn
ORDER BY distance, id
LIMIT %(limit)s
"""
_NEARBY_ALL = _NEARBY.format(category="")
# The category is a literal, not a parameter, so that even a generic plan of the
# prepared statement uses the category's partial index (see the migration).
_NEARBY_IN = {c: _NEARBY.format(category=f"AND category = '{c}'") for c in POI_CATEGORIES}

# A cell's POIs: the index finds the cell's circumscribed circle, the floors keep
# exactly the cell (the same floor of the same doubles as domain.cells.cell_of).
_CELL = f"""
SELECT {_COLUMNS}
FROM pois
WHERE ST_DWithin(location, {_POINT}, %(reach)s, false)
  AND floor(ST_Y(location::geometry) / {LAT_STEP}) = %(i)s
  AND floor(ST_X(location::geometry) / {LON_STEP}) = %(j)s
"""


def _poi(row: dict[str, Any]) -> Poi:
    return Poi(id=row["id"], name=row["name"], category=row["category"], city=row["city"],
               address=row["address"], lat=row["lat"], lon=row["lon"])


class PoiRepository:
    def __init__(self, pool: AsyncConnectionPool) -> None:
        self._pool = pool

    async def nearby(self, query: NearbyQuery) -> list[NearbyPoi]:
        params = {"lat": query.lat, "lon": query.lon, "radius": query.radius, "limit": query.limit}
        sql = _NEARBY_IN[query.category] if query.category else _NEARBY_ALL  # KeyError: not a category
        async with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            rows = await (await cur.execute(sql, params)).fetchall()
        return [NearbyPoi(_poi(row), row["distance"]) for row in rows]

    async def in_cells(self, cells: Sequence[Cell]) -> dict[Cell, list[Poi]]:
        found: dict[Cell, list[Poi]] = {}
        async with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            for cell in cells:
                lat, lon = cell.center
                params = {"lat": lat, "lon": lon, "reach": cell.circumradius_m() + 1.0, "i": cell.i, "j": cell.j}
                rows = await (await cur.execute(_CELL, params)).fetchall()
                found[cell] = [_poi(row) for row in rows]
        return found
