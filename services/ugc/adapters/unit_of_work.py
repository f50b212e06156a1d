"""ugc-service's unit of work: the runtime's PostgreSQL one with its repositories."""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from services.runtime.unit_of_work import PostgresUnitOfWork
from services.ugc.adapters.repository import PostgresFacts, PostgresPendingUploads, PostgresReviews

SOURCE = "//ugc.kulturago/ugc-service"


class UgcUnitOfWork(PostgresUnitOfWork):
    def __init__(self, pool: AsyncConnectionPool) -> None:
        super().__init__(pool, SOURCE)
        self.reviews = PostgresReviews(self)
        self.facts = PostgresFacts(self)
        self.uploads = PostgresPendingUploads(self)


class ConsumerFacts:
    """The read model's repository on an inbox consumer's own transaction."""

    def __init__(self, conn: AsyncConnection[Any]) -> None:
        self._conn = conn
        self.facts = PostgresFacts(self)

    @property
    def connection(self) -> AsyncConnection[Any]:
        return self._conn
