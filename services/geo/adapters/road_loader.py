"""Writes of the road graph (pgRouting edges and their vertices), outside the service.

Costs are edge lengths in metres on the same sphere as everything else; a one-way
edge gets reverse_cost -1 (pgRouting's "no way back").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import psycopg

from services.geo.adapters.schema import ensure_schema


@dataclass(frozen=True, slots=True)
class RoadEdge:
    id: int
    source: int  # vertex id at points[0]
    target: int  # vertex id at points[-1]
    points: Sequence[tuple[float, float]]  # (lat, lon), source to target
    oneway: bool = False

    def wkt(self) -> str:
        return "LINESTRING(" + ", ".join(f"{lon!r} {lat!r}" for lat, lon in self.points) + ")"


_STAGE = "CREATE TEMP TABLE road_stage (id bigint, source bigint, target bigint, wkt text, oneway bool) ON COMMIT DROP"
_UPSERT_EDGES = """
INSERT INTO roads (id, source, target, cost, reverse_cost, geom)
SELECT id, source, target, len, CASE WHEN oneway THEN -1 ELSE len END, geom
FROM (SELECT *, ST_GeomFromText(wkt, 4326) AS geom,
             ST_Length(ST_GeomFromText(wkt, 4326)::geography, false) AS len FROM road_stage) AS s
ON CONFLICT (id) DO UPDATE SET source = EXCLUDED.source, target = EXCLUDED.target, cost = EXCLUDED.cost,
    reverse_cost = EXCLUDED.reverse_cost, geom = EXCLUDED.geom
"""
_UPSERT_VERTICES = """
INSERT INTO roads_vertices (id, geog)
SELECT DISTINCT ON (id) id, geog FROM (
    SELECT source AS id, ST_StartPoint(geom)::geography AS geog FROM roads WHERE id IN (SELECT id FROM road_stage)
    UNION ALL
    SELECT target, ST_EndPoint(geom)::geography FROM roads WHERE id IN (SELECT id FROM road_stage)
) AS ends
ORDER BY id
ON CONFLICT (id) DO UPDATE SET geog = EXCLUDED.geog
"""
_DROP_ORPHAN_VERTICES = """
DELETE FROM roads_vertices v
WHERE NOT EXISTS (SELECT 1 FROM roads r WHERE r.source = v.id)
  AND NOT EXISTS (SELECT 1 FROM roads r WHERE r.target = v.id)
"""


def load_road_edges(database_url: str, edges: Iterable[RoadEdge]) -> int:
    ensure_schema(database_url)
    count = 0
    with psycopg.connect(database_url) as conn:
        conn.execute(_STAGE)
        with conn.cursor().copy("COPY road_stage FROM STDIN") as copy:
            for edge in edges:
                copy.write_row((edge.id, edge.source, edge.target, edge.wkt(), edge.oneway))
                count += 1
        conn.execute(_UPSERT_EDGES)
        conn.execute(_UPSERT_VERTICES)
    return count


def delete_road_edges(database_url: str, first_id: int, last_id: int) -> int:
    """Removes edges with ids in [first_id, last_id] and the vertices left unused."""
    with psycopg.connect(database_url) as conn:
        deleted = conn.execute("DELETE FROM roads WHERE id BETWEEN %s AND %s", (first_id, last_id)).rowcount
        conn.execute(_DROP_ORPHAN_VERTICES)
    return deleted
