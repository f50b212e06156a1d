"""ugc-service's tables through the unit of work's connection (psycopg)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from services.runtime.unit_of_work import InTransaction
from services.ugc.domain.model import EventFacts, Photo, Review

_COLUMNS = "id::text AS id, event_slug, user_id, rating, text, photos, helpful_count, hidden, version, " \
           "create_time, update_time"


def _review(row: dict[str, Any]) -> Review:
    return Review(id=row["id"], event_slug=row["event_slug"], user_id=row["user_id"], rating=row["rating"],
                  text=row["text"], photos=tuple(Photo(**p) for p in row["photos"]),
                  helpful_count=row["helpful_count"], hidden=row["hidden"], create_time=row["create_time"],
                  update_time=row["update_time"], version=row["version"])


def _photos(review: Review) -> Jsonb:
    return Jsonb([{"name": p.name, "thumbnail": p.thumbnail, "width": p.width, "height": p.height}
                  for p in review.photos])


class PostgresReviews:
    def __init__(self, uow: InTransaction) -> None:
        self._uow = uow

    async def add(self, review: Review) -> bool:
        cur = await self._uow.connection.execute(
            "INSERT INTO reviews (id, event_slug, user_id, rating, text, photos, version, create_time, update_time) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (event_slug, user_id) DO NOTHING",
            (review.id, review.event_slug, review.user_id, review.rating, review.text, _photos(review),
             review.version, review.create_time, review.update_time))
        return cur.rowcount == 1

    async def get(self, review_id: str) -> Review | None:
        async with self._uow.connection.cursor(row_factory=dict_row) as cur:
            await cur.execute(f"SELECT {_COLUMNS} FROM reviews WHERE id = %s FOR UPDATE", (review_id,))
            row = await cur.fetchone()
        return _review(row) if row else None

    async def exists(self, event_slug: str, user_id: str) -> bool:
        cur = await self._uow.connection.execute(
            "SELECT 1 FROM reviews WHERE event_slug = %s AND user_id = %s", (event_slug, user_id))
        return await cur.fetchone() is not None

    async def save(self, review: Review, hide_reason: str = "") -> None:
        await self._uow.connection.execute(
            "UPDATE reviews SET rating = %s, text = %s, hidden = %s, version = %s, update_time = %s, "
            "hide_reason = CASE WHEN %s <> '' THEN %s ELSE hide_reason END WHERE id = %s",
            (review.rating, review.text, review.hidden, review.version, review.update_time, hide_reason,
             hide_reason, review.id))

    async def delete(self, review_id: str) -> None:
        await self._uow.connection.execute("DELETE FROM reviews WHERE id = %s", (review_id,))

    async def vote_helpful(self, review_id: str, user_id: str, at: datetime) -> int:
        cur = await self._uow.connection.execute(
            "WITH vote AS (INSERT INTO helpful_votes (review_id, user_id, vote_time) VALUES (%s, %s, %s) "
            "ON CONFLICT DO NOTHING RETURNING review_id) "
            "UPDATE reviews SET helpful_count = helpful_count + (SELECT count(*) FROM vote) WHERE id = %s "
            "RETURNING helpful_count", (review_id, user_id, at, review_id))
        row = await cur.fetchone()
        return int(row["helpful_count"]) if row else 0

    async def page(self, event_slug: str, order: str, size: int,
                   after: tuple[datetime, int, str] | None) -> list[Review]:
        params: list[Any] = [event_slug]
        where = ""
        if order == "helpful":
            if after:
                where = "AND (helpful_count, create_time, id) < (%s, %s, %s::uuid)"
                params += [after[1], after[0], after[2]]
            order_sql = "helpful_count DESC, create_time DESC, id DESC"
        else:
            if after:
                where = "AND (create_time, id) < (%s, %s::uuid)"
                params += [after[0], after[2]]
            order_sql = "create_time DESC, id DESC"
        params.append(size)
        async with self._uow.connection.cursor(row_factory=dict_row) as cur:
            await cur.execute(f"SELECT {_COLUMNS} FROM reviews WHERE event_slug = %s AND NOT hidden {where} "
                              f"ORDER BY {order_sql} LIMIT %s", params)
            return [_review(r) for r in await cur.fetchall()]


class PostgresFacts:
    def __init__(self, uow: InTransaction) -> None:
        self._uow = uow

    async def event(self, slug: str) -> EventFacts | None:
        cur = await self._uow.connection.execute("SELECT session_starts FROM events WHERE slug = %s", (slug,))
        row = await cur.fetchone()
        return EventFacts(slug, tuple(row["session_starts"])) if row else None

    async def has_paid_ticket(self, user_id: str, event_slug: str) -> bool:
        cur = await self._uow.connection.execute(
            "SELECT 1 FROM paid_tickets WHERE user_id = %s AND event_slug = %s LIMIT 1", (user_id, event_slug))
        return await cur.fetchone() is not None

    async def remember_event(self, facts: EventFacts, version: int) -> None:
        await self._uow.connection.execute(
            "INSERT INTO events (slug, session_starts, version) VALUES (%s, %s, %s) ON CONFLICT (slug) DO UPDATE "
            "SET session_starts = EXCLUDED.session_starts, version = EXCLUDED.version "
            "WHERE events.version <= EXCLUDED.version", (facts.slug, list(facts.session_starts), version))

    async def remember_ticket(self, user_id: str, event_slug: str, order_id: str) -> None:
        await self._uow.connection.execute(
            "INSERT INTO paid_tickets (user_id, event_slug, order_id) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            (user_id, event_slug, order_id))


class PostgresPendingUploads:
    def __init__(self, uow: InTransaction) -> None:
        self._uow = uow

    async def add(self, object_key: str, user_id: str, at: datetime) -> None:
        await self._uow.connection.execute(
            "INSERT INTO pending_uploads (object_key, user_id, create_time) VALUES (%s, %s, %s)",
            (object_key, user_id, at))

    async def owner(self, object_key: str) -> str | None:
        cur = await self._uow.connection.execute("SELECT user_id FROM pending_uploads WHERE object_key = %s",
                                                 (object_key,))
        row = await cur.fetchone()
        return str(row["user_id"]) if row else None

    async def consume(self, object_key: str) -> None:
        await self._uow.connection.execute("DELETE FROM pending_uploads WHERE object_key = %s", (object_key,))
