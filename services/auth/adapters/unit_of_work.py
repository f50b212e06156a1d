"""auth-service's unit of work: the runtime's PostgreSQL one with its repositories."""

from __future__ import annotations

from psycopg_pool import AsyncConnectionPool

from services.auth.adapters.event_publisher import SOURCE, outbox_message
from services.auth.adapters.sessions import PostgresSessions
from services.auth.adapters.users import PostgresUsers
from services.auth.domain.events import UserSignedUp, UserUpdated
from services.runtime.unit_of_work import PostgresUnitOfWork


class AuthUnitOfWork(PostgresUnitOfWork):
    def __init__(self, pool: AsyncConnectionPool) -> None:
        super().__init__(pool, SOURCE)
        self.users = PostgresUsers(self)
        self.sessions = PostgresSessions(self)

    async def stage(self, event: UserSignedUp | UserUpdated) -> None:
        await self.add_event(*outbox_message(event))
