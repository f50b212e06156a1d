"""The money path of payment-service end to end: ticketing's side calls its gRPC port,
the payer uses the CloudPayments sandbox's page, the sandbox's signed notifications come
back through the gateway (Envoy) to the callback, events go out on Kafka."""

from __future__ import annotations

import re
import uuid

import grpc
import httpx
import psycopg
import pytest
from kafka_support import read_topic
from payment_support import (
    CALLBACK,
    PAYMENT_DATABASE,
    create,
    get,
    inject_fault,
    notification,
    outbox,
    payments,
    post_notification,
    press,
    sandbox_notifications,
    sandbox_orders,
)

from kgo import topology
from kulturago.payment.v1 import events_pb2
from kulturago.payment.v1 import payment_service_pb2 as pb

GATEWAY = f"http://127.0.0.1:{topology.GATEWAY_HTTP_PORT}"
GATEWAY_CALLBACK = GATEWAY + CALLBACK


def succeeded_events(order_id: str) -> list[events_pb2.PaymentSucceeded]:
    records = read_topic("payment.succeeded", key=order_id)
    return [events_pb2.PaymentSucceeded.FromString(r.value) for r in records]


def test_pay_on_the_sandbox_page() -> None:
    with payments() as stub:
        payment = create(stub, amount=150050)
        assert payment.status == pb.PAYMENT_STATUS_PENDING and payment.provider == "cloudpayments"
        page = press(payment.payment_url, "pay")
        assert 'data-status="Paid"' in page.text and "the merchant confirmed" in page.text
        paid = get(stub, payment.order_id)
    assert paid.status == pb.PAYMENT_STATUS_SUCCEEDED and not paid.late
    # Check, then Pay, both through the gateway, both answered {"code":0}.
    sent = sandbox_notifications(payment.order_id)
    assert [(n["kind"], n["state"]) for n in sent] == [("check", "delivered"), ("pay", "delivered")]
    assert all(n["url"].startswith(GATEWAY_CALLBACK) for n in sent)
    assert paid.transaction_id == str(sent[1]["transactionId"])
    [event] = succeeded_events(payment.order_id)
    assert (event.payment_id, event.account_id, event.amount, event.currency, event.transaction_id, event.late) == \
        (payment.id, "buyer-1", 150050, "RUB", paid.transaction_id, False)


def test_decline_then_pay_again_on_the_same_page() -> None:
    with payments() as stub:
        payment = create(stub)
        page = press(payment.payment_url, "decline")
        assert "Declined" in page.text and 'value="pay"' in page.text  # the payer may try again
        failed = get(stub, payment.order_id)
        assert failed.status == pb.PAYMENT_STATUS_FAILED
        assert failed.failure_reason == "InsufficientFunds (5051)"
        [record] = read_topic("payment.failed", key=payment.order_id)
        event = events_pb2.PaymentFailed.FromString(record.value)
        assert (event.reason, event.reason_code, event.amount) == ("InsufficientFunds", "5051", payment.amount)
        press(payment.payment_url, "pay")
        assert get(stub, payment.order_id).status == pb.PAYMENT_STATUS_SUCCEEDED
    assert len(succeeded_events(payment.order_id)) == 1


def test_refunds_partial_then_the_rest() -> None:
    with payments() as stub:
        payment = create(stub, amount=300000)
        press(payment.payment_url, "pay")
        partial = stub.RefundPayment(pb.RefundPaymentRequest(order_id=payment.order_id, amount=100000,
                                                             reason="one seat", idempotency_key="r1"), timeout=30)
        assert partial.status == pb.PAYMENT_STATUS_PARTIALLY_REFUNDED and partial.refunded_amount == 100000
        again = stub.RefundPayment(pb.RefundPaymentRequest(order_id=payment.order_id, amount=100000,
                                                           reason="one seat", idempotency_key="r1"), timeout=30)
        assert again.refunded_amount == 100000  # the same key is the same refund
        rest = stub.RefundPayment(pb.RefundPaymentRequest(order_id=payment.order_id, reason="event cancelled",
                                                          idempotency_key="r2"), timeout=30)
        assert rest.status == pb.PAYMENT_STATUS_REFUNDED and rest.refunded_amount == 300000
        with pytest.raises(grpc.RpcError) as nothing_left:
            stub.RefundPayment(pb.RefundPaymentRequest(order_id=payment.order_id, idempotency_key="r3"), timeout=30)
        assert nothing_left.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    records = read_topic("payment.refunded", key=payment.order_id, until=lambda found: len(found) >= 2)
    events = [events_pb2.PaymentRefunded.FromString(r.value) for r in records]
    assert [(e.amount, e.refunded_amount, e.full, e.idempotency_key, e.reason) for e in events] == [
        (100000, 100000, False, "r1", "one seat"), (200000, 300000, True, "r2", "event cancelled")]
    assert all(e.payment_transaction_id == rest.transaction_id for e in events)
    # The sandbox's Refund notifications came through the callback too: applied once each.
    delivered = [n for n in sandbox_notifications(payment.order_id, "refund") if n["state"] == "delivered"]
    assert len(delivered) == 2 and len(outbox(payment.order_id, "payment.refunded")) == 2


