"""PostgreSQL repository of tours (PostGIS for the start point and the route), on the
connection of a unit of work."""

from __future__ import annotations

import json
from typing import Any

from psycopg import AsyncConnection, sql

from services.gid.domain.model import Cursor, LatLng, ListQuery, Narration, Page, RouteMeasure, Stop, Tour
from services.gid.service_layer.ports import BundleRecord
from services.runtime.unit_of_work import InTransaction

_LIST_COLUMNS = sql.SQL(
    "t.id, t.city, t.title, t.description, t.languages, t.stop_count, ST_Y(t.start::geometry) AS start_lat, "
    "ST_X(t.start::geometry) AS start_lon, t.distance_m, t.walking_seconds, t.duration_seconds, t.route_method, "
    "t.version, t.create_time, t.update_time")


def _stops_json(tour: Tour) -> str:
    return json.dumps([{
        "id": s.id, "title": s.title, "lat": s.location.lat, "lon": s.location.lon, "radius": s.trigger_radius,
        "narrations": [{"language": n.language, "title": n.title, "text": n.text} for n in s.narrations],
        "image": s.image, "poiId": s.poi_id, "eventSlug": s.event_slug,
    } for s in tour.stops], ensure_ascii=False)


def _stop(data: dict[str, Any]) -> Stop:
    return Stop(id=data["id"], title=data["title"], location=LatLng(data["lat"], data["lon"]),
                narrations=tuple(Narration(n["language"], n["text"], n.get("title", "")) for n in data["narrations"]),
                trigger_radius=data["radius"], image=data.get("image", ""), poi_id=data.get("poiId", 0),
                event_slug=data.get("eventSlug", ""))


def _tour(row: dict[str, Any], *, full: bool) -> Tour:
    stops = tuple(_stop(s) for s in row["stops"]) if full else ()
    route: tuple[LatLng, ...] = ()
    if full and row.get("route"):
        route = tuple(LatLng(lat, lon) for lon, lat in json.loads(row["route"])["coordinates"])
    elif full:
        route = tuple(s.location for s in stops)  # one stop: no line
    return Tour(
        id=row["id"], city=row["city"], title=row["title"], description=row["description"],
        languages=tuple(row["languages"]), stops=stops, route=route,
        measure=RouteMeasure(row["distance_m"], row["walking_seconds"], row["route_method"]),
        duration_seconds=row["duration_seconds"], version=row["version"], create_time=row["create_time"],
        update_time=row["update_time"], stop_count=row["stop_count"],
        start=LatLng(row["start_lat"], row["start_lon"]), start_distance_m=row.get("start_distance"),
    )


def _route_wkt(tour: Tour) -> str | None:
    if len(tour.route) < 2:
        return None
    return "LINESTRING(" + ", ".join(f"{p.lon!r} {p.lat!r}" for p in tour.route) + ")"


async def _upsert(conn: AsyncConnection[Any], tour: Tour) -> Tour:
    start = tour.stops[0].location
    await conn.execute(
        """
        INSERT INTO tours (id, city, title, description, languages, stops, stop_count, start, route, distance_m,
                           walking_seconds, duration_seconds, route_method)
        VALUES (%(id)s, %(city)s, %(title)s, %(description)s, %(languages)s, %(stops)s, %(stop_count)s,
                ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography,
                ST_GeomFromText(%(route)s, 4326), %(distance)s, %(walking)s, %(duration)s, %(method)s)
        ON CONFLICT (id) DO UPDATE SET
            city = EXCLUDED.city, title = EXCLUDED.title, description = EXCLUDED.description,
            languages = EXCLUDED.languages, stops = EXCLUDED.stops, stop_count = EXCLUDED.stop_count,
            start = EXCLUDED.start, route = EXCLUDED.route, distance_m = EXCLUDED.distance_m,
            walking_seconds = EXCLUDED.walking_seconds, duration_seconds = EXCLUDED.duration_seconds,
            route_method = EXCLUDED.route_method, version = tours.version + 1, update_time = now()
        """,
        {"id": tour.id, "city": tour.city, "title": tour.title, "description": tour.description,
         "languages": list(tour.languages), "stops": _stops_json(tour), "stop_count": len(tour.stops),
         "lat": start.lat, "lon": start.lon, "route": _route_wkt(tour), "distance": tour.measure.distance_m,
         "walking": tour.measure.walking_seconds, "duration": tour.duration_seconds,
         "method": tour.measure.method})
    stored = await _by_id(conn, tour.id)
    assert stored is not None
    return stored


