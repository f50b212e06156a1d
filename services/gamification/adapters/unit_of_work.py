"""gamification-service's unit of work: the runtime's PostgreSQL one with its repositories."""

from __future__ import annotations

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
