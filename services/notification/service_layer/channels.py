"""The delivery channels notification-service sends through (e-mail over SMTP, FCM HTTP v1,
APNs over HTTP/2). adapters/ implement them against the real protocols; the use cases only
see these types, so a provider's wire format never leaks into them.

Every sender either returns (accepted by the provider), or raises one of the errors below,
which tell the caller what to do next: retry later, drop the device token, or give up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

PushPlatform = Literal["fcm", "apns"]


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "image/png"
    data: bytes
    content_id: str | None = None  # set for inline parts referenced as cid:<content_id> in the HTML


@dataclass(frozen=True, slots=True)
class OutgoingMail:
    to: str
    subject: str
    text: str
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    # Our id of this delivery, sent as a header (X-KulturaGo-Notification) so that a
    # resent message can be recognised downstream.
    delivery_id: str = ""


@dataclass(frozen=True, slots=True)
class OutgoingPush:
    platform: PushPlatform
    token: str
    title: str
    body: str
    data: dict[str, str] = field(default_factory=dict)  # deep link etc.; strings only (FCM's rule)
    collapse_key: str | None = None
    delivery_id: str = ""


class DeliveryError(Exception):
    """Base of what a sender raises."""


class ProviderUnavailable(DeliveryError):
    """Try again later: connection refused/timeout, 429, 5xx. `retry_after` (seconds) when
    the provider said how long to wait."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TokenGone(DeliveryError):
    """The device token is dead (FCM UNREGISTERED / INVALID_ARGUMENT on the token, APNs 410
    or BadDeviceToken): delete it, do not retry."""


class Rejected(DeliveryError):
    """The provider refused this message for good (a malformed address, 4xx other than 429):
    do not retry; record why."""


class MailSender(Protocol):
    async def send(self, mail: OutgoingMail) -> None: ...


class PushSender(Protocol):
    """One per platform (FCM, APNs)."""

    async def send(self, push: OutgoingPush) -> None: ...
