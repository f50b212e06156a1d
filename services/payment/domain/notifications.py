"""What a payment provider tells us about a payment, in our terms (the adapters decode
each provider's own format into these), and what each does to the payment: pure.

Every notification but a check names the provider's transaction; a transaction is
applied once (the service layer records it), so a repeated notification changes
nothing. None is ever dropped in silence: a notification that cannot change the payment
is still recorded, with a note saying why.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from services.payment.domain.events import PaymentEvent, PaymentFailed, PaymentRefunded, PaymentSucceeded
from services.payment.domain.model import PAID, UNPAID, Payment, PaymentStatus


@dataclass(frozen=True, slots=True)
class CheckRequested:
    """May this payment go ahead? (the payer pressed Pay; nothing has been taken yet)"""

    order_id: str  # the provider's InvoiceId: ours, given when the invoice was created
    account_id: str
    amount: int
    currency: str
    transaction_id: str


@dataclass(frozen=True, slots=True)
class PaymentTaken:
    order_id: str
    account_id: str
    amount: int
    currency: str
    transaction_id: str
    time: datetime


@dataclass(frozen=True, slots=True)
class PaymentDeclined:
    order_id: str
    amount: int
    transaction_id: str
    time: datetime
    reason: str
    reason_code: str


@dataclass(frozen=True, slots=True)
class MoneyReturned:
    order_id: str
    amount: int
    transaction_id: str  # of the refund
    payment_transaction_id: str  # of the payment it gives back
    time: datetime


Notification = CheckRequested | PaymentTaken | PaymentDeclined | MoneyReturned
# The kinds of transaction a payment records (a check is none).
TRANSACTION_KINDS = {PaymentTaken: "pay", PaymentDeclined: "fail", MoneyReturned: "refund"}


@dataclass(frozen=True, slots=True)
class Outcome:
    """What applying a notification does: the payment after it, the event to publish (if
    any), and why nothing changed when it does not (kept with the recorded transaction)."""

    payment: Payment
    event: PaymentEvent | None = None
    note: str = ""


def payment_taken(payment: Payment, taken: PaymentTaken, now: datetime) -> Outcome:
    if payment.status in UNPAID or payment.status is PaymentStatus.CANCELED:
        late = payment.status is PaymentStatus.CANCELED
        paid = replace(payment, status=PaymentStatus.SUCCEEDED, transaction_id=taken.transaction_id,
                       failure_reason="", late=late, update_time=now)
        note = ""
        if taken.amount != payment.amount:
            # Check refuses another amount, so this means the provider took what it was told
            # elsewhere; the order is still paid, but someone must look.
            note = f"amount {taken.amount} differs from the payment's {payment.amount}"
            return Outcome(paid, PaymentSucceeded(paid, taken.time, late), note)
        return Outcome(paid, PaymentSucceeded(paid, taken.time, late))
    # Paid already by another transaction: the payer was charged twice (Check refuses a
    # paid payment, so a provider that skipped it); recorded for a refund, not applied.
    return Outcome(payment, None, f"payment already {payment.status} by transaction {payment.transaction_id}: "
                                  f"second charge {taken.transaction_id} must be refunded")


def payment_declined(payment: Payment, declined: PaymentDeclined, now: datetime) -> Outcome:
    reason = f"{declined.reason} ({declined.reason_code})" if declined.reason_code else declined.reason
    if payment.status is PaymentStatus.PENDING:
        failed = replace(payment, status=PaymentStatus.FAILED, failure_reason=reason, update_time=now)
        return Outcome(failed, PaymentFailed(failed, declined.transaction_id, declined.time, declined.reason,
                                             declined.reason_code))
    if payment.status is PaymentStatus.FAILED:
        # Another declined attempt: the reason is the latest one; payment.failed went out already.
        return Outcome(replace(payment, failure_reason=reason, update_time=now))
    return Outcome(payment, None, f"decline of an attempt on a {payment.status} payment changes nothing")


def money_returned(payment: Payment, returned: MoneyReturned, now: datetime, *, reason: str = "",
                   idempotency_key: str = "") -> Outcome:
    if payment.status not in PAID:
        return Outcome(payment, None, f"refund of a {payment.status} payment changes nothing")
    amount = min(returned.amount, payment.amount - payment.refunded_amount)
    if amount <= 0:
        return Outcome(payment, None, "refund beyond what was paid changes nothing")
    refunded = payment.refunded_amount + amount
    status = PaymentStatus.REFUNDED if refunded == payment.amount else PaymentStatus.PARTIALLY_REFUNDED
    after = replace(payment, refunded_amount=refunded, status=status, update_time=now)
    event = PaymentRefunded(after, amount, returned.transaction_id, returned.time, reason, idempotency_key)
    note = "" if amount == returned.amount else f"refund of {returned.amount} capped at {amount}"
    return Outcome(after, event, note)
