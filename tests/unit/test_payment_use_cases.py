"""payment-service's use cases (services/payment/service_layer) on in-memory fakes of
their ports: one payment per order, provider outages, cancel, refunds by idempotency key,
notifications applied once (a repeat changes nothing), lost races retried."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import TypeVar

import pytest
from payment_fakes import FakeClock, FakeCodec, FakeDatabase, FakeProvider, FakeUnitOfWork

from services.payment.domain.events import PaymentFailed, PaymentRefunded, PaymentSucceeded
from services.payment.domain.model import NewPayment, Payment, PaymentStatus, RefundStatus
from services.payment.domain.notifications import (
    CheckRequested,
    MoneyReturned,
    Notification,
    PaymentDeclined,
    PaymentTaken,
)
from services.payment.service_layer.callbacks import ProviderCallbacks
from services.payment.service_layer.payments import Cashier
from services.payment.service_layer.ports import Conflict
from services.runtime.errors import AlreadyExists, FailedPrecondition, NotFound, Unauthenticated, Unavailable

E = TypeVar("E")
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
ORDER = NewPayment("order-1", "user-1", 150050, "RUB", "Джаз")


class Fixture:
    def __init__(self) -> None:
        self.clock = FakeClock(NOW)
        self.db = FakeDatabase()
        self.provider = FakeProvider()
        self.codec = FakeCodec()
        self.cashier = Cashier(lambda: FakeUnitOfWork(self.db), self.provider, self.clock)
        self.callbacks = ProviderCallbacks(lambda: FakeUnitOfWork(self.db), {"fakepay": self.codec}, self.clock)

    async def notify(self, notification: Notification, signature: str = "ok") -> str:
        kind = {CheckRequested: "check", PaymentTaken: "pay", PaymentDeclined: "fail", MoneyReturned: "refund"}
        _, answer = await self.callbacks.handle("fakepay", kind[type(notification)], self.codec.put(notification),
                                                signature)
        return answer.decode()

    async def paid(self, transaction_id: str = "100") -> Payment:
        await self.cashier.create(ORDER)
        assert await self.notify(taken(transaction_id)) == "accept"
        return await self.cashier.get(order_id="order-1")

    def events(self, kind: type[E]) -> list[E]:
        return [e for e in self.db.published if isinstance(e, kind)]


def taken(transaction_id: str = "100", amount: int = 150050) -> PaymentTaken:
    return PaymentTaken("order-1", "user-1", amount, "RUB", transaction_id, NOW)


def declined(transaction_id: str = "99") -> PaymentDeclined:
    return PaymentDeclined("order-1", 150050, transaction_id, NOW, "InsufficientFunds", "5051")


@pytest.fixture
def f() -> Fixture:
    return Fixture()


# --- CreatePayment ---

async def test_create_makes_the_invoice_and_returns_its_page(f: Fixture) -> None:
    payment = await f.cashier.create(ORDER, email="anna@example.com")
    assert payment.status is PaymentStatus.PENDING and payment.provider == "fakepay"
    assert (payment.provider_invoice_id, payment.payment_url) == ("inv-1", "https://pay.example/inv-1")
    assert f.provider.calls == [("create", f"{payment.id}:create")]


async def test_create_again_returns_the_same_payment(f: Fixture) -> None:
    first = await f.cashier.create(ORDER)
    again = await f.cashier.create(replace(ORDER, description="retried"))
    assert again == first and len(f.db.state.payments) == 1 and len(f.provider.calls) == 1


async def test_create_for_an_order_with_another_amount_is_refused(f: Fixture) -> None:
    await f.cashier.create(ORDER)
    with pytest.raises(AlreadyExists) as error:
        await f.cashier.create(replace(ORDER, amount=1))
    assert error.value.reason == "PAYMENT_MISMATCH"


async def test_provider_down_leaves_a_pending_payment_that_a_retry_completes(f: Fixture) -> None:
    f.provider.down = True
    with pytest.raises(Unavailable) as error:
        await f.cashier.create(ORDER)
    assert error.value.reason == "PROVIDER_UNAVAILABLE"
    stored = await f.cashier.get(order_id="order-1")
    assert stored.status is PaymentStatus.PENDING and stored.payment_url == ""
    f.provider.down = False
    retried = await f.cashier.create(ORDER)
    assert retried.id == stored.id and retried.payment_url
    # Both attempts carried the payment's request id: the provider makes one invoice of them.
    assert {request_id for _, request_id in f.provider.calls} == {f"{stored.id}:create"}


async def test_provider_refusal_is_failed_precondition(f: Fixture) -> None:
    f.provider.refuse = "Amount is too large"
    with pytest.raises(FailedPrecondition) as error:
        await f.cashier.create(ORDER)
    assert error.value.reason == "PROVIDER_REJECTED"


async def test_get_unknown_is_not_found(f: Fixture) -> None:
    with pytest.raises(NotFound):
        await f.cashier.get(order_id="nope")


# --- CancelPayment ---

async def test_cancel_closes_the_page_and_check_then_refuses(f: Fixture) -> None:
    await f.cashier.create(ORDER)
    canceled = await f.cashier.cancel("order-1")
    assert canceled.status is PaymentStatus.CANCELED and f.provider.canceled == ["inv-1"]
    assert await f.cashier.cancel("order-1") == canceled  # idempotent
    assert f.provider.canceled == ["inv-1"]
    assert await f.notify(CheckRequested("order-1", "user-1", 150050, "RUB", "100")) == "not_payable"


async def test_cancel_survives_a_provider_outage(f: Fixture) -> None:
    await f.cashier.create(ORDER)
    f.provider.down = True
    assert (await f.cashier.cancel("order-1")).status is PaymentStatus.CANCELED


async def test_cancel_of_a_paid_payment_is_refused(f: Fixture) -> None:
    await f.paid()
    with pytest.raises(FailedPrecondition):
        await f.cashier.cancel("order-1")


async def test_money_after_cancel_is_a_late_success_with_its_event(f: Fixture) -> None:
    await f.cashier.create(ORDER)
    await f.cashier.cancel("order-1")
    assert await f.notify(taken()) == "accept"
    payment = await f.cashier.get(order_id="order-1")
    assert payment.status is PaymentStatus.SUCCEEDED and payment.late
    [event] = f.events(PaymentSucceeded)
    assert event.late and event.payment.transaction_id == "100"


# --- notifications ---

async def test_check_verdicts(f: Fixture) -> None:
    await f.cashier.create(ORDER)
    assert await f.notify(CheckRequested("order-1", "user-1", 150050, "RUB", "1")) == "accept"
    assert await f.notify(CheckRequested("order-9", "user-1", 150050, "RUB", "1")) == "unknown_invoice"
    assert await f.notify(CheckRequested("order-1", "user-2", 150050, "RUB", "1")) == "wrong_account"
    assert await f.notify(CheckRequested("order-1", "user-1", 1, "RUB", "1")) == "wrong_amount"
    assert f.db.published == [] and not f.db.state.transactions  # a check changes nothing


async def test_pay_succeeds_once_however_often_it_is_repeated(f: Fixture) -> None:
    await f.paid()
    for _ in range(4):
        assert await f.notify(taken()) == "accept"
    payment = await f.cashier.get(order_id="order-1")
    assert payment.status is PaymentStatus.SUCCEEDED and payment.transaction_id == "100"
    assert len(f.events(PaymentSucceeded)) == 1


async def test_decline_then_success_on_the_same_page(f: Fixture) -> None:
    await f.cashier.create(ORDER)
    await f.notify(declined("98"))
    await f.notify(declined("99"))
    failed = await f.cashier.get(order_id="order-1")
    assert failed.status is PaymentStatus.FAILED and failed.failure_reason == "InsufficientFunds (5051)"
    assert len(f.events(PaymentFailed)) == 1  # the first decline; the second only updates the reason
    await f.notify(taken())
    assert (await f.cashier.get(order_id="order-1")).status is PaymentStatus.SUCCEEDED


async def test_second_charge_is_recorded_with_a_note_not_applied(f: Fixture) -> None:
    await f.paid("100")
    assert await f.notify(taken("101")) == "accept"
    note = f.db.state.transactions[("fakepay", "pay", "101")].note
    assert "must be refunded" in note
    assert (await f.cashier.get(order_id="order-1")).transaction_id == "100"
    assert len(f.events(PaymentSucceeded)) == 1


async def test_pay_for_an_unknown_invoice_is_answered_but_not_accepted(f: Fixture) -> None:
    assert await f.notify(taken()) == "unknown_invoice"


async def test_bad_signature_changes_nothing(f: Fixture) -> None:
    await f.cashier.create(ORDER)
    with pytest.raises(Unauthenticated):
        await f.notify(taken(), signature="forged")
    assert (await f.cashier.get(order_id="order-1")).status is PaymentStatus.PENDING
    assert f.db.published == []


async def test_unknown_provider_is_not_found(f: Fixture) -> None:
    with pytest.raises(NotFound):
        await f.callbacks.handle("other", "pay", b"", "ok")


async def test_lost_races_are_retried(f: Fixture) -> None:
    await f.cashier.create(ORDER)
    f.db.conflicts_to_raise = 3
    assert await f.notify(taken()) == "accept"
    assert len(f.events(PaymentSucceeded)) == 1


async def test_a_race_lost_every_time_gives_up_with_the_conflict(f: Fixture) -> None:
    await f.cashier.create(ORDER)
    f.db.conflicts_to_raise = 100
    with pytest.raises(Conflict):
        await f.notify(taken())
    assert f.db.published == []



class RecordingOwner:
    """The order's owner (ticketing) as the fast path sees it."""

    def __init__(self) -> None:
        self.told: list[PaymentSucceeded] = []

    def payment_succeeded(self, event: PaymentSucceeded) -> None:
        self.told.append(event)


