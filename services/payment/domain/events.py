"""Domain events of payment-service (past tense); published as protobuf via the outbox,
keyed by the order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.payment.domain.model import Payment


@dataclass(frozen=True, slots=True)
class PaymentSucceeded:
    payment: Payment  # as it is after the change
    time: datetime  # when the provider took the money
    late: bool  # the payment had been canceled when the money arrived


@dataclass(frozen=True, slots=True)
class PaymentFailed:
    payment: Payment
    transaction_id: str
    time: datetime
    reason: str
    reason_code: str


@dataclass(frozen=True, slots=True)
class PaymentRefunded:
    payment: Payment  # refunded_amount includes this refund
    amount: int
    transaction_id: str
    time: datetime
    reason: str = ""
    idempotency_key: str = ""  # "" for a refund made at the provider directly


PaymentEvent = PaymentSucceeded | PaymentFailed | PaymentRefunded
