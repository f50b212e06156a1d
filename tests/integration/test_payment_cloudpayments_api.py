"""payment-service's CloudPayments client (services/payment/adapters/cloudpayments/api.py)
against the CloudPayments sandbox: HTTP Basic credentials, X-Request-ID idempotency, retries
with backoff on 5xx, a timeout on a stalled provider, the circuit breaker failing fast,
refusals passed on as refusals, refunds by TransactionId."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from payment_support import SANDBOX, credentials, inject_fault, sandbox_orders

from services.payment.adapters.cloudpayments.api import CloudPaymentsApi
from services.payment.domain.model import NewPayment, Payment
from services.payment.service_layer.ports import ProviderRejected, ProviderUnavailable


def payment(amount: int = 150050) -> Payment:
    new = NewPayment(f"api-{uuid.uuid4().hex[:10]}", "buyer-1", amount, "RUB", "Джаз на крыше")
    return new.payment(str(uuid.uuid4()), "cloudpayments", datetime.now(UTC))


@pytest.fixture
async def api() -> AsyncIterator[CloudPaymentsApi]:
    public_id, secret = credentials()
    client = CloudPaymentsApi(SANDBOX, public_id, secret, timeout_seconds=1.0, attempts=3, backoff_seconds=0.05,
                              breaker_threshold=3, breaker_reset_seconds=1.0)
    yield client
    await client.close()


def fail(p: Payment, mode: str, *, times: int = 1, seconds: float = 30) -> None:
    """A fault of the sandbox's orders/create for this payment's requests only."""
    inject_fault("orders/create", mode, times=times, seconds=seconds, match={"InvoiceId": p.order_id})


async def test_create_invoice_returns_the_payers_page(api: CloudPaymentsApi) -> None:
    p = payment()
    invoice = await api.create_invoice(p, email="buyer@example.com", request_id=f"{p.id}:create")
    assert invoice.payment_url == f"{SANDBOX}/pay/{invoice.provider_invoice_id}"
    [order] = sandbox_orders(p.order_id)
    assert (order["Amount"], order["AccountId"], order["Status"]) == (1500.5, "buyer-1", "Created")
    async with httpx.AsyncClient() as http:
        assert "1500.50 RUB" in (await http.get(invoice.payment_url)).text


async def test_a_repeated_request_id_makes_one_invoice(api: CloudPaymentsApi) -> None:
    p = payment()
    first = await api.create_invoice(p, email="", request_id=f"{p.id}:create")
    again = await api.create_invoice(p, email="", request_id=f"{p.id}:create")
    assert again == first and len(sandbox_orders(p.order_id)) == 1


async def test_server_errors_are_retried_with_backoff(api: CloudPaymentsApi) -> None:
    p = payment()
    fail(p, "error", times=2)
    assert (await api.create_invoice(p, email="", request_id=f"{p.id}:create")).payment_url


async def test_a_stalled_provider_times_out_and_the_retry_finds_the_same_invoice(api: CloudPaymentsApi) -> None:
    p = payment()
    fail(p, "stall", times=3, seconds=1.5)
    started = time.monotonic()
    with pytest.raises(ProviderUnavailable):
        await api.create_invoice(p, email="", request_id=f"{p.id}:create")
    assert time.monotonic() - started < 5  # 3 attempts of 1 s, not 3 x 1.5 s of waiting
    await asyncio.sleep(1)  # the stalled requests complete at the sandbox: it made the invoice once
    invoice = await api.create_invoice(p, email="", request_id=f"{p.id}:create")
    [order] = sandbox_orders(p.order_id)
    assert order["Id"] == invoice.provider_invoice_id


async def test_the_circuit_opens_after_repeated_failures_then_recovers(api: CloudPaymentsApi) -> None:
    first, second = payment(), payment()
    fail(first, "error", times=3)
    with pytest.raises(ProviderUnavailable):
        await api.create_invoice(first, email="", request_id=str(uuid.uuid4()))
    fail(second, "error", times=1)  # would fail again: the open circuit never sends it
    started = time.monotonic()
    with pytest.raises(ProviderUnavailable, match="circuit open"):
        await api.create_invoice(second, email="", request_id=str(uuid.uuid4()))
    assert time.monotonic() - started < 0.5 and sandbox_orders(second.order_id) == []
    await asyncio.sleep(1.1)  # breaker_reset_seconds: one trial call goes through and closes it
    assert (await api.create_invoice(payment(), email="", request_id=str(uuid.uuid4()))).payment_url


async def test_a_refusal_is_an_answer_not_an_outage(api: CloudPaymentsApi) -> None:
    for _ in range(5):  # more than the breaker's threshold: refusals do not open it
        refused = payment()
        fail(refused, "refuse")
        with pytest.raises(ProviderRejected, match="fault injection"):
            await api.create_invoice(refused, email="", request_id=str(uuid.uuid4()))
    assert (await api.create_invoice(payment(), email="", request_id=str(uuid.uuid4()))).payment_url


async def test_wrong_credentials_are_refused() -> None:
    public_id, _ = credentials()
    client = CloudPaymentsApi(SANDBOX, public_id, "wrong-secret", attempts=1)
    with pytest.raises(ProviderUnavailable, match="HTTP 401"):
        await client.create_invoice(payment(), email="", request_id=str(uuid.uuid4()))
    await client.close()


async def test_refund_of_an_unknown_transaction_is_refused(api: CloudPaymentsApi) -> None:
    with pytest.raises(ProviderRejected, match="not found"):
        await api.refund("1", 100, request_id=str(uuid.uuid4()))


async def test_cancel_closes_the_page(api: CloudPaymentsApi) -> None:
    p = payment()
    invoice = await api.create_invoice(p, email="", request_id=str(uuid.uuid4()))
    await api.cancel_invoice(invoice.provider_invoice_id, request_id=str(uuid.uuid4()))
    async with httpx.AsyncClient() as http:
        page = (await http.get(invoice.payment_url)).text
    assert 'data-status="Cancelled"' in page and 'value="pay"' not in page
