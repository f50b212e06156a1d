"""Notifications as CloudPayments sends them: form-encoded bodies signed with
Content-HMAC = base64(HMAC-SHA256(body, API secret)), POSTed to the merchant's URL;
delivered when the answer is HTTP 200 with {"code": 0}, else retried with exponential
backoff a bounded number of times (each attempt logged), then abandoned (logged)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

import aiohttp

from sandboxes.cloudpayments.settings import SandboxSettings
from sandboxes.cloudpayments.store import Notification, Order, Store, Transaction

log = logging.getLogger("sandbox.cloudpayments.notifier")

# The test card every payment on the page is made with (a sandbox has no real cards).
TEST_CARD = {"CardId": "sandbox-card-1", "CardFirstSix": "424242", "CardLastFour": "4242", "CardType": "Visa",
             "CardExpDate": "12/29", "Issuer": "Sandbox Bank", "IssuerBankCountry": "RU", "CardProduct": "C",
             "Name": "SANDBOX CARDHOLDER"}
DECLINE = {"Reason": "InsufficientFunds", "ReasonCode": "5051"}


def sign(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def rubles(kopecks: int) -> str:
    return f"{kopecks // 100}.{kopecks % 100:02d}"


def _time(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S")


def payment_fields(kind: str, order: Order, transaction: Transaction) -> dict[str, str]:
    """The fields of Check, Pay or Fail for a payment attempt, in CloudPayments' order."""
    fields = {
        "TransactionId": str(transaction.id), "Amount": rubles(order.amount), "Currency": order.currency,
        "PaymentAmount": rubles(order.amount), "PaymentCurrency": order.currency,
        "OperationType": "Payment", "InvoiceId": order.invoice_id, "AccountId": order.account_id,
        "SubscriptionId": "", "Email": order.email, "DateTime": _time(transaction.created),
        "IpAddress": "127.0.0.1", "IpCountry": "RU", "IpCity": "Москва", "IpRegion": "Москва",
        "IpDistrict": "Центральный федеральный округ", "Description": order.description, "TestMode": "1",
        "GatewayName": "Test", "Data": "", "PaymentMethod": "", **TEST_CARD,
    }
    if kind in ("check", "pay"):
        fields["Status"] = "Completed"
    if kind == "pay":
        fields.update(AuthCode="A1B2C3", Token="tk_sandbox_token", TotalFee="0", Rrn=str(transaction.id)[-12:])
    if kind == "fail":
        fields.update(DECLINE)
    return fields


def refund_fields(order: Order, refund: Transaction) -> dict[str, str]:
    return {"TransactionId": str(refund.id), "PaymentTransactionId": str(refund.payment_transaction_id),
            "Amount": rubles(refund.amount), "DateTime": _time(refund.created), "OperationType": "Refund",
            "InvoiceId": order.invoice_id, "AccountId": order.account_id, "Email": order.email, "Data": "",
            "Rrn": str(refund.id)[-12:]}


@dataclass(frozen=True)
class Delivery:
    delivered: bool
    code: int | None  # the merchant's {"code": N}, when it answered one
    result: str  # what happened, for the page and the log


class Notifier:
    def __init__(self, settings: SandboxSettings, store: Store) -> None:
        self._settings = settings
        self._store = store
        self._session: aiohttp.ClientSession | None = None
        self._in_flight: set[int] = set()
        self._wake = asyncio.Event()

    async def start(self) -> None:
        timeout = aiohttp.ClientTimeout(total=self._settings.notify_timeout_seconds)
        self._session = aiohttp.ClientSession(timeout=timeout)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    def url(self, kind: str) -> str:
        separator = "&" if "?" in self._settings.notify_url else "?"
        return f"{self._settings.notify_url}{separator}notification={kind}"

    def build(self, kind: str, fields: dict[str, str], order: Order, transaction_id: int) -> Notification:
        body = urlencode(fields).encode()
        return self._store.add_notification(kind=kind, url=self.url(kind), body=body,
                                            hmac=sign(body, self._settings.api_secret), order=order,
                                            transaction_id=transaction_id)

    async def post(self, notification: Notification) -> Delivery:
        """One attempt: POST the signed body as CloudPayments does."""
        assert self._session is not None, "start() first"
        headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                   "Content-HMAC": notification.hmac, "X-Content-HMAC": notification.hmac}
        try:
            async with self._session.post(notification.url, data=notification.body, headers=headers) as response:
                text = await response.text()
                code = None
                try:
                    code = int(json.loads(text)["code"]) if response.status == 200 else None
                except (ValueError, KeyError, TypeError):
                    pass
                delivered = response.status == 200 and code == 0
                return Delivery(delivered, code, f"HTTP {response.status} {text[:200]}")
        except (aiohttp.ClientError, TimeoutError) as exc:
            return Delivery(False, None, f"{type(exc).__name__}: {exc}".strip(": "))

    async def deliver(self, notification: Notification, *, retry: bool = True) -> Delivery:
        """An attempt now; when it fails and `retry`, later ones with backoff (the worker)."""
        self._in_flight.add(notification.id)
        try:
            outcome = await self.post(notification)
        finally:
            self._in_flight.discard(notification.id)
        attempts = notification.attempts + 1
        s = self._settings
        if outcome.delivered:
            state, next_at = "delivered", 0.0
        elif retry and attempts < s.retry_attempts:
            state = "pending"
            next_at = time.time() + min(s.retry_max_seconds, s.retry_initial_seconds * 2 ** (attempts - 1))
        else:
            state, next_at = ("abandoned" if retry else "answered"), 0.0
        self._store.attempted(notification.id, state=state, result=outcome.result, next_at=next_at)
        level = logging.INFO if outcome.delivered or not retry else logging.WARNING
        log.log(level, "notification %s #%d (transaction %d, invoice %s) attempt %d: %s -> %s", notification.kind,
                notification.id, notification.transaction_id, notification.invoice_id, attempts, outcome.result,
                state)
        if state == "abandoned":
            log.error("notification %s #%d abandoned after %d attempts", notification.kind, notification.id,
                      attempts)
        if state == "pending":
            self._wake.set()
        return outcome

    async def run(self) -> None:
        """Deliver due notifications (retries, and any left pending by a restart) forever."""
        while True:
            due = [n for n in self._store.due_notifications(time.time()) if n.id not in self._in_flight]
            if due:
                await asyncio.gather(*(self.deliver(n) for n in due))
                continue
            next_at = self._store.next_due()
            wait = 5.0 if next_at is None else max(0.05, min(5.0, next_at - time.time()))
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), wait)
            except TimeoutError:
                pass
