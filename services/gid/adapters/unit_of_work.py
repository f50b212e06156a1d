"""gid-service's unit of work: the runtime's PostgreSQL one with the tours repository."""

from __future__ import annotations

from psycopg_pool import AsyncConnectionPool

from services.gid.adapters.repository import PostgresTours
from services.gid.adapters.tour_publisher import SOURCE, outbox_message
from services.gid.domain.events import TourPublished
from services.runtime.unit_of_work import PostgresUnitOfWork


class GidUnitOfWork(PostgresUnitOfWork):
    def __init__(self, pool: AsyncConnectionPool) -> None:
        super().__init__(pool, SOURCE)
        self.tours = PostgresTours(self)

    async def stage(self, event: TourPublished) -> None:
        await self.add_event(*outbox_message(event))
