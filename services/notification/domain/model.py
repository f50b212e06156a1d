"""The things notification-service keeps: notifications, their deliveries (one per
channel and address or device), users' contacts, devices and inbox entries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from services.notification.domain.preferences import Preferences


class DeliveryState(StrEnum):
    PENDING = "pending"  # waiting for the dispatcher, or its next attempt after a failure
    SENT = "sent"
    FAILED = "failed"  # refused for good, token gone, or retries ran out
    DEFERRED = "deferred"  # held on purpose (quiet hours, the push limit) until next_attempt_time


@dataclass(frozen=True, slots=True)
class Recipient:
    """A user of ours (user_id) or a raw e-mail address."""

    user_id: str = ""
    email: str = ""


@dataclass(frozen=True, slots=True)
class QrCode:
    """A PNG QR code to attach (inline, cid:`content_id`) holding `text`."""

    text: str
    filename: str
    content_id: str


@dataclass(frozen=True, slots=True)
class MailContent:
    subject: str
    text: str
    html: str
    qr_codes: tuple[QrCode, ...] = ()


@dataclass(frozen=True, slots=True)
class PushContent:
    title: str
    body: str
    data: dict[str, str] = field(default_factory=dict)
    collapse_key: str = ""


Content = MailContent | PushContent


@dataclass(frozen=True, slots=True)
class SourceEvent:
    """The Kafka record a notification came from, kept so that a delivery that runs out of
    retries can be dead-lettered (`<topic>.dlq`) and re-driven with `kgo events dlq replay`."""

    consumer: str
    topic: str
    key: bytes
    payload: bytes
    headers: dict[str, str]

    @property
    def ce_id(self) -> str:
        return self.headers.get("ce_id", "")


@dataclass(frozen=True, slots=True)
class Notification:
    id: str
    source_key: str  # "event:<ce_id>" or "notify:<idempotency key>": one notification each
    request_hash: str
    template_id: str
    kind: str
    create_time: datetime
    source_event: SourceEvent | None = None


@dataclass(frozen=True, slots=True)
class NewDelivery:
    id: str
    notification_id: str
    channel: str  # email | push
    content: Content
    user_id: str = ""
    address: str = ""  # a raw address; "" for a user's e-mail, resolved when it is sent
    device_token: str = ""
    platform: str = ""  # fcm | apns for a push


@dataclass(frozen=True, slots=True)
class DueDelivery:
    """A delivery taken by the dispatcher, with what it needs to decide and send."""

    id: str
    notification_id: str
    channel: str
    kind: str
    content: Content
    attempts: int  # made before this one
    user_id: str = ""
    address: str = ""  # the raw address, else the user's current one ("" when unknown yet)
    device_token: str = ""
    platform: str = ""
    device_registered: bool = False
    preferences: Preferences | None = None


@dataclass(frozen=True, slots=True)
class DeliveryStatus:
    channel: str
    user_id: str
    target: str  # the address (raw, or sent to), or the device's platform
    state: DeliveryState
    attempts: int
    next_attempt_time: datetime | None
    last_error: str
    sent_time: datetime | None


@dataclass(frozen=True, slots=True)
class NotificationStatus:
    notification: Notification
    deliveries: tuple[DeliveryStatus, ...]


@dataclass(frozen=True, slots=True)
class Contact:
    """What auth-service's events told us of a user."""

    user_id: str
    email: str
    login: str = ""
    full_name: str = ""
    as_of: datetime | None = None  # the event's time: an older event never overwrites a newer one


@dataclass(frozen=True, slots=True)
class Device:
    token: str
    user_id: str
    platform: str
    locale: str
    create_time: datetime


@dataclass(frozen=True, slots=True)
class InboxItem:
    notification_id: str
    user_id: str
    template_id: str
    kind: str
    title: str
    body: str
    data: dict[str, str]
    create_time: datetime
    read_time: datetime | None = None
