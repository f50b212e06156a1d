"""What notification-service's use cases need from the outside world; adapters/ implement
it (PostgreSQL, Jinja2 templates, QR codes, LISTEN/NOTIFY) and bootstrap.py wires it. The
channels (SMTP, FCM, APNs) are in channels.py."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Protocol, Self
from zoneinfo import ZoneInfo

from services.notification.domain.model import (
    Contact,
    Device,
    DueDelivery,
    InboxItem,
    NewDelivery,
    Notification,
    NotificationStatus,
    SourceEvent,
)
from services.notification.domain.preferences import Preferences

# The current instant (aware); injected so that tests can stand inside quiet hours.
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Contacts(Protocol):
    """Users' e-mail addresses and names, as auth-service's events tell them."""

    async def upsert(self, contact: Contact) -> None:
        """Keeps the newer of this and what is stored (by `as_of`)."""
        ...

    async def get_many(self, user_ids: Sequence[str]) -> dict[str, Contact]: ...


class Devices(Protocol):
    async def register(self, device: Device, keep: int) -> Device:
        """The token is the user's now (moved from whoever had it); the user keeps at most
        `keep` devices, the least recently registered go first."""
        ...

    async def remove(self, user_id: str, token: str) -> bool:
        """False when the user has no such device."""
        ...

    async def remove_token(self, token: str) -> None:
        """The provider said the token is dead."""
        ...

    async def of_users(self, user_ids: Sequence[str]) -> dict[str, list[Device]]:
        """Newest registration first."""
        ...


class PreferencesStore(Protocol):
    async def get_many(self, user_ids: Sequence[str]) -> dict[str, Preferences]:
        """Only users who have saved any."""
        ...

    async def save(self, user_id: str, preferences: Preferences) -> None: ...


class Notifications(Protocol):
    async def by_source(self, source_key: str) -> Notification | None: ...

    async def add(self, notification: Notification, params: Mapping[str, Any]) -> None: ...

    async def status(self, notification_id: str) -> NotificationStatus | None: ...

    async def forget_before(self, before: datetime, limit: int) -> int:
        """Delete up to `limit` notifications made before `before`, with their deliveries
        and inbox entries (oldest first); how many."""
        ...

    async def take_for_dead_letter(self, notification_id: str) -> SourceEvent | None:
        """The source event, the first time one of its deliveries gives up (None after
        that, until its failed deliveries are re-armed, and for Notify's notifications)."""
        ...


class Deliveries(Protocol):
    async def add(self, deliveries: Sequence[NewDelivery], now: datetime) -> None: ...

    async def claim_due(self, now: datetime, limit: int) -> list[DueDelivery]:
        """Due deliveries no one else holds, locked in this transaction (others skip
        them), with the user's current address, preferences and device."""
        ...

    async def lease(self, ids: Sequence[str], until: datetime) -> None:
        """Taken for sending until `until` (one more attempt): another dispatcher takes
        them only if this one dies before it records the outcome."""
        ...

    async def defer(self, delivery_id: str, until: datetime, why: str) -> None: ...

    async def sent(self, sent: Sequence[tuple[str, str]], now: datetime) -> None:
        """(delivery id, target) of deliveries the providers accepted."""
        ...

    async def retry(self, delivery_id: str, attempts: int, at: datetime, error: str) -> None: ...

    async def failed(self, delivery_id: str, attempts: int, now: datetime, error: str) -> None: ...

    async def fail_pending_to(self, token: str, now: datetime, error: str) -> None:
        """Every delivery still waiting for this device token gives up."""
        ...

    async def rearm_failed(self, notification_id: str, now: datetime) -> int:
        """A notification's failed deliveries are pending again (a replayed dead letter)."""
        ...

    async def next_due(self) -> datetime | None: ...

    async def bring_forward(self, channel: str, now: datetime) -> int:
        """Deliveries of `channel` waiting to retry after a failure go now (the provider is back)."""
        ...


class PushLedger(Protocol):
    """Which notifications were pushed to a user and when (the rolling push limit)."""

    async def lock_and_read(self, user_ids: Sequence[str], since: datetime) -> dict[str, dict[str, datetime]]:
        """Until the transaction ends no other dispatcher decides these users' pushes; then,
        per user, the notifications pushed to them since `since` and when."""
        ...

    async def record(self, pushes: Sequence[tuple[str, str, datetime]]) -> None:
        """(user id, notification id, when) of pushes decided now."""
        ...

    async def forget_before(self, before: datetime) -> None: ...


class Inbox(Protocol):
    async def add(self, items: Sequence[InboxItem]) -> None: ...

    async def page(self, user_id: str, after: tuple[datetime, str] | None, limit: int) -> list[InboxItem]:
        """Newest first, after the (create_time, notification_id) position."""
        ...

    async def unread(self, user_id: str) -> int: ...

    async def mark_read(self, user_id: str, notification_id: str, now: datetime) -> InboxItem | None: ...


class UnitOfWork(Protocol):
    """One transaction: `async with` commits on success and rolls back on error."""

    @property
    def contacts(self) -> Contacts: ...

    @property
    def devices(self) -> Devices: ...

    @property
    def preferences(self) -> PreferencesStore: ...

    @property
    def notifications(self) -> Notifications: ...

    @property
    def deliveries(self) -> Deliveries: ...

    @property
    def push_ledger(self) -> PushLedger: ...

    @property
    def inbox(self) -> Inbox: ...

    async def wake_dispatcher(self) -> None:
        """Tell the dispatchers (once this commits) that deliveries are due."""
        ...

    async def dead_letter(self, event: SourceEvent, reason: str) -> None:
        """Put the event on `<topic>.dlq` (with this commit) and let its consumer take it
        again when it is replayed."""
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> bool | None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]


class MissingParameter(Exception):
    """A template needs a parameter it was not given."""

    def __init__(self, name: str) -> None:
        super().__init__(f"the template needs the parameter {name!r}")
        self.name = name


@dataclass(frozen=True, slots=True)
class Rendered:
    """One template in one language: the e-mail and the push (also the inbox entry)."""

    subject: str
    text: str
    html: str
    push_title: str
    push_body: str


class Renderer(Protocol):
    def render(self, template_id: str, locale: str, params: Mapping[str, Any], zone: ZoneInfo) -> Rendered:
        """Raises MissingParameter."""
        ...


class QrRenderer(Protocol):
    def png(self, text: str) -> bytes: ...


class Wakeup(Protocol):
    async def wait(self, seconds: float) -> None:
        """Returns when deliveries were added or brought forward, or after `seconds`."""
        ...
