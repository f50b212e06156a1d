"""PostgreSQL repository of events (PostGIS for the radius filter), on the connection of
a unit of work."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from psycopg import AsyncConnection, sql

from services.event.domain.model import Cursor, Event, ListQuery, Page, Place, Seat, Session, TicketTier
from services.runtime.unit_of_work import InTransaction

_EVENT_COLUMNS = sql.SQL(
    "e.id, e.slug, e.title, e.description, e.category, e.tags, e.city, e.place_name, e.place_address, "
    "ST_Y(e.location::geometry) AS lat, ST_X(e.location::geometry) AS lon, e.price_min, e.price_max, "
    "e.currency, e.is_free, e.kids, e.age_restriction, e.images, e.ticket_provider, e.rating_average, "
    "e.rating_count, e.version, e.create_time, e.update_time"
)


def _event(row: dict[str, Any], sessions: list[Session]) -> Event:
    return Event(
        slug=row["slug"], title=row["title"], description=row["description"], category=row["category"],
        tags=tuple(row["tags"]), city=row["city"],
        place=Place(row["place_name"], row["place_address"], row["lat"], row["lon"]),
        sessions=tuple(sessions), price_min=row["price_min"], price_max=row["price_max"],
        currency=row["currency"], is_free=row["is_free"], kids=row["kids"],
        age_restriction=row["age_restriction"], images=tuple(row["images"]),
        ticket_provider=row["ticket_provider"], rating_average=row["rating_average"],
        rating_count=row["rating_count"], next_start=row.get("next_start"), create_time=row["create_time"],
        update_time=row["update_time"], version=row["version"],
    )


# Tickets left per (session id, tier id), as ticketing last reported them.
_Left = dict[tuple[str, str], int]


def _session(row: dict[str, Any], left: _Left | None = None) -> Session:
    left = left or {}
    return Session(row["start_time"], row["end_time"], id=row["session_id"],
                   tiers=tuple(TicketTier(t["id"], t["name"], t["price"], t["capacity"],
                                          left.get((row["session_id"], t["id"])))
                               for t in row["tiers"]),
                   seats=tuple(Seat(s[0], s[1]) for s in row.get("seats") or ()))


async def _availability(conn: AsyncConnection[Any], ids: list[int]) -> dict[int, _Left]:
    """Per event id: ticketing's last report of tickets left (approximate; display only)."""
    rows = await (await conn.execute(
        "SELECT e.id AS event_id, a.session_id, a.tier_id, a.available FROM tier_availability a "
        "JOIN events e ON e.slug = a.event_slug WHERE e.id = ANY(%s)", (ids,))).fetchall()
    left: dict[int, _Left] = defaultdict(dict)
    for r in rows:
        left[r["event_id"]][(r["session_id"], r["tier_id"])] = r["available"]
    return left


async def _sessions(conn: AsyncConnection[Any], ids: list[int]) -> dict[int, list[Session]]:
    """Sessions that have not ended yet, per event id (without seat maps: list items)."""
    rows = await (await conn.execute(
        "SELECT event_id, start_time, end_time, session_id, tiers FROM event_sessions "
        "WHERE event_id = ANY(%s) AND end_time > now() ORDER BY event_id, start_time", (ids,),
    )).fetchall()
    left = await _availability(conn, ids)
    by_event: dict[int, list[Session]] = defaultdict(list)
    for r in rows:
        by_event[r["event_id"]].append(_session(r, left.get(r["event_id"])))
    return by_event


def _tiers_json(session: Session) -> str:
    return json.dumps([{"id": t.id, "name": t.name, "price": t.price, "capacity": t.capacity}
                       for t in session.tiers])


def _seats_json(session: Session) -> str:
    # [id, tier] pairs: a 5,000-seat hall stays under 100 KB.
    return json.dumps([[s.id, s.tier_id] for s in session.seats])


async def _upsert(conn: AsyncConnection[Any], event: Event) -> Event:
    """Create or replace the event with this slug (sessions included); bumps its version."""
    row = await (await conn.execute(
        """
        INSERT INTO events (slug, title, description, category, tags, city, place_name, place_address,
                            location, price_min, price_max, currency, is_free, kids, age_restriction,
                            images, ticket_provider)
        VALUES (%(slug)s, %(title)s, %(description)s, %(category)s, %(tags)s, %(city)s, %(place_name)s,
                %(place_address)s, ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography,
                %(price_min)s, %(price_max)s, %(currency)s, %(is_free)s, %(kids)s, %(age)s, %(images)s,
                %(provider)s)
        ON CONFLICT (slug) DO UPDATE SET
            title = EXCLUDED.title, description = EXCLUDED.description, category = EXCLUDED.category,
            tags = EXCLUDED.tags, city = EXCLUDED.city, place_name = EXCLUDED.place_name,
            place_address = EXCLUDED.place_address, location = EXCLUDED.location,
            price_min = EXCLUDED.price_min, price_max = EXCLUDED.price_max, currency = EXCLUDED.currency,
            is_free = EXCLUDED.is_free, kids = EXCLUDED.kids, age_restriction = EXCLUDED.age_restriction,
            images = EXCLUDED.images, ticket_provider = EXCLUDED.ticket_provider,
            version = events.version + 1, update_time = now()
        RETURNING id
        """,
        {"slug": event.slug, "title": event.title, "description": event.description,
         "category": event.category, "tags": list(event.tags), "city": event.city,
         "place_name": event.place.name, "place_address": event.place.address, "lat": event.place.lat,
         "lon": event.place.lon, "price_min": event.price_min, "price_max": event.price_max,
         "currency": event.currency, "is_free": event.is_free, "kids": event.kids,
         "age": event.age_restriction, "images": list(event.images), "provider": event.ticket_provider},
    )).fetchone()
    assert row is not None
    event_id = row["id"]
    await conn.execute("DELETE FROM event_sessions WHERE event_id = %s", (event_id,))
    async with conn.cursor() as cur:
        await cur.executemany(
            "INSERT INTO event_sessions (event_id, start_time, end_time, session_id, tiers, seats) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            [(event_id, s.start, s.end, s.id, _tiers_json(s), _seats_json(s)) for s in event.sessions],
        )
    stored = await _by_slug(conn, event.slug, include_past_sessions=True)
    assert stored is not None
    return stored


