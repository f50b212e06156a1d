"""ticketing-service's unit of work: the runtime's PostgreSQL one with its repositories.
A serialization failure or deadlock leaves it as the runtime's TransactionConflict
(use cases run the transaction again)."""

from __future__ import annotations

from psycopg_pool import AsyncConnectionPool

from services.runtime.unit_of_work import PostgresUnitOfWork
from services.ticketing.adapters.event_publisher import SOURCE, outbox_message
from services.ticketing.adapters.repository import (
    PostgresIdempotencyKeys,
    PostgresInventory,
    PostgresOrders,
    PostgresPaymentResults,
)
from services.ticketing.domain.events import TicketEvent


class TicketingUnitOfWork(PostgresUnitOfWork):
    def __init__(self, pool: AsyncConnectionPool, idempotency_ttl_seconds: float = 86400) -> None:
        super().__init__(pool, SOURCE)
        self.inventory = PostgresInventory(self)
        self.orders = PostgresOrders(self)
        self.keys = PostgresIdempotencyKeys(self, idempotency_ttl_seconds)
        self.results = PostgresPaymentResults(self)

    async def stage(self, event: TicketEvent) -> None:
        await self.add_event(*outbox_message(event))

    async def request_refund(self, order_id: str, amount: int, reason: str, key: str) -> None:
        await self.connection.execute(
            "INSERT INTO refund_requests (idempotency_key, order_id, amount, reason) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT DO NOTHING", (key, order_id, amount, reason))
