"""ticketing-service's unit of work: the runtime's PostgreSQL one with its repositories.
A serialization failure or deadlock leaves it as RetryableConflict (use cases run the
transaction again)."""

from __future__ import annotations

from types import TracebackType
from typing import Any

import psycopg
from psycopg import AsyncConnection
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
from services.ticketing.service_layer.ports import RetryableConflict

_RETRYABLE = frozenset({"40001", "40P01"})  # serialization failure, deadlock


def _retryable(exc: BaseException | None) -> bool:
    return isinstance(exc, psycopg.Error) and exc.sqlstate in _RETRYABLE


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

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> bool | None:
        try:
            result = await super().__aexit__(exc_type, exc, tb)
        except psycopg.Error as commit_error:
            if _retryable(commit_error):
                raise RetryableConflict(str(commit_error)) from commit_error
            raise
        if _retryable(exc):
            raise RetryableConflict(str(exc)) from exc
        return result


class ConsumerUnitOfWork(TicketingUnitOfWork):
    """Ticketing's repositories on the transaction the inbox consumer opened for a message:
    its effect commits, or rolls back, with the message's inbox row (one transaction and
    one pooled connection per message, not two). Used as is, never entered with `async with`."""

    def __init__(self, pool: AsyncConnectionPool, conn: AsyncConnection[Any],
                 idempotency_ttl_seconds: float = 86400) -> None:
        super().__init__(pool, idempotency_ttl_seconds)
        self._fixed = conn

    @property
    def connection(self) -> AsyncConnection[Any]:
        return self._fixed
