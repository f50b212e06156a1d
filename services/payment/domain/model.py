"""Payments and the rules of their life: pure, no I/O.

Amounts are integers in kopecks (minor units). A payment belongs to one order; the payer
pays on the provider's page, and the provider's notifications move it along:

    PENDING ──Pay──▶ SUCCEEDED ──refund──▶ PARTIALLY_REFUNDED ──refund──▶ REFUNDED
       │  ▲                ▲
      Fail│Pay             │ Pay (late: the money arrived after the cancel)
       ▼  │                │
      FAILED ──cancel──▶ CANCELED ◀──cancel── PENDING

FAILED is not final: the payer may try again on the same page.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum, StrEnum

from services.runtime.errors import FailedPrecondition


class PaymentStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


UNPAID = frozenset({PaymentStatus.PENDING, PaymentStatus.FAILED})
# The money has been taken (some of it may have been given back).
PAID = frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED})


@dataclass(frozen=True, slots=True)
class Payment:
    id: str
    order_id: str
    account_id: str
    amount: int
    currency: str
    description: str
    provider: str
    status: PaymentStatus
    create_time: datetime
    update_time: datetime
    refunded_amount: int = 0
    provider_invoice_id: str = ""  # the provider's id of its invoice ("" until created there)
    payment_url: str = ""  # where the payer pays ("" until created there)
    transaction_id: str = ""  # the provider's transaction that took the money
    failure_reason: str = ""
    late: bool = False  # the money arrived after the payment had been canceled

    @property
    def at_provider(self) -> bool:
        return bool(self.payment_url)

    @property
    def refundable(self) -> int:
        return self.amount - self.refunded_amount if self.status in PAID else 0


@dataclass(frozen=True, slots=True)
class NewPayment:
    """What CreatePayment asks for."""

    order_id: str
    account_id: str
    amount: int
    currency: str
    description: str

    def matches(self, payment: Payment) -> bool:
        """The same request as the one that made `payment` (a retry, not another payment)."""
        return (self.account_id, self.amount, self.currency) == (payment.account_id, payment.amount, payment.currency)

    def payment(self, payment_id: str, provider: str, now: datetime) -> Payment:
        return Payment(id=payment_id, order_id=self.order_id, account_id=self.account_id, amount=self.amount,
                       currency=self.currency, description=self.description, provider=provider,
                       status=PaymentStatus.PENDING, create_time=now, update_time=now)


@dataclass(frozen=True, slots=True)
class Invoice:
    """What the provider made of a payment: its id there and the payer's page."""

    provider_invoice_id: str
    payment_url: str


class Verdict(Enum):
    """The answer to a provider asking whether a payment may go ahead (CloudPayments' Check)."""

    ACCEPT = "accept"
    UNKNOWN_INVOICE = "unknown_invoice"
    WRONG_ACCOUNT = "wrong_account"
    WRONG_AMOUNT = "wrong_amount"
    NOT_PAYABLE = "not_payable"  # canceled (order expired or cancelled) or already paid


def check(payment: Payment | None, *, account_id: str, amount: int, currency: str) -> Verdict:
    if payment is None:
        return Verdict.UNKNOWN_INVOICE
    if account_id != payment.account_id:
        return Verdict.WRONG_ACCOUNT
    if amount != payment.amount or currency != payment.currency:
        return Verdict.WRONG_AMOUNT
    if payment.status not in UNPAID:
        return Verdict.NOT_PAYABLE
    return Verdict.ACCEPT


def attach_invoice(payment: Payment, invoice: Invoice, now: datetime) -> Payment:
    return replace(payment, provider_invoice_id=invoice.provider_invoice_id, payment_url=invoice.payment_url,
                   update_time=now)


def cancel(payment: Payment, now: datetime) -> Payment:
    """CANCELED, if it has not been paid; unchanged when it already is."""
    if payment.status is PaymentStatus.CANCELED:
        return payment
    if payment.status in PAID:
        raise FailedPrecondition(f"payment {payment.id} of order {payment.order_id} has been paid: refund it instead",
                                 "PAYMENT_ALREADY_SUCCEEDED", {"order_id": payment.order_id})
    return replace(payment, status=PaymentStatus.CANCELED, update_time=now)


def refund_amount(payment: Payment, requested: int, reserved: int) -> int:
    """What a refund of `requested` kopecks (0: all that is left) gives back, when
    `reserved` kopecks are already being refunded by refunds not yet settled."""
    if payment.status not in (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED):
        raise FailedPrecondition(f"payment of order {payment.order_id} is {payment.status}: nothing to refund",
                                 "PAYMENT_NOT_REFUNDABLE", {"order_id": payment.order_id,
                                                            "status": str(payment.status)})
    left = payment.refundable - reserved
    amount = requested or left
    if amount <= 0 or amount > left:
        raise FailedPrecondition(f"refund of {amount} exceeds what is left to refund ({max(left, 0)})",
                                 "REFUND_EXCEEDS_PAYMENT", {"order_id": payment.order_id, "left": str(max(left, 0))})
    return amount


class RefundStatus(StrEnum):
    REQUESTED = "requested"  # asked of the provider, outcome not known yet (its amount is reserved)
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # the provider refused it


@dataclass(frozen=True, slots=True)
class Refund:
    """One RefundPayment, by its idempotency key."""

    id: str
    payment_id: str
    idempotency_key: str
    amount: int
    reason: str
    status: RefundStatus
    create_time: datetime
    transaction_id: str = ""  # the provider's refund transaction, once known
    failure: str = ""  # the provider's refusal
