"""gamification-service's unit of work: the runtime's PostgreSQL one with its repositories."""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from services.gamification.adapters.repository import (
    PostgresBadges,
    PostgresEvents,
    PostgresFollows,
    PostgresLedger,
    PostgresUsers,
)
from services.runtime.unit_of_work import PostgresUnitOfWork

SOURCE = "//gamification.kulturago/gamification-service"


class GamificationUnitOfWork(PostgresUnitOfWork):
    def __init__(self, pool: AsyncConnectionPool) -> None:
        super().__init__(pool, SOURCE)
        self.ledger = PostgresLedger(self)
        self.badges = PostgresBadges(self)
        self.users = PostgresUsers(self)
        self.events = PostgresEvents(self)
        self.follows = PostgresFollows(self)


class ConsumerUnitOfWork(GamificationUnitOfWork):
    """The repositories on the transaction the inbox consumer opened for a message (the
    awards commit with its inbox row). Used as is, never entered with `async with`."""

    def __init__(self, pool: AsyncConnectionPool, conn: AsyncConnection[Any]) -> None:
        super().__init__(pool)
        self._fixed = conn

    @property
    def connection(self) -> AsyncConnection[Any]:
        return self._fixed
