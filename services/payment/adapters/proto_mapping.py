"""Domain <-> protobuf for payments (used by the gRPC entrypoint and the event publisher)."""

from __future__ import annotations

from typing import Any

from kulturago.payment.v1 import events_pb2
from kulturago.payment.v1 import payment_service_pb2 as pb
from services.payment.domain.events import PaymentEvent, PaymentFailed, PaymentRefunded, PaymentSucceeded
from services.payment.domain.model import Payment as DomainPayment
from services.payment.domain.model import PaymentStatus
from services.runtime.timestamps import to_timestamp

_STATUS = {
    PaymentStatus.PENDING: pb.PAYMENT_STATUS_PENDING,
    PaymentStatus.SUCCEEDED: pb.PAYMENT_STATUS_SUCCEEDED,
    PaymentStatus.FAILED: pb.PAYMENT_STATUS_FAILED,
    PaymentStatus.CANCELED: pb.PAYMENT_STATUS_CANCELED,
    PaymentStatus.REFUNDED: pb.PAYMENT_STATUS_REFUNDED,
    PaymentStatus.PARTIALLY_REFUNDED: pb.PAYMENT_STATUS_PARTIALLY_REFUNDED,
}


def to_proto(payment: DomainPayment) -> pb.Payment:
    return pb.Payment(
        id=payment.id, order_id=payment.order_id, account_id=payment.account_id, status=_STATUS[payment.status],
        amount=payment.amount, refunded_amount=payment.refunded_amount, currency=payment.currency,
        description=payment.description, provider=payment.provider, provider_invoice_id=payment.provider_invoice_id,
        transaction_id=payment.transaction_id, payment_url=payment.payment_url,
        failure_reason=payment.failure_reason, late=payment.late, create_time=to_timestamp(payment.create_time),
        update_time=to_timestamp(payment.update_time),
    )


def to_event(event: PaymentEvent) -> tuple[str, events_pb2.PaymentSucceeded | events_pb2.PaymentFailed
                                           | events_pb2.PaymentRefunded]:
    """(topic, message) of a domain event."""
    p = event.payment
    common: dict[str, Any] = {"payment_id": p.id, "order_id": p.order_id, "account_id": p.account_id,
                              "currency": p.currency, "provider": p.provider, "time": to_timestamp(event.time)}
    if isinstance(event, PaymentSucceeded):
        return "payment.succeeded", events_pb2.PaymentSucceeded(
            **common, amount=p.amount, transaction_id=p.transaction_id, late=event.late)
    if isinstance(event, PaymentFailed):
        return "payment.failed", events_pb2.PaymentFailed(
            **common, amount=p.amount, transaction_id=event.transaction_id, reason=event.reason,
            reason_code=event.reason_code)
    assert isinstance(event, PaymentRefunded)
    return "payment.refunded", events_pb2.PaymentRefunded(
        **common, amount=event.amount, transaction_id=event.transaction_id, reason=event.reason,
        refunded_amount=p.refunded_amount, payment_amount=p.amount, full=p.refunded_amount == p.amount,
        idempotency_key=event.idempotency_key, payment_transaction_id=p.transaction_id)
