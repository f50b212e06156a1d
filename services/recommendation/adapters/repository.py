"""PostgreSQL: the catalog copy, the interaction log, favourites, profiles, the model registry."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from psycopg import AsyncConnection
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from services.recommendation.domain.actions import Action
from services.recommendation.domain.catalog import CatalogItem

CATALOG_CHANNEL = "reco_catalog"
MODELS_CHANNEL = "reco_models"


@dataclass(frozen=True, slots=True)
class CatalogRow:
    item: CatalogItem
    version: int
    session_ids: tuple[str, ...]


async def upsert_event(conn: AsyncConnection[Any], row: CatalogRow) -> bool:
    """Stores the event unless a version at least as new is stored; True when it changed."""
    item = row.item
    starts = [s for s, _ in item.sessions]
    ends = [e for _, e in item.sessions]
    cur = await conn.execute(
        "INSERT INTO catalog_events (slug, version, title, description, category, tags, city, place_name, lat, lon, "
        "session_starts, session_ends, session_ids, is_free, kids, price_min, image, last_end, updated_at) "
        "VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s, now()) "
        "ON CONFLICT (slug) DO UPDATE SET version = EXCLUDED.version, title = EXCLUDED.title, "
        "description = EXCLUDED.description, category = EXCLUDED.category, tags = EXCLUDED.tags, "
        "city = EXCLUDED.city, place_name = EXCLUDED.place_name, lat = EXCLUDED.lat, lon = EXCLUDED.lon, "
        "session_starts = EXCLUDED.session_starts, session_ends = EXCLUDED.session_ends, "
        "session_ids = EXCLUDED.session_ids, is_free = EXCLUDED.is_free, kids = EXCLUDED.kids, "
        "price_min = EXCLUDED.price_min, image = EXCLUDED.image, last_end = EXCLUDED.last_end, updated_at = now() "
        "WHERE catalog_events.version < EXCLUDED.version RETURNING 1",
        (item.slug, row.version, item.title, item.description, item.category, list(item.tags), item.city,
         item.place_name, item.lat, item.lon, starts, ends, list(row.session_ids), item.is_free, item.kids,
         item.price_min, item.image, max(ends)))
    changed = await cur.fetchone() is not None
    if changed:
        await conn.execute("SELECT pg_notify(%s, '')", (CATALOG_CHANNEL,))
    return changed


async def record_availability(conn: AsyncConnection[Any], slug: str, session_id: str, available: int,
                              at: datetime) -> None:
    await conn.execute(
        "INSERT INTO session_availability (event_slug, session_id, available, report_time) VALUES (%s,%s,%s,%s) "
        "ON CONFLICT (event_slug, session_id) DO UPDATE SET available = EXCLUDED.available, "
        "report_time = EXCLUDED.report_time WHERE session_availability.report_time <= EXCLUDED.report_time",
        (slug, session_id, available, at))
    await conn.execute("SELECT pg_notify(%s, '')", (CATALOG_CHANNEL,))


async def record_action(conn: AsyncConnection[Any], action: Action) -> bool:
    """Appends to the interaction log; False when this (user, action id) was logged before."""
    cur = await conn.execute(
        "INSERT INTO interactions (user_id, action_id, event_slug, kind, weight, time) VALUES (%s,%s,%s,%s,%s,%s) "
        "ON CONFLICT DO NOTHING RETURNING 1",
        (action.user_id, action.action_id, action.event_slug, int(action.kind), action.weight, action.time))
    return await cur.fetchone() is not None


async def record_profile(conn: AsyncConnection[Any], user_id: str, city: str, interests: Sequence[str],
                         at: datetime) -> None:
    await conn.execute(
        "INSERT INTO user_profiles (user_id, city, interests, update_time) VALUES (%s,%s,%s,%s) "
        "ON CONFLICT (user_id) DO UPDATE SET city = EXCLUDED.city, interests = EXCLUDED.interests, "
        "update_time = EXCLUDED.update_time WHERE user_profiles.update_time <= EXCLUDED.update_time",
        (user_id, city, list(interests), at))


class CatalogReader:
    """What the in-memory snapshot is built from."""

    def __init__(self, pool: AsyncConnectionPool) -> None:
        self._pool = pool

    async def active(self, now: datetime) -> list[CatalogItem]:
        async with self._pool.connection() as conn:
            cur = conn.cursor(row_factory=dict_row)
            await cur.execute(
                "SELECT e.*, coalesce(a.sold_out, false) AS sold_out FROM catalog_events e "
                "LEFT JOIN (SELECT event_slug, bool_and(available <= 0) AS sold_out FROM session_availability "
                "GROUP BY event_slug) a ON a.event_slug = e.slug WHERE e.last_end > %s", (now,))
            rows = await cur.fetchall()
        return [CatalogItem(
            slug=r["slug"], title=r["title"], description=r["description"], category=r["category"],
            tags=tuple(r["tags"]), city=r["city"], place_name=r["place_name"], lat=r["lat"], lon=r["lon"],
            sessions=tuple(zip(r["session_starts"], r["session_ends"], strict=True)), is_free=r["is_free"],
            kids=r["kids"], price_min=r["price_min"], image=r["image"], sold_out=r["sold_out"]) for r in rows]

    async def fingerprint(self) -> tuple[Any, ...]:
        """Changes whenever the catalog or an availability does (cheap: two aggregates)."""
        async with self._pool.connection() as conn:
            cur = await conn.cursor(row_factory=dict_row).execute(
                "SELECT (SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') FROM catalog_events) AS events, "
                "(SELECT count(*) || ':' || coalesce(max(report_time)::text, '') FROM session_availability) AS sales")
            row = await cur.fetchone()
        return (row["events"], row["sales"]) if row else ()

    async def popularity(self, now: datetime, half_life_days: float, horizon_days: int = 30) -> dict[str, float]:
        """slug -> time-decayed sum of action weights over the last `horizon_days`."""
        async with self._pool.connection() as conn:
            cur = await conn.cursor(row_factory=dict_row).execute(
                "SELECT event_slug, sum(greatest(weight, 0) * power(0.5, extract(epoch FROM (%s - time)) "
                "/ (86400.0 * %s))) AS score FROM interactions WHERE time > %s - make_interval(days => %s) "
                "GROUP BY event_slug", (now, half_life_days, now, horizon_days))
            return {r["event_slug"]: float(r["score"]) for r in await cur.fetchall()}


class Profiles:
    """Stated profiles (city, interests), kept in memory for `ttl` seconds: they change
    when a user edits their profile, and a query per recommendation would cost more
    than the ranking itself. At most `size` users are kept (the oldest go first)."""

    def __init__(self, ttl: float = 30.0, size: int = 50_000) -> None:
        self._ttl = ttl
        self._size = size
        self._kept: dict[str, tuple[float, tuple[str, tuple[str, ...]]]] = {}

    async def stated(self, pool: AsyncConnectionPool, user_id: str) -> tuple[str, tuple[str, ...]]:
        now = time.monotonic()
        kept = self._kept.get(user_id)
        if kept is not None and kept[0] > now:
            return kept[1]
        async with pool.connection() as conn:
            cur = await conn.cursor(row_factory=dict_row).execute(
                "SELECT city, interests FROM user_profiles WHERE user_id = %s", (user_id,))
            row = await cur.fetchone()
        profile = (row["city"], tuple(row["interests"])) if row else ("", ())
        self._kept.pop(user_id, None)
        if len(self._kept) >= self._size:
            del self._kept[next(iter(self._kept))]
        self._kept[user_id] = (now + self._ttl, profile)
        return profile


@dataclass(frozen=True)
class TrainingData:
    user_ids: tuple[str, ...]
    slugs: tuple[str, ...]
    users: np.ndarray[Any, np.dtype[np.int64]]
    items: np.ndarray[Any, np.dtype[np.int64]]
    kinds: np.ndarray[Any, np.dtype[np.int16]]
    times: np.ndarray[Any, np.dtype[np.float64]]


async def training_data(pool: AsyncConnectionPool, since: datetime) -> TrainingData:
    """The log since `since` as arrays (COPY: a million rows in about a second)."""
    user_index: dict[str, int] = {}
    slug_index: dict[str, int] = {}
    users: list[int] = []
    items: list[int] = []
    kinds: list[int] = []
    times: list[float] = []
    async with pool.connection() as conn, conn.cursor() as cur:
        async with cur.copy("COPY (SELECT user_id, event_slug, kind, extract(epoch FROM time) FROM interactions "
                            "WHERE time >= %s) TO STDOUT", (since,)) as copy:
            async for user, slug, kind, at in copy.rows():
                users.append(user_index.setdefault(user, len(user_index)))
                items.append(slug_index.setdefault(slug, len(slug_index)))
                kinds.append(int(kind))
                times.append(float(at))
    return TrainingData(tuple(user_index), tuple(slug_index), np.array(users, dtype=np.int64),
                        np.array(items, dtype=np.int64), np.array(kinds, dtype=np.int16),
                        np.array(times, dtype=np.float64))
