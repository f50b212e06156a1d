"""event-service's unit of work: the runtime's PostgreSQL one with the events repository."""

from __future__ import annotations

from psycopg_pool import AsyncConnectionPool

from services.event.adapters.event_publisher import SOURCE, outbox_message
from services.event.adapters.repository import PostgresEvents
from services.event.domain.events import EventPublished
from services.runtime.unit_of_work import PostgresUnitOfWork


class EventUnitOfWork(PostgresUnitOfWork):
    def __init__(self, pool: AsyncConnectionPool) -> None:
        super().__init__(pool, SOURCE)
        self.events = PostgresEvents(self)

    async def stage(self, event: EventPublished) -> None:
        await self.add_event(*outbox_message(event))
