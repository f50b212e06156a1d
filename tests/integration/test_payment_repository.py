"""payment-service's PostgreSQL adapters (repository, unit of work) and its use cases on
them, on a scratch database: one payment per order under concurrent creates, a provider
transaction applied once when the same notification arrives five times at once (one
state change, one outbox event), lost races surfacing as Conflict and retried, refunds
reserved until settled, and no card data in any table."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from psycopg_pool import AsyncConnectionPool

from kulturago.payment.v1 import events_pb2
from services.payment.adapters.cloudpayments.notifications import CloudPaymentsNotifications, signature
from services.payment.adapters.unit_of_work import PaymentUnitOfWork
from services.payment.bootstrap import MIGRATIONS
from services.payment.domain.model import Invoice, NewPayment, Payment, PaymentStatus
from services.payment.service_layer.callbacks import ProviderCallbacks
from services.payment.service_layer.payments import Cashier
from services.payment.service_layer.ports import Conflict
from services.runtime.db import migrate, open_pool

SECRET = "integration-secret"


class Provider:
    """The provider's side of these tests (the subject is PostgreSQL): invoices and
    refunds that always succeed, answering a repeated request id like the first."""

    name = "cloudpayments"

    def __init__(self) -> None:
        self.answers: dict[str, Any] = {}

    async def create_invoice(self, payment: Payment, *, email: str, request_id: str) -> Invoice:
        return self.answers.setdefault(request_id, Invoice(uuid.uuid4().hex, f"https://pay.example/{request_id}"))

    async def cancel_invoice(self, provider_invoice_id: str, *, request_id: str) -> None:
        return None

    async def refund(self, transaction_id: str, amount: int, *, request_id: str) -> str:
        return self.answers.setdefault(request_id, str(8000 + len(self.answers)))


@pytest.fixture
async def pool(scratch_database: str) -> Any:
    await migrate(scratch_database, MIGRATIONS)
    pool = await open_pool(scratch_database, min_size=2, max_size=12)
    yield pool
    await pool.close()


class Platform:
    def __init__(self, pool: AsyncConnectionPool) -> None:
        self.pool = pool
        self.provider = Provider()
        self.cashier = Cashier(lambda: PaymentUnitOfWork(pool), self.provider)
        self.callbacks = ProviderCallbacks(lambda: PaymentUnitOfWork(pool),
                                           {"cloudpayments": CloudPaymentsNotifications(SECRET)})

    async def rows(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        async with self.pool.connection() as conn:
            rows: list[dict[str, Any]] = await (await conn.execute(sql, params)).fetchall()  # type: ignore[assignment]
            return rows

    async def notify(self, kind: str, body: bytes) -> bytes:
        _, answer = await self.callbacks.handle("cloudpayments", kind, body, signature(body, SECRET))
        return answer

    async def outbox(self, topic: str, key: str) -> list[bytes]:
        return [bytes(r["payload"]) for r in await self.rows(
            "SELECT payload FROM outbox WHERE topic = %s AND key = %s ORDER BY id", topic, key.encode())]


@pytest.fixture
def platform(pool: AsyncConnectionPool) -> Platform:
    return Platform(pool)


def order() -> NewPayment:
    return NewPayment(f"order-{uuid.uuid4().hex[:8]}", "user-1", 150050, "RUB", "Джаз")


def pay_body(new: NewPayment, transaction_id: str) -> bytes:
    # As CloudPayments sends it, card fields included: none of them may be stored.
    return urlencode({
        "TransactionId": transaction_id, "Amount": "1500.50", "Currency": "RUB", "InvoiceId": new.order_id,
        "AccountId": new.account_id, "DateTime": "2026-12-01 10:00:00", "CardFirstSix": "424242",
        "CardLastFour": "4242", "CardExpDate": "12/29", "Name": "IVAN PETROV", "Token": "tk_secret_token",
        "Status": "Completed", "OperationType": "Payment"}).encode()


async def test_concurrent_creates_of_one_order_make_one_payment(platform: Platform) -> None:
    new = order()
    payments = await asyncio.gather(*(platform.cashier.create(new) for _ in range(8)))
    assert len({p.id for p in payments}) == 1
    assert await platform.rows("SELECT count(*) AS n FROM payments WHERE order_id = %s", new.order_id) == [{"n": 1}]


async def test_the_same_pay_five_times_at_once_changes_the_payment_once(platform: Platform) -> None:
    new = order()
    await platform.cashier.create(new)
    body = pay_body(new, "7001")
    answers = await asyncio.gather(*(platform.notify("pay", body) for _ in range(5)))
    assert answers == [b'{"code":0}'] * 5
    payment = await platform.cashier.get(order_id=new.order_id)
    assert payment.status is PaymentStatus.SUCCEEDED and payment.transaction_id == "7001"
    [payload] = await platform.outbox("payment.succeeded", new.order_id)
    event = events_pb2.PaymentSucceeded.FromString(payload)
    assert (event.order_id, event.amount, event.transaction_id, event.late) == (new.order_id, 150050, "7001", False)
    assert event.time.ToDatetime(tzinfo=UTC) == datetime(2026, 12, 1, 10, tzinfo=UTC)


async def test_no_card_data_is_stored_anywhere(platform: Platform) -> None:
    new = order()
    await platform.cashier.create(new)
    await platform.notify("pay", pay_body(new, "7002"))
    await platform.cashier.refund(new.order_id, amount=100, reason="", idempotency_key="k")
    dump = str(await platform.rows("SELECT p.*, t.*, r.* FROM payments p JOIN payment_transactions t "
                                   "ON t.payment_id = p.id LEFT JOIN refunds r ON r.payment_id = p.id"))
    dump += str(await platform.rows("SELECT payload, headers FROM outbox"))
    for card_data in ("424242", "4242", "12/29", "IVAN", "PETROV", "tk_secret_token"):
        assert card_data not in dump


async def test_a_deadlock_surfaces_as_conflict_after_the_rollback(platform: Platform) -> None:
    a, b = order(), order()
    first, second = await platform.cashier.create(a), await platform.cashier.create(b)
    both_locked_one = asyncio.Barrier(2)

    async def lock(one: str, other: str) -> None:
        async with PaymentUnitOfWork(platform.pool) as uow:
            await uow.payments.get(one, for_update=True)
            await both_locked_one.wait()
            await uow.payments.get(other, for_update=True)

    results = await asyncio.gather(lock(first.id, second.id), lock(second.id, first.id), return_exceptions=True)
    assert sum(isinstance(r, Conflict) for r in results) == 1 and results.count(None) == 1


async def test_many_notifications_on_one_payment_race_without_loss(platform: Platform) -> None:
    """Declines, a payment and its repeats, all at once: every transaction recorded once,
    the payment ends paid, one payment.succeeded."""
    new = order()
    await platform.cashier.create(new)
    def fail(transaction_id: int) -> bytes:
        return urlencode({"TransactionId": transaction_id, "Amount": "1500.50", "Currency": "RUB",
                          "InvoiceId": new.order_id, "Reason": "InsufficientFunds", "ReasonCode": "5051"}).encode()

    bodies = [("fail", fail(7100 + i)) for i in range(5)] + [("pay", pay_body(new, "7200"))] * 5
    await asyncio.gather(*(platform.notify(kind, body) for kind, body in bodies))
    payment = await platform.cashier.get(order_id=new.order_id)
    assert payment.status is PaymentStatus.SUCCEEDED
    recorded = await platform.rows("SELECT kind, count(*) AS n FROM payment_transactions WHERE payment_id = %s "
                                   "GROUP BY kind ORDER BY kind", payment.id)
    assert recorded == [{"kind": "fail", "n": 5}, {"kind": "pay", "n": 1}]
    assert len(await platform.outbox("payment.succeeded", new.order_id)) == 1


async def test_concurrent_refunds_never_exceed_the_payment(platform: Platform) -> None:
    new = order()
    await platform.cashier.create(new)
    await platform.notify("pay", pay_body(new, "7300"))
    results = await asyncio.gather(*(platform.cashier.refund(new.order_id, amount=50000, reason="",
                                                             idempotency_key=f"k{i}") for i in range(5)),
                                   return_exceptions=True)
    assert sum(not isinstance(r, Exception) for r in results) == 3  # 3 x 500.00 of 1500.50
    payment = await platform.cashier.get(order_id=new.order_id)
    assert payment.refunded_amount == 150000 and payment.status is PaymentStatus.PARTIALLY_REFUNDED
    assert len(await platform.outbox("payment.refunded", new.order_id)) == 3