async def test_the_order_owner_is_told_of_a_committed_success_once(f: Fixture) -> None:
    owner = RecordingOwner()
    f.callbacks.order_owner = owner
    await f.cashier.create(ORDER)
    await f.notify(CheckRequested("order-1", "user-1", 150050, "RUB", "1"))
    await f.notify(declined())
    assert owner.told == []  # only a success is worth the hurry
    f.db.conflicts_to_raise = 2  # lost races: told after the commit that counts, not before
    await f.notify(taken())
    await f.notify(taken())  # the provider repeats itself: nothing new to tell
    assert owner.told == f.events(PaymentSucceeded) and len(owner.told) == 1


async def test_a_success_never_committed_is_not_told(f: Fixture) -> None:
    owner = RecordingOwner()
    f.callbacks.order_owner = owner
    await f.cashier.create(ORDER)
    f.db.conflicts_to_raise = 100
    with pytest.raises(Conflict):
        await f.notify(taken())
    assert owner.told == []


# --- RefundPayment ---

async def test_full_refund(f: Fixture) -> None:
    await f.paid()
    payment = await f.cashier.refund("order-1", amount=0, reason="event cancelled", idempotency_key="k1")
    assert payment.status is PaymentStatus.REFUNDED and payment.refunded_amount == 150050
    [event] = f.events(PaymentRefunded)
    assert (event.amount, event.reason, event.idempotency_key) == (150050, "event cancelled", "k1")
    assert f.provider.calls[-1][0] == "refund"


