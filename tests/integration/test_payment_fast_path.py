"""payment-service's fast path to ticketing (services/payment/adapters/ticketing_client.py)
is best effort: a ticketing that cannot be reached costs the caller nothing (the
provider's notification is answered as usual) and is only counted; payment.succeeded in
the outbox stays the durable path."""

from __future__ import annotations

import socket
import uuid
from datetime import UTC, datetime

from services.payment.adapters.ticketing_client import FAST_PATH, GrpcTicketing
from services.payment.domain.events import PaymentSucceeded
from services.payment.domain.model import Payment, PaymentStatus


def _succeeded() -> PaymentSucceeded:
    now = datetime.now(UTC)
    payment = Payment(id=str(uuid.uuid4()), order_id=str(uuid.uuid4()), account_id="user-1", amount=150000,
                      currency="RUB", description="Джаз", provider="cloudpayments", status=PaymentStatus.SUCCEEDED,
                      create_time=now, update_time=now, transaction_id="42")
    return PaymentSucceeded(payment, now, late=False)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens there once closed


async def test_an_unreachable_ticketing_is_counted_and_raises_nothing() -> None:
    unavailable = FAST_PATH.labels("unavailable")._value.get()
    ticketing = GrpcTicketing(f"127.0.0.1:{_closed_port()}", timeout_seconds=2.0)
    ticketing.payment_succeeded(_succeeded())  # returns at once: the call runs in the background
    await ticketing.close()  # waits for it (up to the timeout)
    assert FAST_PATH.labels("unavailable")._value.get() == unavailable + 1


async def test_beyond_the_calls_in_flight_the_news_is_left_to_kafka() -> None:
    skipped = FAST_PATH.labels("skipped")._value.get()
    ticketing = GrpcTicketing(f"127.0.0.1:{_closed_port()}", timeout_seconds=2.0, max_in_flight=2)
    for _ in range(5):
        ticketing.payment_succeeded(_succeeded())
    await ticketing.close()
    assert FAST_PATH.labels("skipped")._value.get() == skipped + 3
