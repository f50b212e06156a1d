"""What every call to a ticket vendor goes through: a per-call timeout, retries with
backoff only where the caller says a repeat is safe (reads, releases, Kassir's reserve
keyed by our order id), and one circuit breaker per vendor (purgatory, as
payment-service's CloudPayments client), so a vendor that is down costs buyers a fast
503 instead of a timeout each. Counted in ticket_vendor_calls_total{vendor, method,
outcome} with ticket_vendor_circuit_open{vendor}, like payment's provider metrics.

An answer of the vendor (2xx, and 4xx such as "seats just taken") is returned to the
adapter to interpret; it does not trip the breaker. Timeouts, refused connections and
5xx do: they raise VendorTimeout / VendorUnavailable (both `Unavailable`, 503)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
from prometheus_client import Counter, Gauge
from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.messages.base import Event
from purgatory.domain.model import OpenedState

from services.runtime.errors import Unavailable
from services.runtime.logging import get_logger

log = get_logger(__name__)

CALLS = Counter("ticket_vendor_calls_total", "Calls to ticket vendors' APIs, by outcome",
                ["vendor", "method", "outcome"])
CIRCUIT_OPEN = Gauge("ticket_vendor_circuit_open", "1 while calls to the vendor fail fast", ["vendor"])


class VendorUnavailable(Unavailable):
    """The vendor did not answer usefully (5xx, refused, circuit open): nothing is known
    to have happened there, except for a call whose outcome is unknown (see VendorTimeout)."""


class VendorTimeout(VendorUnavailable, TimeoutError):
    """No answer in time: the vendor may or may not have acted (ask it with `status`)."""


class VendorCalls:
    def __init__(self, vendor: str, *, timeout_seconds: float, attempts: int = 3, backoff_seconds: float = 0.2,
                 breaker_threshold: int = 5, breaker_reset_seconds: float = 30.0) -> None:
        self.vendor = vendor
        self.timeout = httpx.Timeout(timeout_seconds, connect=min(timeout_seconds, 2.0))
        self._attempts = attempts
        self._backoff = backoff_seconds
        self._breakers = AsyncCircuitBreakerFactory(default_threshold=breaker_threshold,
                                                    default_ttl=breaker_reset_seconds)
        self._breakers.add_listener(self._on_breaker)
        CIRCUIT_OPEN.labels(vendor).set(0)

    def _on_breaker(self, name: str, kind: str, event: Event) -> None:
        if kind == "state_changed":
            state = getattr(event, "state", "")
            CIRCUIT_OPEN.labels(self.vendor).set(1 if state == "opened" else 0)
            (log.warning if state == "opened" else log.info)("vendor circuit " + str(state), vendor=self.vendor)

    async def call(self, method: str, send: Callable[[], Awaitable[httpx.Response]], *,
                   safe_to_repeat: bool) -> httpx.Response:
        tries = self._attempts if safe_to_repeat else 1
        for attempt in range(1, tries + 1):
            try:
                response = await self._once(method, send)
            except VendorUnavailable as exc:
                if attempt == tries or isinstance(exc.__cause__, OpenedState):
                    raise
                delay = self._backoff * 2 ** (attempt - 1)
                log.warning("vendor call failed; retrying", vendor=self.vendor, method=method, attempt=attempt,
                            retry_in=delay, error=str(exc))
                await asyncio.sleep(delay)
                continue
            CALLS.labels(self.vendor, method, "ok" if response.status_code < 400 else "refused").inc()
            return response
        raise AssertionError("unreachable")

    async def _once(self, method: str, send: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response:
        # A call we cancelled ourselves (our caller stopped waiting) says nothing about the
        # vendor: it must not count towards opening the circuit.
        breaker = await self._breakers.get_breaker(f"{self.vendor}-api", exclude=[asyncio.CancelledError])
        try:
            async with breaker:
                try:
                    response = await send()
                except httpx.TimeoutException as exc:
                    CALLS.labels(self.vendor, method, "timeout").inc()
                    raise VendorTimeout(f"{self.vendor} {method}: no answer in time", "VENDOR_TIMEOUT",
                                        {"vendor": self.vendor}) from exc
                except httpx.HTTPError as exc:
                    CALLS.labels(self.vendor, method, "failed").inc()
                    raise VendorUnavailable(f"{self.vendor} {method}: {type(exc).__name__}", "VENDOR_UNAVAILABLE",
                                            {"vendor": self.vendor}) from exc
                if response.status_code >= 500:
                    CALLS.labels(self.vendor, method, "failed").inc()
                    raise VendorUnavailable(f"{self.vendor} {method}: HTTP {response.status_code}",
                                            "VENDOR_UNAVAILABLE", {"vendor": self.vendor})
                return response
        except OpenedState as exc:
            CALLS.labels(self.vendor, method, "fast_fail").inc()
            raise VendorUnavailable(f"{self.vendor} is failing: calls stopped for a while (circuit open)",
                                    "VENDOR_CIRCUIT_OPEN", {"vendor": self.vendor}) from exc