async def _by_slug(conn: AsyncConnection[Any], slug: str, *, include_past_sessions: bool = False) -> Event | None:
    row = await (await conn.execute(
        sql.SQL("SELECT {} FROM events e WHERE e.slug = %s").format(_EVENT_COLUMNS), (slug,),
    )).fetchone()
    if row is None:
        return None
    when = "" if include_past_sessions else "AND end_time > now() "
    sessions = await (await conn.execute(
        "SELECT start_time, end_time, session_id, tiers, seats FROM event_sessions "
        f"WHERE event_id = %s {when}ORDER BY start_time",
        (row["id"],),
    )).fetchall()
    left = (await _availability(conn, [row["id"]])).get(row["id"])
    listed = [_session(r, left) for r in sessions]
    now = datetime.now(UTC)
    row["next_start"] = next((s.start for s in listed if s.end > now), None)
    return _event(row, listed)


def _filters(query: ListQuery) -> tuple[list[sql.Composable], dict[str, Any]]:
    where: list[sql.Composable] = []
    params: dict[str, Any] = {}
    if query.categories:
        where.append(sql.SQL("e.category = ANY(%(categories)s)"))
        params["categories"] = list(query.categories)
    if query.is_free is not None:
        where.append(sql.SQL("e.is_free = %(is_free)s"))
        params["is_free"] = query.is_free
    if query.kids is not None:
        where.append(sql.SQL("e.kids = %(kids)s"))
        params["kids"] = query.kids
    if query.city:
        where.append(sql.SQL("e.city = %(city)s"))
        params["city"] = query.city
    if query.geo:
        where.append(sql.SQL(
            "ST_DWithin(e.location, ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography, %(radius)s)"))
        params.update(lat=query.geo.lat, lon=query.geo.lon, radius=query.geo.radius)
    return where, params


_NEXT = sql.SQL("""
    WITH next AS (
        SELECT event_id, min(start_time) AS next_start FROM event_sessions
        WHERE end_time > %(window_start)s {end_clause}
        GROUP BY event_id
    )
""")


async def _list_page(conn: AsyncConnection[Any], query: ListQuery, after: Cursor | None) -> Page:
    where, params = _filters(query)
    params["window_start"] = query.window_start
    end_clause = sql.SQL("")
    if query.window_end is not None:
        end_clause = sql.SQL("AND start_time < %(window_end)s")
        params["window_end"] = query.window_end
    cte = _NEXT.format(end_clause=end_clause)
    matching = sql.SQL(" AND ").join(where) if where else sql.SQL("TRUE")

    count_row = await (await conn.execute(
        sql.SQL("{} SELECT count(*) AS total FROM next n JOIN events e ON e.id = n.event_id WHERE {}")
        .format(cte, matching), params,
    )).fetchone()
    page_where = list(where)
    if after is not None:
        page_where.append(sql.SQL("(n.next_start, e.slug) > (%(after_start)s, %(after_slug)s)"))
        params.update(after_start=after.next_start, after_slug=after.slug)
    params["limit"] = query.page_size + 1
    rows = await (await conn.execute(
        sql.SQL("{} SELECT {}, n.next_start FROM next n JOIN events e ON e.id = n.event_id WHERE {} "
                "ORDER BY n.next_start, e.slug LIMIT %(limit)s")
        .format(cte, _EVENT_COLUMNS, sql.SQL(" AND ").join(page_where) if page_where else sql.SQL("TRUE")),
        params,
    )).fetchall()
    has_more = len(rows) > query.page_size
    rows = rows[: query.page_size]
    sessions = await _sessions(conn, [r["id"] for r in rows])
    events = [_event(r, sessions.get(r["id"], [])) for r in rows]
    cursor = Cursor(rows[-1]["next_start"], rows[-1]["slug"]) if has_more and rows else None
    return Page(events, cursor, count_row["total"] if count_row else 0)


class PostgresEvents:
    def __init__(self, tx: InTransaction) -> None:
        self._tx = tx

    async def upsert(self, event: Event) -> Event:
        return await _upsert(self._tx.connection, event)

    async def by_slug(self, slug: str) -> Event | None:
        return await _by_slug(self._tx.connection, slug)

    async def list_page(self, query: ListQuery, after: Cursor | None) -> Page:
        return await _list_page(self._tx.connection, query, after)
