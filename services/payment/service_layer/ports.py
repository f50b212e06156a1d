"""What payment-service's use cases need from the outside world; adapters/ implement it
(PostgreSQL, the provider's API and notification format) and bootstrap.py wires it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Protocol, Self

from services.payment.domain.events import PaymentEvent, PaymentSucceeded
from services.payment.domain.model import Invoice, Payment, Refund, Verdict
from services.payment.domain.notifications import Notification
from services.runtime.errors import TransactionConflict

# The current instant (aware); injected so that tests choose it.
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


# A transaction that lost a race, rolled back: the runtime's unit of work raises it.
Conflict = TransactionConflict


@dataclass(frozen=True, slots=True)
class Transaction:
    """A provider transaction (payment, declined attempt, refund) as recorded: once each."""

    provider: str
    kind: str  # "pay", "fail", "refund"
    transaction_id: str
    payment_id: str
    amount: int
    note: str = ""  # why it changed nothing, when it did not


class Payments(Protocol):
    """Payments, their refunds and the provider transactions applied to them, in the unit
    of work's transaction."""

    async def add(self, payment: Payment) -> Payment:
        """Store a new payment; when its order has one already, store nothing and return
        that one (one payment per order, also under concurrent calls)."""
        ...

    async def get(self, payment_id: str, *, for_update: bool = False) -> Payment | None: ...

    async def by_order(self, order_id: str, *, for_update: bool = False) -> Payment | None: ...

    async def save(self, payment: Payment) -> None:
        """Store the state of an existing payment."""
        ...

    async def recorded(self, provider: str, kind: str, transaction_id: str) -> bool:
        """Whether this provider transaction has been recorded."""
        ...

    async def record(self, transaction: Transaction) -> bool:
        """Record a provider transaction; False (and nothing stored) when it was recorded
        before: each is applied once, however often the provider repeats it."""
        ...

    async def add_refund(self, refund: Refund) -> None: ...

    async def refund(self, payment_id: str, idempotency_key: str, *, for_update: bool = False) -> Refund | None: ...

    async def requested_refund(self, payment_id: str, amount: int) -> Refund | None:
        """The oldest refund of this amount asked of the provider and not settled yet."""
        ...

    async def reserved(self, payment_id: str) -> int:
        """Kopecks of refunds asked of the provider and not settled yet."""
        ...

    async def save_refund(self, refund: Refund) -> None: ...


class UnitOfWork(Protocol):
    """One transaction: `async with` commits on success and rolls back on error, staged
    events included (they are published only once committed). A lost race surfaces as
    Conflict, after the rollback."""

    @property
    def payments(self) -> Payments: ...

    async def stage(self, event: PaymentEvent) -> None:
        """Add a domain event to the outbox of this transaction."""
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> bool | None: ...


# A new unit of work per use (one transaction each).
UnitOfWorkFactory = Callable[[], UnitOfWork]


class ProviderUnavailable(Exception):
    """The provider could not be reached or failed (timeout, 5xx, circuit open): the
    outcome is unknown, and the same request (same request id) may be sent again."""


class ProviderRejected(Exception):
    """The provider answered and refused the request (its message says why)."""


class PaymentProvider(Protocol):
    """The provider's API, as we call it. Each call carries a request id: the provider
    answers a repeated id with the outcome of the first request (so retries are safe)."""

    name: str

    async def create_invoice(self, payment: Payment, *, email: str, request_id: str) -> Invoice:
        """An invoice the payer pays on the provider's page, whose notifications name
        payment.order_id (their invoice id) and payment.account_id."""
        ...

    async def cancel_invoice(self, provider_invoice_id: str, *, request_id: str) -> None:
        """Close the invoice's page."""
        ...

    async def refund(self, transaction_id: str, amount: int, *, request_id: str) -> str:
        """Give back `amount` of the payment taken by `transaction_id`; returns the id of
        the refund's transaction."""
        ...


class NotificationCodec(Protocol):
    """The provider's notifications (webhooks) and its answers to them."""

    def decode(self, kind: str, body: bytes, signature: str | None) -> Notification:
        """The notification in `body`, once its signature is verified over the raw bytes:
        Unauthenticated when the signature is missing or wrong (before anything is
        parsed), InvalidArgument when the body is not a notification of `kind`."""
        ...

    def answer(self, verdict: Verdict) -> tuple[str, bytes]:
        """(content type, body) of the reply the provider expects."""
        ...


class OrderOwner(Protocol):
    """The service that sold what a payment pays for (ticketing), told of a success the
    moment it is committed: a fast path beside payment.succeeded in the outbox, which
    stays the durable one. Best effort: it returns at once and never raises; the owner
    applies the news once, whichever way it comes first."""

    def payment_succeeded(self, event: PaymentSucceeded) -> None: ...
