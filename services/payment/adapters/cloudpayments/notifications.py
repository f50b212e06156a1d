"""CloudPayments' notifications (Check, Pay, Fail, Refund) into our terms.

The signature is verified over the raw bytes before anything is parsed. Of the fields
CloudPayments sends we read ids, amounts, currency, status and time only: card fields
(CardFirstSix, CardLastFour, CardExpDate, Token, Name, ...) are never read, so they
cannot end up stored or logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import parse_qsl

from services.payment.adapters.cloudpayments.money import to_kopecks
from services.payment.domain.model import Verdict
from services.payment.domain.notifications import (
    CheckRequested,
    MoneyReturned,
    Notification,
    PaymentDeclined,
    PaymentTaken,
)
from services.runtime import errors

# CloudPayments' answer codes (the Check codes; 0 = accepted for every notification).
CODES = {
    Verdict.ACCEPT: 0,
    Verdict.UNKNOWN_INVOICE: 10,
    Verdict.WRONG_ACCOUNT: 11,
    Verdict.WRONG_AMOUNT: 12,
    Verdict.NOT_PAYABLE: 13,
}
_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def signature(body: bytes, api_secret: str) -> str:
    """Content-HMAC of a body: base64(HMAC-SHA256(body, API secret))."""
    return base64.b64encode(hmac.new(api_secret.encode(), body, hashlib.sha256).digest()).decode()


class _Fields:
    def __init__(self, kind: str, fields: Mapping[str, str]) -> None:
        self._kind = kind
        self._fields = fields

    def text(self, name: str, *, required: bool = True) -> str:
        value = self._fields.get(name, "").strip()
        if required and not value:
            raise errors.InvalidArgument.on_field(f"body.{name}", f"a {self._kind} notification needs {name}")
        return value

    def amount(self, name: str = "Amount") -> int:
        try:
            return to_kopecks(self.text(name))
        except ValueError as exc:
            raise errors.InvalidArgument.on_field(f"body.{name}", str(exc)) from exc

    def transaction_id(self, name: str = "TransactionId") -> str:
        value = self.text(name)
        if not value.isdigit():
            raise errors.InvalidArgument.on_field(f"body.{name}", "not a transaction number")
        return value

    def time(self) -> datetime:
        value = self.text("DateTime", required=False)
        if not value:
            return datetime.now(UTC)
        try:
            return datetime.strptime(value, _TIME_FORMAT).replace(tzinfo=UTC)
        except ValueError as exc:
            raise errors.InvalidArgument.on_field("body.DateTime", f"not {_TIME_FORMAT}: {value!r}") from exc


class CloudPaymentsNotifications:
    def __init__(self, api_secret: str) -> None:
        if not api_secret:
            raise ValueError("the CloudPayments API secret is not configured")
        self._secret = api_secret

    def verify(self, body: bytes, content_hmac: str | None) -> None:
        if not content_hmac:
            raise errors.Unauthenticated("notification without its Content-HMAC signature", "SIGNATURE_MISSING")
        expected = signature(body, self._secret).encode()
        if not hmac.compare_digest(expected, content_hmac.strip().encode("utf-8", "replace")):
            raise errors.Unauthenticated("notification signature does not match its body", "SIGNATURE_INVALID")

    def decode(self, kind: str, body: bytes, signature: str | None) -> Notification:
        self.verify(body, signature)  # before a single byte of the body is interpreted
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body))
        except (UnicodeDecodeError, ValueError) as exc:
            raise errors.InvalidArgument.on_field("body", "not a form-encoded notification") from exc
        f = _Fields(kind, dict(pairs))
        order_id = f.text("InvoiceId")
        match kind:
            case "check":
                return CheckRequested(order_id, f.text("AccountId", required=False), f.amount(), f.text("Currency"),
                                      f.transaction_id())
            case "pay":
                return PaymentTaken(order_id, f.text("AccountId", required=False), f.amount(), f.text("Currency"),
                                    f.transaction_id(), f.time())
            case "fail":
                return PaymentDeclined(order_id, f.amount(), f.transaction_id(), f.time(),
                                       f.text("Reason", required=False) or "declined",
                                       f.text("ReasonCode", required=False))
            case "refund":
                return MoneyReturned(order_id, f.amount(), f.transaction_id(),
                                     f.transaction_id("PaymentTransactionId"), f.time())
        raise errors.InvalidArgument.on_field("notification", f"unknown notification {kind!r}")

    def answer(self, verdict: Verdict) -> tuple[str, bytes]:
        return "application/json", json.dumps({"code": CODES[verdict]}, separators=(",", ":")).encode()
