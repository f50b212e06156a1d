"""Review ratings from ugc-service (ugc.created / ugc.deleted) kept on the card as
`rating {average, count}`: eventually consistent, within a second or so of the review."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from psycopg import AsyncConnection

from kulturago.ugc.v1 import events_pb2
from services.runtime.messaging.consumer import PoisonMessage, ReceivedEvent
from services.runtime.messaging.decoding import decode_event

RATING_TOPICS = ("ugc.created", "ugc.deleted")
# The consumer commits right after the handler returns; cached cards are dropped a moment
# later so that a read in between cannot cache the old rating again for a whole TTL.
INVALIDATE_AFTER_SECONDS = 0.3


async def record_rating(conn: AsyncConnection[Any], review_id: str, slug: str, rating: int, counted: bool,
                        version: int) -> None:
    if not review_id or not slug:
        raise PoisonMessage("a review rating without review_id or event_slug")
    await conn.execute(
        "INSERT INTO review_ratings (review_id, event_slug, rating, counted, version) VALUES (%s, %s, %s, %s, %s) "
        "ON CONFLICT (review_id) DO UPDATE SET rating = EXCLUDED.rating, counted = EXCLUDED.counted, "
        "version = EXCLUDED.version WHERE review_ratings.version < EXCLUDED.version",
        (review_id, slug, rating, counted, version))
    await conn.execute(
        "UPDATE events SET rating_average = coalesce(r.average, 0), rating_count = r.count FROM ("
        " SELECT round(avg(rating)::numeric, 2)::double precision AS average, count(*) AS count"
        " FROM review_ratings WHERE event_slug = %s AND counted) r WHERE events.slug = %s", (slug, slug))


class RatingsFollower:
    """The inbox consumer's handler, and a worker that drops cached cards after changes."""

    def __init__(self, invalidate: Callable[[], Awaitable[None]]) -> None:
        self._invalidate = invalidate
        self._changed = asyncio.Event()

    async def handle(self, event: ReceivedEvent, conn: AsyncConnection[Any]) -> None:
        if event.topic == "ugc.created":
            created = decode_event(events_pb2.UgcCreated, event)
            if not 1 <= created.rating <= 5:
                raise PoisonMessage(f"rating {created.rating} outside 1..5")
            await record_rating(conn, created.review_id, created.event_slug, created.rating, True, created.version)
        elif event.topic == "ugc.deleted":
            deleted = decode_event(events_pb2.UgcDeleted, event)
            await record_rating(conn, deleted.review_id, deleted.event_slug, 0, False, deleted.version)
        else:
            raise PoisonMessage(f"event-service does not handle {event.topic} here")
        self._changed.set()

    async def run(self) -> None:
        while True:
            await self._changed.wait()
            await asyncio.sleep(INVALIDATE_AFTER_SECONDS)
            self._changed.clear()
            await self._invalidate()