def test_cancel_makes_check_refuse_with_13_even_if_the_page_stayed_open() -> None:
    with payments() as stub:
        payment = create(stub)
        # The provider cannot close its page right now.
        inject_fault("orders/cancel", "error", match={"Id": payment.provider_invoice_id})
        canceled = stub.CancelPayment(pb.CancelPaymentRequest(order_id=payment.order_id), timeout=30)
        assert canceled.status == pb.PAYMENT_STATUS_CANCELED
        page = press(payment.payment_url, "pay")
        assert "Check answered code 13" in page.text and "Nothing was charged" in page.text
        assert get(stub, payment.order_id).status == pb.PAYMENT_STATUS_CANCELED
    assert sandbox_orders(payment.order_id)[0]["Status"] == "Created"  # not paid at the provider
    assert outbox(payment.order_id, "payment.succeeded") == []


def test_cancel_closes_the_page_and_a_late_payment_is_still_recorded() -> None:
    with payments() as stub, httpx.Client(base_url=GATEWAY) as http:
        payment = create(stub)
        stub.CancelPayment(pb.CancelPaymentRequest(order_id=payment.order_id), timeout=30)
        assert sandbox_orders(payment.order_id)[0]["Status"] == "Cancelled"
        # The payer had passed Check before the cancel: the money arrives anyway.
        reply = post_notification(http, "pay", notification(payment))
        assert reply.json() == {"code": 0}
        late = get(stub, payment.order_id)
    assert late.status == pb.PAYMENT_STATUS_SUCCEEDED and late.late
    [event] = succeeded_events(payment.order_id)
    assert event.late


def test_provider_outage_on_create_then_a_retry_completes_it() -> None:
    order_id = f"test-{uuid.uuid4().hex[:12]}"
    with payments() as stub:
        # Every attempt of one call fails.
        inject_fault("orders/create", "error", times=3, match={"InvoiceId": order_id})
        with pytest.raises(grpc.RpcError) as outage:
            create(stub, order_id=order_id)
        assert outage.value.code() == grpc.StatusCode.UNAVAILABLE
        pending = get(stub, order_id)
        assert pending.status == pb.PAYMENT_STATUS_PENDING and pending.payment_url == ""
        retried = create(stub, order_id=order_id)
    assert retried.id == pending.id and retried.payment_url
    assert [o["Id"] for o in sandbox_orders(order_id)] == [retried.provider_invoice_id]


def test_same_order_twice_is_one_payment_and_another_amount_is_refused() -> None:
    with payments() as stub:
        first = create(stub)
        assert create(stub, order_id=first.order_id) == first
        with pytest.raises(grpc.RpcError) as mismatch:
            create(stub, order_id=first.order_id, amount=1)
    assert mismatch.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert len(sandbox_orders(first.order_id)) == 1


def test_no_card_data_is_stored() -> None:
    with payments() as stub:
        payment = create(stub)
        press(payment.payment_url, "pay")
    assert get_status(payment.order_id) == pb.PAYMENT_STATUS_SUCCEEDED
    sent = sandbox_notifications(payment.order_id, "pay")[0]["body"]
    assert "CardFirstSix=424242" in sent and "Token=" in sent  # what CloudPayments sends us ...
    with psycopg.connect(PAYMENT_DATABASE) as conn:
        dump = str(conn.execute(
            "SELECT p, (SELECT array_agg(t) FROM payment_transactions t WHERE t.payment_id = p.id), "
            "(SELECT array_agg(o) FROM outbox o WHERE o.key = convert_to(p.order_id, 'UTF8')) "
            "FROM payments p WHERE p.order_id = %s", (payment.order_id,)).fetchall())
    assert payment.order_id in dump
    for card_data in ("424242", "SANDBOX CARDHOLDER", "tk_sandbox_token", "12/29", "A1B2C3"):
        assert card_data not in dump  # ... and none of it is kept


def get_status(order_id: str) -> int:
    with payments() as stub:
        return get(stub, order_id).status


def test_payment_url_points_at_the_sandbox_page() -> None:
    with payments() as stub:
        payment = create(stub, amount=99)
    assert re.fullmatch(rf"{topology.sandbox('cloudpayments').url}/pay/[A-Za-z0-9]{{16}}", payment.payment_url)
    assert "0.99 RUB" in httpx.get(payment.payment_url).text
