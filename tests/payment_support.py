"""Helpers of payment-service's tests against the running platform: its gRPC port (the
internal methods answer only there), the CloudPayments sandbox (page, control API) and
notifications signed as CloudPayments signs them, with the dev platform's API secret.
Imported as `payment_support` (tests/ is on sys.path)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import grpc
import httpx
import psycopg

from kgo import provision, topology
from kulturago.payment.v1 import payment_service_pb2 as pb
from kulturago.payment.v1 import payment_service_pb2_grpc as pb_grpc

PAYMENT_GRPC = f"127.0.0.1:{topology.service('payment').grpc_port}"
SANDBOX = topology.sandbox("cloudpayments").url
CALLBACK = "/api/v1/payments/callback/cloudpayments"
PAYMENT_DATABASE = topology.database_url("payment", provision.postgres_password())
_transaction_ids = itertools.count(int(time.time() * 1000) * 10)


def credentials() -> tuple[str, str]:
    """(Public ID, API secret) the sandbox and payment-service share."""
    return (provision.sandbox_credential("cloudpayments", "public_id"),
            provision.sandbox_credential("cloudpayments", "api_secret"))


def sign(body: bytes, secret: str | None = None) -> str:
    key = (secret or credentials()[1]).encode()
    return base64.b64encode(hmac.new(key, body, hashlib.sha256).digest()).decode()


def transaction_id() -> str:
    """A CloudPayments-like transaction number no other test uses."""
    return str(next(_transaction_ids))


def notification(payment: pb.Payment, *, transaction: str | None = None, **overrides: str) -> bytes:
    """A Check/Pay body for `payment` as CloudPayments writes it (card fields included)."""
    fields = {
        "TransactionId": transaction or transaction_id(), "Amount": f"{payment.amount / 100:.2f}",
        "Currency": payment.currency, "PaymentAmount": f"{payment.amount / 100:.2f}",
        "PaymentCurrency": payment.currency, "DateTime": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
        "CardFirstSix": "424242", "CardLastFour": "4242", "CardType": "Visa", "CardExpDate": "12/29",
        "TestMode": "1", "Status": "Completed", "OperationType": "Payment", "InvoiceId": payment.order_id,
        "AccountId": payment.account_id, "Email": "", "Token": "tk_from_tests", "Name": "TEST CARDHOLDER",
    }
    fields.update(overrides)
    return urlencode(fields).encode()


def post_notification(http: httpx.Client, kind: str, body: bytes, *, signature: str | None = "sign"
                      ) -> httpx.Response:
    """POST a notification through the gateway; signature "sign" signs it properly, None omits it."""
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature is not None:
        headers["Content-HMAC"] = sign(body) if signature == "sign" else signature
    return http.post(f"{CALLBACK}?notification={kind}", content=body, headers=headers)


@contextmanager
def payments() -> Iterator[pb_grpc.PaymentServiceStub]:
    """PaymentService at its own port, as ticketing-service calls it."""
    with grpc.insecure_channel(PAYMENT_GRPC) as channel:
        yield pb_grpc.PaymentServiceStub(channel)


def new_order_id() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def create(stub: pb_grpc.PaymentServiceStub, *, amount: int = 150050, account_id: str = "buyer-1",
           order_id: str | None = None) -> pb.Payment:
    return stub.CreatePayment(pb.CreatePaymentRequest(
        order_id=order_id or new_order_id(), amount=amount, currency="RUB", description="Джаз на крыше",
        account_id=account_id, email="buyer@example.com"), timeout=30)


def get(stub: pb_grpc.PaymentServiceStub, order_id: str) -> pb.Payment:
    return stub.GetPayment(pb.GetPaymentRequest(order_id=order_id), timeout=10)


def press(payment_url: str, action: str) -> httpx.Response:
    """The payer presses Pay or Decline on the sandbox's page (the form's POST); the page after it."""
    with httpx.Client(follow_redirects=True, timeout=60) as client:
        page = client.get(payment_url)
        assert page.status_code == 200 and 'value="pay"' in page.text, page.text
        return client.post(payment_url, data={"action": action})


def sandbox_notifications(invoice_id: str, kind: str = "") -> list[dict[str, Any]]:
    reply = httpx.get(f"{SANDBOX}/sandbox/notifications", params={"invoiceId": invoice_id, "kind": kind}, timeout=10)
    reply.raise_for_status()
    found: list[dict[str, Any]] = reply.json()["notifications"]
    return found


def sandbox_orders(invoice_id: str) -> list[dict[str, Any]]:
    reply = httpx.get(f"{SANDBOX}/sandbox/orders", params={"invoiceId": invoice_id}, timeout=10)
    reply.raise_for_status()
    found: list[dict[str, Any]] = reply.json()["orders"]
    return found


def inject_fault(method: str, mode: str, *, times: int = 1, seconds: float = 30,
                 match: dict[str, str] | None = None) -> None:
    """Make the next `times` calls of `method` at the sandbox fail; `match` scopes it to
    requests with those parameters (others may be using the same sandbox)."""
    httpx.post(f"{SANDBOX}/sandbox/faults", json={"method": method, "mode": mode, "times": times,
                                                  "seconds": seconds, "match": match or {}},
               timeout=10).raise_for_status()


def clear_faults() -> None:
    httpx.delete(f"{SANDBOX}/sandbox/faults", timeout=10).raise_for_status()


def outbox(order_id: str, topic: str) -> list[bytes]:
    """The payload of each event payment-service staged for an order (its database is
    the record of what it published; the relay sends each row once)."""
    with psycopg.connect(PAYMENT_DATABASE) as conn:
        rows = conn.execute("SELECT payload FROM outbox WHERE key = %s AND topic = %s ORDER BY id",
                            (order_id.encode(), topic)).fetchall()
    return [bytes(r[0]) for r in rows]


def recorded_transactions(order_id: str) -> list[tuple[str, str]]:
    """(kind, transaction id) of every provider transaction recorded for an order."""
    with psycopg.connect(PAYMENT_DATABASE) as conn:
        rows = conn.execute("SELECT t.kind, t.transaction_id FROM payment_transactions t JOIN payments p "
                            "ON p.id = t.payment_id WHERE p.order_id = %s ORDER BY t.create_time",
                            (order_id,)).fetchall()
    return [(r[0], r[1]) for r in rows]
