"""In-memory fakes of payment-service's ports (services/payment/service_layer/ports.py),
for unit tests of its use cases. They keep the adapters' contracts: one payment per
order, a provider transaction recorded once, writes and staged events surviving only a
commit, a repeated request id answered like the first (as the provider does)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Self

from services.payment.domain.events import PaymentEvent
from services.payment.domain.model import Invoice, Payment, Refund, RefundStatus, Verdict
from services.payment.domain.notifications import Notification
from services.payment.service_layer.ports import Conflict, ProviderRejected, ProviderUnavailable, Transaction


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class State:
    payments: dict[str, Payment] = field(default_factory=dict)
    transactions: dict[tuple[str, str, str], Transaction] = field(default_factory=dict)
    refunds: dict[str, Refund] = field(default_factory=dict)


@dataclass
class FakeDatabase:
    state: State = field(default_factory=State)
    published: list[PaymentEvent] = field(default_factory=list)  # committed: what the relay sends
    conflicts_to_raise: int = 0  # the next commits lose a race (serialization failure)


class FakePayments:
    def __init__(self, state: State) -> None:
        self._s = state

    async def add(self, payment: Payment) -> Payment:
        existing = next((p for p in self._s.payments.values() if p.order_id == payment.order_id), None)
        if existing is not None:
            return existing
        self._s.payments[payment.id] = payment
        return payment

    async def get(self, payment_id: str, *, for_update: bool = False) -> Payment | None:
        return self._s.payments.get(payment_id)

    async def by_order(self, order_id: str, *, for_update: bool = False) -> Payment | None:
        return next((p for p in self._s.payments.values() if p.order_id == order_id), None)

    async def save(self, payment: Payment) -> None:
        assert payment.id in self._s.payments
        self._s.payments[payment.id] = payment

    async def recorded(self, provider: str, kind: str, transaction_id: str) -> bool:
        return (provider, kind, transaction_id) in self._s.transactions

    async def record(self, transaction: Transaction) -> bool:
        key = (transaction.provider, transaction.kind, transaction.transaction_id)
        if key in self._s.transactions:
            return False
        self._s.transactions[key] = transaction
        return True

    async def add_refund(self, refund: Refund) -> None:
        assert not any(r.payment_id == refund.payment_id and r.idempotency_key == refund.idempotency_key
                       for r in self._s.refunds.values())
        self._s.refunds[refund.id] = refund

    async def refund(self, payment_id: str, idempotency_key: str, *, for_update: bool = False) -> Refund | None:
        return next((r for r in self._s.refunds.values()
                     if r.payment_id == payment_id and r.idempotency_key == idempotency_key), None)

    async def requested_refund(self, payment_id: str, amount: int) -> Refund | None:
        found = sorted((r for r in self._s.refunds.values() if r.payment_id == payment_id and r.amount == amount
                        and r.status is RefundStatus.REQUESTED), key=lambda r: r.create_time)
        return found[0] if found else None

    async def reserved(self, payment_id: str) -> int:
        return sum(r.amount for r in self._s.refunds.values()
                   if r.payment_id == payment_id and r.status is RefundStatus.REQUESTED)

    async def save_refund(self, refund: Refund) -> None:
        self._s.refunds[refund.id] = refund


class FakeUnitOfWork:
    def __init__(self, db: FakeDatabase) -> None:
        self._db = db
        self._staged: list[PaymentEvent] = []
        self._working: State | None = None

    @property
    def payments(self) -> FakePayments:
        assert self._working is not None, "used outside its unit of work"
        return FakePayments(self._working)

    async def stage(self, event: PaymentEvent) -> None:
        assert self._working is not None, "staged outside the unit of work"
        self._staged.append(event)

    async def __aenter__(self) -> Self:
        self._working = copy.deepcopy(self._db.state)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        working, self._working = self._working, None
        if exc is not None:
            return
        if self._db.conflicts_to_raise:
            self._db.conflicts_to_raise -= 1
            raise Conflict("could not serialize access (fake)")
        assert working is not None
        self._db.state = working
        self._db.published.extend(self._staged)


@dataclass
class FakeProvider:
    """The provider's API: invoices and refunds by request id (a repeat gets the first answer)."""

    name: str = "fakepay"
    down: bool = False  # every call fails as if unreachable
    refuse: str = ""  # every call is refused with this message
    answers: dict[str, object] = field(default_factory=dict)  # request id -> first answer
    calls: list[tuple[str, str]] = field(default_factory=list)  # (method, request id)
    canceled: list[str] = field(default_factory=list)

    def _gate(self, method: str, request_id: str) -> None:
        self.calls.append((method, request_id))
        if self.down:
            raise ProviderUnavailable(f"{method}: connection refused")
        if self.refuse:
            raise ProviderRejected(self.refuse)

    async def create_invoice(self, payment: Payment, *, email: str, request_id: str) -> Invoice:
        self._gate("create", request_id)
        if request_id not in self.answers:
            number = len(self.answers) + 1
            self.answers[request_id] = Invoice(f"inv-{number}", f"https://pay.example/inv-{number}")
        answer = self.answers[request_id]
        assert isinstance(answer, Invoice)
        return answer

    async def cancel_invoice(self, provider_invoice_id: str, *, request_id: str) -> None:
        self._gate("cancel", request_id)
        self.canceled.append(provider_invoice_id)

    async def refund(self, transaction_id: str, amount: int, *, request_id: str) -> str:
        self._gate("refund", request_id)
        answer = self.answers.setdefault(request_id, f"r{len(self.answers) + 1}")
        assert isinstance(answer, str)
        return answer


class FakeCodec:
    """Notifications as their domain objects, "signed" when the signature is "ok"."""

    def __init__(self) -> None:
        self.inbox: dict[bytes, Notification] = {}

    def put(self, notification: Notification) -> bytes:
        body = f"n{len(self.inbox)}".encode()
        self.inbox[body] = notification
        return body

    def decode(self, kind: str, body: bytes, signature: str | None) -> Notification:
        from services.runtime.errors import Unauthenticated

        if signature != "ok":
            raise Unauthenticated("bad signature", "SIGNATURE_INVALID")
        return self.inbox[body]

    def answer(self, verdict: Verdict) -> tuple[str, bytes]:
        return "text/plain", verdict.value.encode()


