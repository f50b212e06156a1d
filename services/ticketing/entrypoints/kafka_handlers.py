"""Kafka consumers of ticketing-service: the catalog's event.published (the inventory to
sell) and payment-service's payment.* topics (the same news HandlePaymentResult brings).
Both are idempotent by themselves; the inbox skips redeliveries besides."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from google.protobuf.message import DecodeError
from psycopg import AsyncConnection

from kulturago.event.v1 import events_pb2 as event_events
from kulturago.payment.v1 import events_pb2 as payment_events
from services.runtime.errors import NotFound
from services.runtime.messaging.consumer import PoisonMessage, ReceivedEvent
from services.runtime.timestamps import from_timestamp
from services.runtime.unit_of_work import PostgresUnitOfWork
from services.ticketing.adapters.repository import PostgresInventory
from services.ticketing.domain.model import SessionInfo, TierStock
from services.ticketing.service_layer.ports import PublishedSession, UnitOfWork
from services.ticketing.service_layer.ticketing import PaymentResult, Ticketing

PAYMENT_TOPICS = ("payment.succeeded", "payment.failed", "payment.refunded")


class _OnConnection(PostgresUnitOfWork):
    """The consumer's own transaction, as a repository's unit of work."""

    def __init__(self, conn: AsyncConnection[Any]) -> None:
        self._fixed = conn

    @property
    def connection(self) -> AsyncConnection[Any]:
        return self._fixed


def published_sessions(snapshot: event_events.EventPublished.Snapshot) -> list[PublishedSession]:
    sessions = []
    for s in snapshot.sessions:
        if not s.tiers or not s.id:
            continue
        info = SessionInfo(event_slug=snapshot.slug, session_id=s.id, event_title=snapshot.title,
                           start=from_timestamp(s.start_time), end=from_timestamp(s.end_time),
                           currency=snapshot.currency or "RUB", provider=snapshot.ticket_provider,
                           seated=bool(s.seats))
        sessions.append(PublishedSession(
            info, tuple(TierStock(t.id, t.name, t.price, t.capacity) for t in s.tiers),
            tuple((seat.id, seat.tier_id) for seat in s.seats)))
    return sessions


async def on_event_published(event: ReceivedEvent, conn: AsyncConnection[Any]) -> None:
    try:
        message = event_events.EventPublished.FromString(event.payload)
    except DecodeError as exc:
        raise PoisonMessage(f"undecodable EventPublished: {exc}") from exc
    if not message.HasField("snapshot"):
        return  # published before snapshots existed: no sessions with ids to sell
    sessions = published_sessions(message.snapshot)
    inventory = PostgresInventory(_OnConnection(conn))
    if sessions or await inventory.session_count(message.snapshot.slug):
        await inventory.publish_sessions(message.snapshot.slug, message.version, sessions)


def payment_handler(ticketing: Ticketing,
                    on_connection: Callable[[AsyncConnection[Any]], UnitOfWork] | None = None) -> Any:
    """`on_connection`: the use case's unit of work on the consumer's transaction, so the
    effect commits with the inbox row; without it the use case opens its own."""
    async def handle(event: ReceivedEvent, conn: AsyncConnection[Any]) -> None:
        try:
            result = _result(event)
        except DecodeError as exc:
            raise PoisonMessage(f"undecodable {event.topic}: {exc}") from exc
        try:
            await ticketing.payment_result(result, on_connection(conn) if on_connection else None)
        except NotFound as exc:
            raise PoisonMessage(str(exc)) from exc

    return handle


def _result(event: ReceivedEvent) -> PaymentResult:
    if event.topic == "payment.succeeded":
        ok = payment_events.PaymentSucceeded.FromString(event.payload)
        return PaymentResult(ok.payment_id, ok.order_id, "succeeded", amount=ok.amount,
                             transaction_id=ok.transaction_id, late=ok.late)
    if event.topic == "payment.failed":
        failed = payment_events.PaymentFailed.FromString(event.payload)
        return PaymentResult(failed.payment_id, failed.order_id, "failed", amount=failed.amount,
                             transaction_id=failed.transaction_id, reason=f"{failed.reason} ({failed.reason_code})")
    refund = payment_events.PaymentRefunded.FromString(event.payload)
    return PaymentResult(refund.payment_id, refund.order_id, "refunded", amount=refund.amount,
                         transaction_id=refund.transaction_id, refunded_amount=refund.refunded_amount,
                         full=refund.full, reason=refund.reason)
