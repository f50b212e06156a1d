"""The CloudPayments API client behind the PaymentProvider port: timeouts, bounded
retries with backoff (safe: every request carries an X-Request-ID, which CloudPayments
answers with the first outcome), and a circuit breaker (purgatory) so that a provider
that is down costs callers a fast UNAVAILABLE instead of a timeout each."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from prometheus_client import Counter, Gauge
from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.messages.base import Event
from purgatory.domain.model import OpenedState

from services.payment.adapters.cloudpayments.money import to_rubles
from services.payment.domain.model import Invoice, Payment
from services.payment.service_layer.ports import ProviderRejected, ProviderUnavailable
from services.runtime.logging import get_logger

log = get_logger(__name__)

NAME = "cloudpayments"
_CIRCUIT = "cloudpayments-api"
CALLS = Counter("payment_provider_calls_total", "Calls to the payment provider's API, by outcome",
                ["provider", "method", "outcome"])
CIRCUIT_OPEN = Gauge("payment_provider_circuit_open", "1 while calls to the provider fail fast", ["provider"])


def _on_breaker(name: str, kind: str, event: Event) -> None:
    if kind == "state_changed":
        state = getattr(event, "state", "")
        CIRCUIT_OPEN.labels(NAME).set(1 if state == "opened" else 0)
        (log.warning if state == "opened" else log.info)("provider circuit " + str(state), circuit=name)


class CloudPaymentsApi:
    name = NAME

    def __init__(self, base_url: str, public_id: str, api_secret: str, *, timeout_seconds: float = 5.0,
                 attempts: int = 3, backoff_seconds: float = 0.2, breaker_threshold: int = 5,
                 breaker_reset_seconds: float = 30.0, transport: httpx.AsyncBaseTransport | None = None) -> None:
        if not (base_url and public_id and api_secret):
            raise ValueError("CloudPayments base URL, Public ID and API secret must all be configured")
        self._http = httpx.AsyncClient(base_url=base_url.rstrip("/") + "/", auth=(public_id, api_secret),
                                       timeout=httpx.Timeout(timeout_seconds, connect=min(timeout_seconds, 2.0)),
                                       transport=transport)
        self._attempts = attempts
        self._backoff = backoff_seconds
        # A refusal (Success: false) is an answer, not an outage: it does not trip the breaker.
        self._breakers = AsyncCircuitBreakerFactory(default_threshold=breaker_threshold,
                                                    default_ttl=breaker_reset_seconds, exclude=[ProviderRejected])
        self._breakers.add_listener(_on_breaker)

    async def close(self) -> None:
        await self._http.aclose()

    async def _call_once(self, method: str, payload: dict[str, Any], request_id: str) -> dict[str, Any]:
        try:
            model = await self._call_guarded(method, payload, request_id)
        except ProviderRejected:
            CALLS.labels(NAME, method, "refused").inc()
            raise
        except ProviderUnavailable as exc:
            CALLS.labels(NAME, method, "fast_fail" if isinstance(exc.__cause__, OpenedState) else "failed").inc()
            raise
        CALLS.labels(NAME, method, "ok").inc()
        return model

    async def _call_guarded(self, method: str, payload: dict[str, Any], request_id: str) -> dict[str, Any]:
        breaker = await self._breakers.get_breaker(_CIRCUIT)
        try:
            async with breaker:
                try:
                    response = await self._http.post(method, json=payload, headers={"X-Request-ID": request_id})
                except httpx.HTTPError as exc:  # timeouts, refused connections, broken replies
                    raise ProviderUnavailable(f"{method}: {type(exc).__name__}: {exc}".rstrip(": ")) from exc
                if response.status_code != 200:
                    raise ProviderUnavailable(f"{method}: HTTP {response.status_code}")
                try:
                    reply: dict[str, Any] = response.json()
                except ValueError as exc:
                    raise ProviderUnavailable(f"{method}: reply is not JSON") from exc
                if not reply.get("Success"):
                    raise ProviderRejected(reply.get("Message") or f"{method} refused")
                model: dict[str, Any] = reply.get("Model") or {}
                return model
        except OpenedState as exc:
            raise ProviderUnavailable(f"{method}: circuit open after repeated failures") from exc

    async def _call(self, method: str, payload: dict[str, Any], request_id: str, *, attempts: int | None = None
                    ) -> dict[str, Any]:
        tries = attempts or self._attempts
        for attempt in range(1, tries + 1):
            try:
                return await self._call_once(method, payload, request_id)
            except ProviderUnavailable as exc:
                if attempt == tries or isinstance(exc.__cause__, OpenedState):
                    raise
                delay = self._backoff * 2 ** (attempt - 1)
                log.warning("provider call failed; retrying", method=method, attempt=attempt, retry_in=delay,
                            error=str(exc))
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def create_invoice(self, payment: Payment, *, email: str, request_id: str) -> Invoice:
        payload: dict[str, Any] = {
            "Amount": float(to_rubles(payment.amount)), "Currency": payment.currency,
            "Description": payment.description or f"Order {payment.order_id}",
            "InvoiceId": payment.order_id, "AccountId": payment.account_id,
            "RequireConfirmation": False,  # one-stage: Pay means the money is taken
        }
        if email:
            payload.update(Email=email, SendEmail=False)
        model = await self._call("orders/create", payload, request_id)
        if not model.get("Id") or not model.get("Url"):
            raise ProviderUnavailable("orders/create: reply without Id or Url")
        return Invoice(str(model["Id"]), str(model["Url"]))

    async def cancel_invoice(self, provider_invoice_id: str, *, request_id: str) -> None:
        await self._call("orders/cancel", {"Id": provider_invoice_id}, request_id, attempts=1)

    async def refund(self, transaction_id: str, amount: int, *, request_id: str) -> str:
        model = await self._call("payments/refund",
                                 {"TransactionId": int(transaction_id), "Amount": float(to_rubles(amount))},
                                 request_id)
        if not model.get("TransactionId"):
            raise ProviderUnavailable("payments/refund: reply without TransactionId")
        return str(model["TransactionId"])
