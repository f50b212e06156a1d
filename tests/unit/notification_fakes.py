"""In-memory fakes of notification-service's ports (services/notification/service_layer/
ports.py and channels.py), for unit tests of its use cases. They keep the adapters'
contracts: writes, wake-ups and dead letters survive only a commit; a claimed delivery is
invisible to the next claim until its lease runs out; one notification per source."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType
from typing import Any, Self
from zoneinfo import ZoneInfo

from services.notification.domain.model import (
    Contact,
    DeliveryState,
    DeliveryStatus,
    Device,
    DueDelivery,
    InboxItem,
    NewDelivery,
    Notification,
    NotificationStatus,
    SourceEvent,
)
from services.notification.domain.preferences import Preferences
from services.notification.service_layer.channels import OutgoingMail, OutgoingPush
from services.notification.service_layer.ports import MissingParameter, Rendered
from services.runtime.errors import TransactionConflict


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Row:
    """A delivery as the table holds it."""

    new: NewDelivery
    state: DeliveryState = DeliveryState.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    lease_until: datetime | None = None
    last_error: str = ""
    sent_to: str = ""
    sent_at: datetime | None = None


@dataclass
class State:
    contacts: dict[str, Contact] = field(default_factory=dict)
    devices: dict[str, Device] = field(default_factory=dict)
    preferences: dict[str, Preferences] = field(default_factory=dict)
    notifications: dict[str, Notification] = field(default_factory=dict)
    dead_lettered: set[str] = field(default_factory=set)
    deliveries: dict[str, Row] = field(default_factory=dict)
    ledger: dict[tuple[str, str], datetime] = field(default_factory=dict)
    inbox: dict[tuple[str, str], InboxItem] = field(default_factory=dict)
    wakes: int = 0
    dead_letters: list[tuple[SourceEvent, str]] = field(default_factory=list)


@dataclass
class FakeDatabase:
    state: State = field(default_factory=State)


class _Repo:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def s(self) -> State:
        return self._uow.state


class FakeContacts(_Repo):
    async def upsert(self, contact: Contact) -> None:
        known = self.s.contacts.get(contact.user_id)
        # No time is the earliest time, as -infinity is in the table.
        if known is None or known.as_of is None or (contact.as_of is not None and known.as_of <= contact.as_of):
            self.s.contacts[contact.user_id] = contact

    async def get_many(self, user_ids: Sequence[str]) -> dict[str, Contact]:
        return {u: self.s.contacts[u] for u in user_ids if u in self.s.contacts}


class FakeDevices(_Repo):
    async def register(self, device: Device, keep: int) -> Device:
        self.s.devices[device.token] = device
        mine = sorted((d for d in self.s.devices.values() if d.user_id == device.user_id),
                      key=lambda d: d.create_time, reverse=True)
        for old in mine[keep:]:
            del self.s.devices[old.token]
        return device

    async def remove(self, user_id: str, token: str) -> bool:
        device = self.s.devices.get(token)
        if device is None or device.user_id != user_id:
            return False
        del self.s.devices[token]
        return True

    async def remove_token(self, token: str) -> None:
        self.s.devices.pop(token, None)

    async def of_users(self, user_ids: Sequence[str]) -> dict[str, list[Device]]:
        found: dict[str, list[Device]] = {}
        for device in sorted(self.s.devices.values(), key=lambda d: d.create_time, reverse=True):
            if device.user_id in user_ids:
                found.setdefault(device.user_id, []).append(device)
        return found


class FakePreferences(_Repo):
    async def get_many(self, user_ids: Sequence[str]) -> dict[str, Preferences]:
        return {u: self.s.preferences[u] for u in user_ids if u in self.s.preferences}

    async def save(self, user_id: str, preferences: Preferences) -> None:
        self.s.preferences[user_id] = preferences


class FakeNotifications(_Repo):
    async def by_source(self, source_key: str) -> Notification | None:
        return next((n for n in self.s.notifications.values() if n.source_key == source_key), None)

    async def add(self, notification: Notification, params: Mapping[str, Any]) -> None:
        if await self.by_source(notification.source_key) is not None:
            raise TransactionConflict(notification.source_key)
        self.s.notifications[notification.id] = notification

    async def status(self, notification_id: str) -> NotificationStatus | None:
        n = self.s.notifications.get(notification_id)
        if n is None:
            return None
        rows = [r for r in self.s.deliveries.values() if r.new.notification_id == notification_id]
        return NotificationStatus(n, tuple(DeliveryStatus(
            r.new.channel, r.new.user_id, r.sent_to or r.new.address or r.new.platform, r.state, r.attempts,
            r.next_attempt_at, r.last_error, r.sent_at) for r in rows))

    async def forget_before(self, before: datetime, limit: int) -> int:
        old = sorted((n for n in self.s.notifications.values() if n.create_time < before),
                     key=lambda n: n.create_time)[:limit]
        for n in old:
            del self.s.notifications[n.id]
            self.s.deliveries = {k: r for k, r in self.s.deliveries.items() if r.new.notification_id != n.id}
            self.s.inbox = {k: i for k, i in self.s.inbox.items() if i.notification_id != n.id}
        return len(old)

    async def take_for_dead_letter(self, notification_id: str) -> SourceEvent | None:
        n = self.s.notifications[notification_id]
        if n.source_event is None or notification_id in self.s.dead_lettered:
            return None
        self.s.dead_lettered.add(notification_id)
        return n.source_event


class FakeDeliveries(_Repo):
    async def add(self, deliveries: Sequence[NewDelivery], now: datetime) -> None:
        for d in deliveries:
            self.s.deliveries[d.id] = Row(d, next_attempt_at=now)

    def _due(self, row: Row, now: datetime) -> bool:
        return (row.state in (DeliveryState.PENDING, DeliveryState.DEFERRED) and row.next_attempt_at is not None
                and row.next_attempt_at <= now and (row.lease_until is None or row.lease_until <= now))

    async def claim_due(self, now: datetime, limit: int) -> list[DueDelivery]:
        due = sorted((r for r in self.s.deliveries.values() if self._due(r, now)),
                     key=lambda r: r.next_attempt_at or now)[:limit]
        found = []
        for r in due:
            d = r.new
            contact = self.s.contacts.get(d.user_id)
            device = self.s.devices.get(d.device_token)
            found.append(DueDelivery(
                id=d.id, notification_id=d.notification_id, channel=d.channel,
                kind=self.s.notifications[d.notification_id].kind, content=d.content, attempts=r.attempts,
                user_id=d.user_id, address=d.address or (contact.email if contact else ""),
                device_token=d.device_token, platform=d.platform,
                device_registered=device is not None and device.user_id == d.user_id,
                preferences=self.s.preferences.get(d.user_id)))
        return found

    async def lease(self, ids: Sequence[str], until: datetime) -> None:
        for i in ids:
            row = self.s.deliveries[i]
            row.lease_until, row.attempts, row.state = until, row.attempts + 1, DeliveryState.PENDING

    async def defer(self, delivery_id: str, until: datetime, why: str) -> None:
        row = self.s.deliveries[delivery_id]
        row.state, row.next_attempt_at, row.last_error, row.lease_until = DeliveryState.DEFERRED, until, why, None

    async def sent(self, sent: Sequence[tuple[str, str]], now: datetime) -> None:
        for delivery_id, target in sent:
            row = self.s.deliveries[delivery_id]
            row.state, row.sent_at, row.sent_to, row.lease_until, row.last_error = \
                DeliveryState.SENT, now, target, None, ""

    async def retry(self, delivery_id: str, attempts: int, at: datetime, error: str) -> None:
        row = self.s.deliveries[delivery_id]
        row.state, row.attempts, row.next_attempt_at, row.last_error, row.lease_until = \
            DeliveryState.PENDING, attempts, at, error, None

    async def failed(self, delivery_id: str, attempts: int, now: datetime, error: str) -> None:
        row = self.s.deliveries[delivery_id]
        row.state, row.attempts, row.last_error, row.lease_until = DeliveryState.FAILED, attempts, error, None

    async def fail_pending_to(self, token: str, now: datetime, error: str) -> None:
        for row in self.s.deliveries.values():
            if (row.new.device_token == token and row.state in (DeliveryState.PENDING, DeliveryState.DEFERRED)
                    and row.lease_until is None):
                row.state, row.last_error = DeliveryState.FAILED, error

    async def rearm_failed(self, notification_id: str, now: datetime) -> int:
        count = 0
        for row in self.s.deliveries.values():
            if row.new.notification_id == notification_id and row.state is DeliveryState.FAILED:
                row.state, row.attempts, row.next_attempt_at, row.last_error = DeliveryState.PENDING, 0, now, ""
                count += 1
        self.s.dead_lettered.discard(notification_id)
        return count

    async def next_due(self) -> datetime | None:
        times = [max(r.next_attempt_at, r.lease_until or r.next_attempt_at) for r in self.s.deliveries.values()
                 if r.state in (DeliveryState.PENDING, DeliveryState.DEFERRED) and r.next_attempt_at]
        return min(times, default=None)

    async def bring_forward(self, channel: str, now: datetime) -> int:
        count = 0
        for row in self.s.deliveries.values():
            if (row.new.channel == channel and row.state is DeliveryState.PENDING and row.attempts > 0
                    and row.lease_until is None and row.next_attempt_at and row.next_attempt_at > now):
                row.next_attempt_at = now
                count += 1
        return count


class FakePushLedger(_Repo):
    async def lock_and_read(self, user_ids: Sequence[str], since: datetime) -> dict[str, dict[str, datetime]]:
        return {u: {n: at for (user, n), at in self.s.ledger.items() if user == u and at > since} for u in user_ids}

    async def record(self, pushes: Sequence[tuple[str, str, datetime]]) -> None:
        for user_id, notification_id, at in pushes:
            self.s.ledger.setdefault((user_id, notification_id), at)

    async def forget_before(self, before: datetime) -> None:
        self.s.ledger = {k: at for k, at in self.s.ledger.items() if at >= before}


class FakeInbox(_Repo):
    async def add(self, items: Sequence[InboxItem]) -> None:
        for item in items:
            self.s.inbox.setdefault((item.notification_id, item.user_id), item)

    async def page(self, user_id: str, after: tuple[datetime, str] | None, limit: int) -> list[InboxItem]:
        mine = sorted((i for i in self.s.inbox.values() if i.user_id == user_id),
                      key=lambda i: (i.create_time, i.notification_id), reverse=True)
        if after is not None:
            mine = [i for i in mine if (i.create_time, i.notification_id) < after]
        return mine[:limit]

    async def unread(self, user_id: str) -> int:
        return sum(1 for i in self.s.inbox.values() if i.user_id == user_id and i.read_time is None)

    async def mark_read(self, user_id: str, notification_id: str, now: datetime) -> InboxItem | None:
        item = self.s.inbox.get((notification_id, user_id))
        if item is None:
            return None
        item = replace(item, read_time=item.read_time or now)
        self.s.inbox[(notification_id, user_id)] = item
        return item


class FakeUnitOfWork:
    """Works on a copy of the database's state; the copy becomes the state on commit."""

    def __init__(self, db: FakeDatabase) -> None:
        self._db = db
        self.state = db.state
        self.contacts = FakeContacts(self)
        self.devices = FakeDevices(self)
        self.preferences = FakePreferences(self)
        self.notifications = FakeNotifications(self)
        self.deliveries = FakeDeliveries(self)
        self.push_ledger = FakePushLedger(self)
        self.inbox = FakeInbox(self)

    async def wake_dispatcher(self) -> None:
        self.state.wakes += 1

    async def dead_letter(self, event: SourceEvent, reason: str) -> None:
        self.state.dead_letters.append((event, reason))

    async def __aenter__(self) -> Self:
        self.state = copy.deepcopy(self._db.state)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if exc is None:
            self._db.state = self.state