async def _by_id(conn: AsyncConnection[Any], tour_id: str) -> Tour | None:
    row = await (await conn.execute(
        sql.SQL("SELECT {}, t.stops, ST_AsGeoJSON(t.route) AS route FROM tours t WHERE t.id = %s")
        .format(_LIST_COLUMNS), (tour_id,))).fetchone()
    return None if row is None else _tour(row, full=True)


def _filters(query: ListQuery) -> tuple[list[sql.Composable], dict[str, Any]]:
    where: list[sql.Composable] = []
    params: dict[str, Any] = {}
    if query.city:
        where.append(sql.SQL("t.city = %(city)s"))
        params["city"] = query.city
    if query.language:
        where.append(sql.SQL("t.languages @> ARRAY[%(language)s]"))
        params["language"] = query.language
    if query.near:
        where.append(sql.SQL("ST_DWithin(t.start, (SELECT p FROM here), %(radius)s)"))
        params.update(lat=query.near.lat, lon=query.near.lon, radius=query.near.radius_m)
    return where, params


_HERE = sql.SQL("WITH here AS (SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography AS p) ")


async def _list_page(conn: AsyncConnection[Any], query: ListQuery, after: Cursor | None) -> Page:
    where, params = _filters(query)
    prefix = _HERE if query.near else sql.SQL("")
    matching = sql.SQL(" AND ").join(where) if where else sql.SQL("TRUE")
    count = await (await conn.execute(
        sql.SQL("{}SELECT count(*) AS total FROM tours t WHERE {}").format(prefix, matching), params)).fetchone()
    page_where = list(where)
    extra: sql.Composable
    if query.near:
        # Nearest first, by whole millimetres (what the page token carries), then id.
        key = sql.SQL("round(ST_Distance(t.start, (SELECT p FROM here)) * 1000)::bigint")
        extra = sql.SQL(", {} AS distance_mm, ST_Distance(t.start, (SELECT p FROM here)) AS start_distance").format(key)
        order = sql.SQL("ORDER BY distance_mm, t.id")
        if after is not None:
            page_where.append(sql.SQL("({}, t.id) > (%(after_distance)s, %(after_id)s)").format(key))
            params.update(after_distance=after.distance_mm, after_id=after.id)
    else:
        extra = sql.SQL("")
        order = sql.SQL("ORDER BY t.create_time DESC, t.id DESC")
        if after is not None:
            page_where.append(sql.SQL("(t.create_time, t.id) < (%(after_time)s, %(after_id)s)"))
            params.update(after_time=after.create_time, after_id=after.id)
    params["limit"] = query.page_size + 1
    rows = await (await conn.execute(
        sql.SQL("{}SELECT {}{} FROM tours t WHERE {} {} LIMIT %(limit)s").format(
            prefix, _LIST_COLUMNS, extra, sql.SQL(" AND ").join(page_where) if page_where else sql.SQL("TRUE"),
            order), params)).fetchall()
    has_more = len(rows) > query.page_size
    rows = rows[:query.page_size]
    cursor = None
    if has_more and rows:
        last = rows[-1]
        cursor = (Cursor(distance_mm=last["distance_mm"], id=last["id"]) if query.near
                  else Cursor(create_time=last["create_time"], id=last["id"]))
    return Page([_tour(r, full=False) for r in rows], cursor, count["total"] if count else 0)


class PostgresTours:
    def __init__(self, tx: InTransaction) -> None:
        self._tx = tx

    async def upsert(self, tour: Tour) -> Tour:
        return await _upsert(self._tx.connection, tour)

    async def by_id(self, tour_id: str) -> Tour | None:
        return await _by_id(self._tx.connection, tour_id)

    async def list_page(self, query: ListQuery, after: Cursor | None) -> Page:
        return await _list_page(self._tx.connection, query, after)

    async def bundle(self, tour_id: str, version: int, engine: str) -> BundleRecord | None:
        row = await (await self._tx.connection.execute(
            "SELECT tour_id, version, engine, object_key, etag, size_bytes FROM tour_bundles "
            "WHERE tour_id = %s AND version = %s AND engine = %s", (tour_id, version, engine))).fetchone()
        return None if row is None else BundleRecord(**row)

    async def add_bundle(self, record: BundleRecord) -> None:
        await self._tx.connection.execute(
            "INSERT INTO tour_bundles (tour_id, version, engine, object_key, etag, size_bytes) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (record.tour_id, record.version, record.engine, record.object_key, record.etag, record.size_bytes))
