"""The CloudPayments callback through the gateway (POST /api/v1/payments/callback/
cloudpayments?notification=...): Content-HMAC verified over the raw body before anything
else (missing, forged or a tampered body: 401, nothing changes), Check's answer codes,
one state change and one event however often and however concurrently a notification
arrives."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from kafka_support import read_topic
from payment_support import (
    CALLBACK,
    create,
    get,
    notification,
    outbox,
    payments,
    post_notification,
    press,
    recorded_transactions,
    sandbox_notifications,
    sign,
    transaction_id,
)

from kgo import topology
from kulturago.payment.v1 import payment_service_pb2 as pb


@pytest.fixture
def payment() -> pb.Payment:
    with payments() as stub:
        return create(stub, amount=150050, account_id="buyer-7")


def status(order_id: str) -> int:
    with payments() as stub:
        return get(stub, order_id).status


@pytest.mark.parametrize(("overrides", "code"), [
    ({}, 0),
    ({"InvoiceId": "no-such-order"}, 10),
    ({"AccountId": "someone-else"}, 11),
    ({"Amount": "1.00"}, 12),
])
def test_check_codes(http: httpx.Client, payment: pb.Payment, overrides: dict[str, str], code: int) -> None:
    reply = post_notification(http, "check", notification(payment, **overrides))
    assert reply.status_code == 200 and reply.headers["content-type"] == "application/json"
    assert reply.json() == {"code": code}
    assert status(payment.order_id) == pb.PAYMENT_STATUS_PENDING  # a check changes nothing


def test_check_code_13_for_canceled_and_for_paid(http: httpx.Client, payment: pb.Payment) -> None:
    with payments() as stub:
        other = create(stub)
        stub.CancelPayment(pb.CancelPaymentRequest(order_id=other.order_id), timeout=30)
    assert post_notification(http, "check", notification(other)).json() == {"code": 13}
    assert post_notification(http, "pay", notification(payment)).json() == {"code": 0}
    assert post_notification(http, "check", notification(payment)).json() == {"code": 13}  # paid already


@pytest.mark.parametrize("signature", [None, "", "bm90IHRoZSBzaWduYXR1cmU=", sign(b"another body"),
                                       "wrong-secret"])
def test_missing_or_forged_signature_is_rejected_and_changes_nothing(http: httpx.Client, payment: pb.Payment,
                                                                     signature: str | None) -> None:
    body = notification(payment)
    if signature == "wrong-secret":
        signature = sign(body, "not-the-api-secret")
    reply = post_notification(http, "pay", body, signature=signature)
    assert reply.status_code == 401, reply.text
    assert reply.json()["details"][0]["reason"] in ("SIGNATURE_MISSING", "SIGNATURE_INVALID")
    assert status(payment.order_id) == pb.PAYMENT_STATUS_PENDING
    assert recorded_transactions(payment.order_id) == [] and outbox(payment.order_id, "payment.succeeded") == []


def test_a_body_changed_after_signing_is_rejected(http: httpx.Client, payment: pb.Payment) -> None:
    body = notification(payment, Amount="1500.50")
    tampered = body.replace(b"Amount=1500.50", b"Amount=1.00")
    reply = http.post(f"{CALLBACK}?notification=pay", content=tampered,
                      headers={"Content-Type": "application/x-www-form-urlencoded", "Content-HMAC": sign(body)})
    assert reply.status_code == 401
    assert status(payment.order_id) == pb.PAYMENT_STATUS_PENDING


def test_signed_but_malformed_is_a_bad_request(http: httpx.Client, payment: pb.Payment) -> None:
    reply = post_notification(http, "pay", b"TransactionId=abc&Amount=1.00&InvoiceId=" + payment.order_id.encode())
    assert reply.status_code == 400 and reply.json()["details"][0]["reason"] == "INVALID_ARGUMENT"


async def test_the_same_pay_five_times_at_once_is_one_payment_and_one_event(payment: pb.Payment) -> None:
    body = notification(payment, transaction=transaction_id())
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Content-HMAC": sign(body)}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{topology.GATEWAY_HTTP_PORT}", timeout=30) as client:
        replies = await asyncio.gather(*(client.post(f"{CALLBACK}?notification=pay", content=body, headers=headers)
                                         for _ in range(5)))
    assert [(r.status_code, r.json()) for r in replies] == [(200, {"code": 0})] * 5
    assert status(payment.order_id) == pb.PAYMENT_STATUS_SUCCEEDED
    assert len(recorded_transactions(payment.order_id)) == 1
    assert len(outbox(payment.order_id, "payment.succeeded")) == 1
    records = read_topic("payment.succeeded", key=payment.order_id)
    assert len(records) == 1


async def test_the_sandboxs_own_pay_replayed_five_times_changes_nothing(payment: pb.Payment) -> None:
    press(payment.payment_url, "pay")
    [sent] = sandbox_notifications(payment.order_id, "pay")
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Content-HMAC": sent["contentHmac"]}
    async with httpx.AsyncClient(timeout=30) as client:
        replies = await asyncio.gather(*(client.post(sent["url"], content=sent["body"].encode(), headers=headers)
                                         for _ in range(5)))
    assert [r.json() for r in replies] == [{"code": 0}] * 5
    assert recorded_transactions(payment.order_id) == [("pay", str(sent["transactionId"]))]
    assert len(outbox(payment.order_id, "payment.succeeded")) == 1