class RecordingMail:
    """A mail channel that records what it sent, or raises the errors queued in `fail`."""

    def __init__(self) -> None:
        self.sent: list[OutgoingMail] = []
        self.fail: list[Exception] = []

    async def send(self, mail: OutgoingMail) -> None:
        if self.fail:
            raise self.fail.pop(0)
        self.sent.append(mail)


class RecordingPush:
    def __init__(self) -> None:
        self.sent: list[OutgoingPush] = []
        self.fail: list[Exception] = []

    async def send(self, push: OutgoingPush) -> None:
        if self.fail:
            raise self.fail.pop(0)
        self.sent.append(push)


class FakeRenderer:
    """Renders `<template>/<locale>: <params>`; a template needs the params in `needs`."""

    def __init__(self, needs: Mapping[str, Sequence[str]] | None = None) -> None:
        self.needs = dict(needs or {})

    def render(self, template_id: str, locale: str, params: Mapping[str, Any], zone: ZoneInfo) -> Rendered:
        for name in self.needs.get(template_id, ()):
            if name not in params:
                raise MissingParameter(name)
        title = params.get("title", template_id)
        return Rendered(subject=f"{template_id}/{locale}", text=f"{locale}: {title}", html=f"<p>{title}</p>",
                        push_title=f"{template_id}/{locale}", push_body=str(title))


class FakeQr:
    def png(self, text: str) -> bytes:
        return b"PNG:" + text.encode()


class FakeWakeup:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def wait(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)  # a real wait suspends; without it the loop would never let others run
