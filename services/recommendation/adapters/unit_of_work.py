"""recommendation-service's unit of work: favourites and the outbox of user.action."""

from __future__ import annotations

from datetime import UTC, datetime

from psycopg_pool import AsyncConnectionPool

from kulturago.recommendation.v1 import events_pb2
from services.recommendation.domain.actions import Action
from services.recommendation.service_layer.actions import FavouriteRow
from services.runtime.timestamps import to_timestamp
from services.runtime.unit_of_work import PostgresUnitOfWork

TOPIC = "user.action"
SOURCE = "//recommendation.kulturago/recommendation-service"


def user_action(action: Action, source: str, received: datetime) -> events_pb2.UserAction:
    return events_pb2.UserAction(
        user_id=action.user_id, action_id=action.action_id, kind=events_pb2.ActionKind.Name(int(action.kind)),
        event_slug=action.event_slug, time=to_timestamp(action.time), receive_time=to_timestamp(received),
        source=source)


class RecommendationUnitOfWork(PostgresUnitOfWork):
    def __init__(self, pool: AsyncConnectionPool) -> None:
        super().__init__(pool, SOURCE)

    async def stage_action(self, action: Action, source: str) -> None:
        await self.add_event(TOPIC, action.user_id, user_action(action, source, datetime.now(UTC)))

    async def event_exists(self, slug: str) -> bool:
        cur = await self.connection.execute("SELECT 1 FROM catalog_events WHERE slug = %s", (slug,))
        return await cur.fetchone() is not None

    async def add_favourite(self, user_id: str, slug: str, at: datetime) -> bool:
        cur = await self.connection.execute(
            "INSERT INTO favourites (user_id, event_slug, create_time) VALUES (%s, %s, %s) "
            "ON CONFLICT DO NOTHING RETURNING 1", (user_id, slug, at))
        return await cur.fetchone() is not None

    async def remove_favourite(self, user_id: str, slug: str) -> bool:
        cur = await self.connection.execute(
            "DELETE FROM favourites WHERE user_id = %s AND event_slug = %s RETURNING 1", (user_id, slug))
        return await cur.fetchone() is not None

    async def favourites(self, user_id: str, after: tuple[datetime, str] | None, limit: int) -> list[FavouriteRow]:
        if after is None:
            cur = await self.connection.execute(
                "SELECT event_slug, create_time FROM favourites WHERE user_id = %s "
                "ORDER BY create_time DESC, event_slug DESC LIMIT %s", (user_id, limit))
        else:
            cur = await self.connection.execute(
                "SELECT event_slug, create_time FROM favourites WHERE user_id = %s "
                "AND (create_time, event_slug) < (%s, %s) ORDER BY create_time DESC, event_slug DESC LIMIT %s",
                (user_id, after[0], after[1], limit))
        return [FavouriteRow(r["event_slug"], r["create_time"]) for r in await cur.fetchall()]
