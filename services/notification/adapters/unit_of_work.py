"""notification-service's unit of work: the runtime's PostgreSQL one with its repositories,
the dispatcher's wake-up (NOTIFY on commit) and dead letters written through the outbox."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from psycopg_pool import AsyncConnectionPool

from services.notification.adapters.repository import (
    PostgresContacts,
    PostgresDeliveries,
    PostgresDevices,
    PostgresInbox,
    PostgresNotifications,
    PostgresPreferences,
    PostgresPushLedger,
)
from services.notification.domain.model import SourceEvent
from services.runtime.messaging import outbox
from services.runtime.messaging.consumer import (
    DLQ_CAUSE,
    DLQ_CONSUMER,
    DLQ_REASON,
    DLQ_SUFFIX,
    DLQ_TIME,
    forget_handled,
)
from services.runtime.unit_of_work import PostgresUnitOfWork

SOURCE = "//notification.kulturago/notification-service"
WAKE_CHANNEL = "deliveries"  # NOTIFY channel the dispatchers LISTEN on
DLQ_DELIVERY_FAILED = "delivery-failed"  # dlq_cause of an event whose notification could not be delivered


class NotificationUnitOfWork(PostgresUnitOfWork):
    def __init__(self, pool: AsyncConnectionPool) -> None:
        super().__init__(pool, SOURCE)
        self.contacts = PostgresContacts(self)
        self.devices = PostgresDevices(self)
        self.preferences = PostgresPreferences(self)
        self.notifications = PostgresNotifications(self)
        self.deliveries = PostgresDeliveries(self)
        self.push_ledger = PostgresPushLedger(self)
        self.inbox = PostgresInbox(self)

    async def wake_dispatcher(self) -> None:
        await self.connection.execute("SELECT pg_notify(%s, '')", (WAKE_CHANNEL,))

    async def dead_letter(self, event: SourceEvent, reason: str) -> None:
        headers = {**event.headers, DLQ_REASON: reason[:1000], DLQ_CAUSE: DLQ_DELIVERY_FAILED,
                   DLQ_CONSUMER: event.consumer,
                   DLQ_TIME: datetime.now(UTC).isoformat(timespec="milliseconds")}
        await outbox.add_record(self.connection, str(uuid.uuid4()), event.topic + DLQ_SUFFIX, event.key,
                                event.payload, headers)
        await forget_handled(self.connection, event.consumer, event.ce_id)