async def test_partial_refunds_and_the_same_key_again(f: Fixture) -> None:
    await f.paid()
    first = await f.cashier.refund("order-1", amount=50, reason="", idempotency_key="k1")
    assert first.status is PaymentStatus.PARTIALLY_REFUNDED and first.refunded_amount == 50
    again = await f.cashier.refund("order-1", amount=50, reason="", idempotency_key="k1")
    assert again.refunded_amount == 50 and len(f.events(PaymentRefunded)) == 1
    with pytest.raises(AlreadyExists):
        await f.cashier.refund("order-1", amount=60, reason="", idempotency_key="k1")
    rest = await f.cashier.refund("order-1", amount=0, reason="", idempotency_key="k2")
    assert rest.status is PaymentStatus.REFUNDED and rest.refunded_amount == 150050
    with pytest.raises(FailedPrecondition):
        await f.cashier.refund("order-1", amount=0, reason="", idempotency_key="k3")


async def test_refund_of_an_unpaid_payment_is_refused(f: Fixture) -> None:
    await f.cashier.create(ORDER)
    with pytest.raises(FailedPrecondition) as error:
        await f.cashier.refund("order-1", amount=0, reason="", idempotency_key="k1")
    assert error.value.reason == "PAYMENT_NOT_REFUNDABLE"


