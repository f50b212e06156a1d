"""payment-service's domain (services/payment/domain): the check a provider asks before
taking money, what each notification does to a payment, cancel and refund rules; and the
CloudPayments adapter's pure parts (amounts, signature, notification decoding)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest

from services.payment.adapters.cloudpayments.money import to_kopecks, to_rubles
from services.payment.adapters.cloudpayments.notifications import CloudPaymentsNotifications, signature
from services.payment.domain import model
from services.payment.domain.events import PaymentFailed, PaymentRefunded, PaymentSucceeded
from services.payment.domain.model import NewPayment, Payment, PaymentStatus, Verdict
from services.payment.domain.notifications import (
    CheckRequested,
    MoneyReturned,
    PaymentDeclined,
    PaymentTaken,
    money_returned,
    payment_declined,
    payment_taken,
)
from services.runtime.errors import FailedPrecondition, InvalidArgument, Unauthenticated

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
PENDING = NewPayment("order-1", "user-1", 150050, "RUB", "Джаз").payment("p-1", "cloudpayments", NOW)


def with_status(status: PaymentStatus, **values: object) -> Payment:
    return replace(PENDING, status=status, **values)  # type: ignore[arg-type]


def taken(transaction_id: str = "100", amount: int = 150050) -> PaymentTaken:
    return PaymentTaken("order-1", "user-1", amount, "RUB", transaction_id, NOW)


def declined(transaction_id: str = "99") -> PaymentDeclined:
    return PaymentDeclined("order-1", 150050, transaction_id, NOW, "InsufficientFunds", "5051")


def returned(amount: int, transaction_id: str = "200") -> MoneyReturned:
    return MoneyReturned("order-1", amount, transaction_id, "100", NOW)


# --- Check ---

@pytest.mark.parametrize(("payment", "account", "amount", "currency", "verdict"), [
    (PENDING, "user-1", 150050, "RUB", Verdict.ACCEPT),
    (with_status(PaymentStatus.FAILED), "user-1", 150050, "RUB", Verdict.ACCEPT),  # trying again after a decline
    (None, "user-1", 150050, "RUB", Verdict.UNKNOWN_INVOICE),
    (PENDING, "user-2", 150050, "RUB", Verdict.WRONG_ACCOUNT),
    (PENDING, "", 150050, "RUB", Verdict.WRONG_ACCOUNT),
    (PENDING, "user-1", 150000, "RUB", Verdict.WRONG_AMOUNT),
    (PENDING, "user-1", 150050, "USD", Verdict.WRONG_AMOUNT),
    (with_status(PaymentStatus.CANCELED), "user-1", 150050, "RUB", Verdict.NOT_PAYABLE),
    (with_status(PaymentStatus.SUCCEEDED), "user-1", 150050, "RUB", Verdict.NOT_PAYABLE),
    (with_status(PaymentStatus.REFUNDED), "user-1", 150050, "RUB", Verdict.NOT_PAYABLE),
])
def test_check(payment: Payment | None, account: str, amount: int, currency: str, verdict: Verdict) -> None:
    assert model.check(payment, account_id=account, amount=amount, currency=currency) is verdict


# --- Pay ---

@pytest.mark.parametrize("status", [PaymentStatus.PENDING, PaymentStatus.FAILED])
def test_payment_taken_succeeds_an_unpaid_payment(status: PaymentStatus) -> None:
    outcome = payment_taken(with_status(status, failure_reason="old"), taken(), NOW)
    assert outcome.payment.status is PaymentStatus.SUCCEEDED
    assert outcome.payment.transaction_id == "100" and outcome.payment.failure_reason == ""
    assert outcome.event == PaymentSucceeded(outcome.payment, NOW, late=False)
    assert not outcome.note


def test_payment_taken_after_cancel_is_recorded_as_late_never_dropped() -> None:
    outcome = payment_taken(with_status(PaymentStatus.CANCELED), taken(), NOW)
    assert outcome.payment.status is PaymentStatus.SUCCEEDED and outcome.payment.late
    assert isinstance(outcome.event, PaymentSucceeded) and outcome.event.late


def test_second_charge_of_a_paid_payment_changes_nothing_and_says_so() -> None:
    payment = with_status(PaymentStatus.SUCCEEDED, transaction_id="100")
    outcome = payment_taken(payment, taken("101"), NOW)
    assert outcome.payment == payment and outcome.event is None
    assert "101" in outcome.note and "refund" in outcome.note


def test_payment_taken_with_another_amount_still_pays_but_is_noted() -> None:
    outcome = payment_taken(PENDING, taken(amount=100), NOW)
    assert outcome.payment.status is PaymentStatus.SUCCEEDED and "differs" in outcome.note


# --- Fail ---

def test_decline_fails_a_pending_payment_with_the_reason() -> None:
    outcome = payment_declined(PENDING, declined(), NOW)
    assert outcome.payment.status is PaymentStatus.FAILED
    assert outcome.payment.failure_reason == "InsufficientFunds (5051)"
    assert outcome.event == PaymentFailed(outcome.payment, "99", NOW, "InsufficientFunds", "5051")


def test_another_decline_updates_the_reason_without_a_second_event() -> None:
    outcome = payment_declined(with_status(PaymentStatus.FAILED, failure_reason="x"), declined("98"), NOW)
    assert outcome.payment.status is PaymentStatus.FAILED and outcome.event is None and not outcome.note


@pytest.mark.parametrize("status", [PaymentStatus.SUCCEEDED, PaymentStatus.CANCELED])
def test_decline_of_a_settled_payment_changes_nothing(status: PaymentStatus) -> None:
    payment = with_status(status)
    outcome = payment_declined(payment, declined(), NOW)
    assert outcome.payment == payment and outcome.event is None and outcome.note


# --- Refund ---

def test_partial_then_full_refund() -> None:
    paid = with_status(PaymentStatus.SUCCEEDED, transaction_id="100")
    first = money_returned(paid, returned(50), NOW, reason="seat", idempotency_key="k1")
    assert first.payment.status is PaymentStatus.PARTIALLY_REFUNDED and first.payment.refunded_amount == 50
    assert first.event == PaymentRefunded(first.payment, 50, "200", NOW, "seat", "k1")
    rest = money_returned(first.payment, returned(150000, "201"), NOW)
    assert rest.payment.status is PaymentStatus.REFUNDED and rest.payment.refunded_amount == 150050


def test_refund_beyond_the_payment_is_capped_and_noted() -> None:
    outcome = money_returned(with_status(PaymentStatus.SUCCEEDED), returned(999999), NOW)
    assert outcome.payment.refunded_amount == 150050 and "capped" in outcome.note


def test_refund_of_an_unpaid_payment_changes_nothing() -> None:
    outcome = money_returned(PENDING, returned(10), NOW)
    assert outcome.payment == PENDING and outcome.event is None and outcome.note


def test_refund_amount_rules() -> None:
    paid = with_status(PaymentStatus.SUCCEEDED)
    assert model.refund_amount(paid, 0, reserved=0) == 150050  # 0: all that is left
    assert model.refund_amount(paid, 0, reserved=50) == 150000  # less what is being refunded already
    assert model.refund_amount(replace(paid, status=PaymentStatus.PARTIALLY_REFUNDED, refunded_amount=50), 0, 0) \
        == 150000
    with pytest.raises(FailedPrecondition) as exceeds:
        model.refund_amount(paid, 150051, reserved=0)
    assert exceeds.value.reason == "REFUND_EXCEEDS_PAYMENT"
    with pytest.raises(FailedPrecondition):
        model.refund_amount(paid, 0, reserved=150050)  # nothing left
    for status in (PaymentStatus.PENDING, PaymentStatus.CANCELED, PaymentStatus.REFUNDED):
        with pytest.raises(FailedPrecondition) as not_paid:
            model.refund_amount(with_status(status), 0, 0)
        assert not_paid.value.reason == "PAYMENT_NOT_REFUNDABLE"


# --- Cancel ---

def test_cancel_rules() -> None:
    assert model.cancel(PENDING, NOW).status is PaymentStatus.CANCELED
    assert model.cancel(with_status(PaymentStatus.FAILED), NOW).status is PaymentStatus.CANCELED
    canceled = with_status(PaymentStatus.CANCELED)
    assert model.cancel(canceled, NOW) is canceled  # idempotent: unchanged
    with pytest.raises(FailedPrecondition) as paid:
        model.cancel(with_status(PaymentStatus.SUCCEEDED), NOW)
    assert paid.value.reason == "PAYMENT_ALREADY_SUCCEEDED"


def test_a_retry_matches_a_payment_another_amount_does_not() -> None:
    assert NewPayment("order-1", "user-1", 150050, "RUB", "other text").matches(PENDING)
    assert not NewPayment("order-1", "user-1", 150051, "RUB", "Джаз").matches(PENDING)
    assert not NewPayment("order-1", "user-2", 150050, "RUB", "Джаз").matches(PENDING)


# --- CloudPayments: amounts, signature, notifications ---

def test_rubles_and_kopecks() -> None:
    assert str(to_rubles(150050)) == "1500.50" and str(to_rubles(1)) == "0.01"
    assert to_kopecks("1500.50") == 150050 and to_kopecks("1500.5") == 150050 and to_kopecks("7") == 700
    for bad in ("1.001", "-1.00", "abc", "NaN", "Infinity", ""):
        with pytest.raises(ValueError):
            to_kopecks(bad)


SECRET = "api-secret-for-tests"
CODEC = CloudPaymentsNotifications(SECRET)


def body(**fields: str) -> bytes:
    return urlencode(fields).encode()


PAY = body(TransactionId="100", Amount="1500.50", Currency="RUB", InvoiceId="order-1", AccountId="user-1",
           DateTime="2026-12-01 11:59:58", CardFirstSix="424242", CardLastFour="4242", Status="Completed",
           Name="ИВАН ПЕТРОВ")


def test_signature_is_base64_hmac_sha256_of_the_raw_body() -> None:
    # Computed independently: echo -n 'a=1' | openssl dgst -sha256 -hmac api-secret-for-tests -binary | base64
    assert signature(b"a=1", SECRET) == "cqCTnpOB08XsW1xksd6CFBMuDxE4zPlTAOBlVJSM1uo="


def test_notification_decoded_after_its_signature_is_verified() -> None:
    decoded = CODEC.decode("pay", PAY, signature(PAY, SECRET))
    assert decoded == PaymentTaken("order-1", "user-1", 150050, "RUB", "100",
                                   datetime(2026, 12, 1, 11, 59, 58, tzinfo=UTC))
    assert "4242" not in repr(decoded)  # card fields are never read


@pytest.mark.parametrize("sent", [None, "", "not-base64", signature(PAY, "another secret"),
                                  signature(PAY + b"&x=1", SECRET), "ünïcode"])
def test_missing_or_forged_signature_is_refused_before_parsing(sent: str | None) -> None:
    with pytest.raises(Unauthenticated):
        CODEC.decode("pay", PAY, sent)
    with pytest.raises(Unauthenticated):
        CODEC.decode("pay", b"\xff\xfe not even a form", sent)  # never parsed: no InvalidArgument first


def test_each_kind_of_notification() -> None:
    def decode(kind: str, raw: bytes) -> object:
        return CODEC.decode(kind, raw, signature(raw, SECRET))

    assert decode("check", PAY) == CheckRequested("order-1", "user-1", 150050, "RUB", "100")
    fail = body(TransactionId="99", Amount="1500.50", Currency="RUB", InvoiceId="order-1",
                DateTime="2026-12-01 11:00:00", Reason="InsufficientFunds", ReasonCode="5051")
    assert decode("fail", fail) == PaymentDeclined("order-1", 150050, "99",
                                                   datetime(2026, 12, 1, 11, tzinfo=UTC), "InsufficientFunds", "5051")
    refund = body(TransactionId="200", PaymentTransactionId="100", Amount="500.00", InvoiceId="order-1",
                  DateTime="2026-12-01 13:00:00", OperationType="Refund")
    assert decode("refund", refund) == MoneyReturned("order-1", 50000, "200", "100",
                                                     datetime(2026, 12, 1, 13, tzinfo=UTC))


@pytest.mark.parametrize("raw", [body(Amount="1.00", Currency="RUB", InvoiceId="o"),  # no TransactionId
                                 body(TransactionId="x1", Amount="1.00", Currency="RUB", InvoiceId="o"),
                                 body(TransactionId="1", Amount="1.005", Currency="RUB", InvoiceId="o"),
                                 body(TransactionId="1", Amount="1.00", Currency="RUB"),  # no InvoiceId
                                 b"\xff\xfe"])
def test_signed_but_malformed_notification_is_invalid_argument(raw: bytes) -> None:
    with pytest.raises(InvalidArgument):
        CODEC.decode("pay", raw, signature(raw, SECRET))


def test_answers_are_cloudpayments_codes() -> None:
    assert CODEC.answer(Verdict.ACCEPT) == ("application/json", b'{"code":0}')
    codes = [CODEC.answer(v)[1] for v in (Verdict.UNKNOWN_INVOICE, Verdict.WRONG_ACCOUNT, Verdict.WRONG_AMOUNT,
                                          Verdict.NOT_PAYABLE)]
    assert codes == [b'{"code":10}', b'{"code":11}', b'{"code":12}', b'{"code":13}']
