"""payment-service's unit of work: the runtime's PostgreSQL one with the payments
repository; a transaction that lost a race comes out as the port's Conflict."""

from __future__ import annotations

from psycopg import errors as pg_errors
from psycopg_pool import AsyncConnectionPool

from services.payment.adapters.proto_mapping import to_event
from services.payment.adapters.repository import PostgresPayments
from services.payment.domain.events import PaymentEvent
from services.runtime.unit_of_work import PostgresUnitOfWork

SOURCE = "//payment.kulturago/payment-service"
_LOST_RACES = (pg_errors.SerializationFailure, pg_errors.DeadlockDetected)


class PaymentUnitOfWork(PostgresUnitOfWork):
    def __init__(self, pool: AsyncConnectionPool) -> None:
        super().__init__(pool, SOURCE)
        self.payments = PostgresPayments(self)

    async def stage(self, event: PaymentEvent) -> None:
        topic, message = to_event(event)
        await self.add_event(topic, event.payment.order_id, message)  # keyed by order: its events stay in order