async def test_refund_while_the_provider_is_down_is_reserved_and_completed_by_a_retry(f: Fixture) -> None:
    await f.paid()
    f.provider.down = True
    with pytest.raises(Unavailable):
        await f.cashier.refund("order-1", amount=100, reason="", idempotency_key="k1")
    # The amount stays reserved: another refund cannot take it meanwhile.
    with pytest.raises(FailedPrecondition):
        await f.cashier.refund("order-1", amount=150000, reason="", idempotency_key="k2")
    f.provider.down = False
    payment = await f.cashier.refund("order-1", amount=100, reason="", idempotency_key="k1")
    assert payment.refunded_amount == 100
    refund_calls = [request_id for method, request_id in f.provider.calls if method == "refund"]
    assert len(set(refund_calls)) == 1  # one request id: the provider refunds once


async def test_refused_refund_is_remembered_for_its_key(f: Fixture) -> None:
    await f.paid()
    f.provider.refuse = "Refund is not possible"
    with pytest.raises(FailedPrecondition) as error:
        await f.cashier.refund("order-1", amount=100, reason="", idempotency_key="k1")
    assert error.value.reason == "REFUND_REJECTED"
    f.provider.refuse = ""
    with pytest.raises(FailedPrecondition):
        await f.cashier.refund("order-1", amount=100, reason="", idempotency_key="k1")  # same key, same answer
    [refund] = f.db.state.refunds.values()
    assert refund.status is RefundStatus.FAILED
    assert (await f.cashier.refund("order-1", amount=100, reason="", idempotency_key="k2")).refunded_amount == 100


async def test_refund_notification_arriving_first_is_applied_once_with_our_key(f: Fixture) -> None:
    await f.paid()
    # The provider's Refund notification overtakes its API answer: simulate by notifying
    # with the transaction id the fake provider will answer for this refund's request.
    original = f.provider.refund

    async def notify_first(transaction_id: str, amount: int, *, request_id: str) -> str:
        refund_id = await original(transaction_id, amount, request_id=request_id)
        assert await f.notify(MoneyReturned("order-1", amount, refund_id, transaction_id, NOW)) == "accept"
        return refund_id

    f.provider.refund = notify_first  # type: ignore[method-assign]
    payment = await f.cashier.refund("order-1", amount=0, reason="why", idempotency_key="k1")
    assert payment.status is PaymentStatus.REFUNDED
    [event] = f.events(PaymentRefunded)
    assert (event.reason, event.idempotency_key) == ("why", "k1")
    [refund] = f.db.state.refunds.values()
    assert refund.status is RefundStatus.SUCCEEDED


async def test_refund_made_at_the_provider_directly(f: Fixture) -> None:
    await f.paid()
    assert await f.notify(MoneyReturned("order-1", 50, "300", "100", NOW)) == "accept"
    assert await f.notify(MoneyReturned("order-1", 50, "300", "100", NOW)) == "accept"  # repeated
    payment = await f.cashier.get(order_id="order-1")
    assert payment.status is PaymentStatus.PARTIALLY_REFUNDED and payment.refunded_amount == 50
    [event] = f.events(PaymentRefunded)
    assert event.idempotency_key == ""
