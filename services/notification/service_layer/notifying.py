"""Making a notification: who gets it, on which channels, in which language. The
dispatcher (dispatching.py) sends what is made here.

A notification is made once per source (an event's ce_id, a Notify idempotency key),
whatever the number of times the source arrives; a replayed dead letter re-arms the
deliveries that had failed, never the ones sent."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from services.notification.domain.catalog import kind_of
from services.notification.domain.model import (
    Contact,
    Device,
    InboxItem,
    MailContent,
    NewDelivery,
    Notification,
    NotificationStatus,
    PushContent,
    QrCode,
    Recipient,
    SourceEvent,
)
from services.notification.domain.preferences import Preferences, zone
from services.notification.service_layer.ports import (
    Clock,
    MissingParameter,
    Rendered,
    Renderer,
    UnitOfWork,
    UnitOfWorkFactory,
    utc_now,
)
from services.runtime.errors import InvalidArgument, NotFound
from services.runtime.logging import get_logger
from services.runtime.transactions import retrying

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class NotifyCommand:
    source_key: str  # "event:<ce_id>" | "notify:<idempotency key>"
    template_id: str
    recipients: Sequence[Recipient]
    channels: frozenset[str]
    params: Mapping[str, Any] = field(default_factory=dict)
    # Words given per language (a badge's name, a campaign's text): over `params` in that language.
    params_by_locale: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    data: Mapping[str, str] = field(default_factory=dict)  # what the app opens (push data, inbox)
    qr_codes: Sequence[QrCode] = ()  # attached to the e-mail
    request_hash: str = ""  # Notify: the same key must come with the same request
    source_event: SourceEvent | None = None  # the Kafka record, for the DLQ
    occurred_at: datetime | None = None  # when its event happened (ce_time)


@dataclass(frozen=True, slots=True)
class Defaults:
    locale: str = "ru"
    time_zone: str = "Europe/Moscow"


class Notifier:
    def __init__(self, unit_of_work: UnitOfWorkFactory, renderer: Renderer, *, defaults: Defaults = Defaults(),
                 max_event_age: timedelta | None = None, clock: Clock = utc_now) -> None:
        self._uow = unit_of_work
        self._renderer = renderer
        self._defaults = defaults
        # News older than this is not worth telling (a consumer that starts on a topic's
        # whole history, or catches up after a long outage, must not mail last month's tickets).
        self._max_age = max_event_age
        self._clock = clock

    async def notify(self, command: NotifyCommand, uow: UnitOfWork | None = None) -> str:
        """The notification's id ("" when its event is too old to tell). `uow`: the caller's
        open transaction (a Kafka handler's, so the notification commits with the inbox
        row); else one of its own."""
        if self._stale(command):
            log.info("event too old to notify of", template=command.template_id, source=command.source_key,
                     occurred_at=str(command.occurred_at))
            return ""
        self._check_renders(command)
        if uow is not None:
            return await self._notify(uow, command)

        async def attempt() -> str:
            async with self._uow() as own:
                return await self._notify(own, command)

        return await retrying(attempt)

    async def status(self, notification_id: str) -> NotificationStatus:
        async with self._uow() as uow:
            found = await uow.notifications.status(notification_id)
        if found is None:
            raise NotFound(f"no notification {notification_id}", "NOTIFICATION_NOT_FOUND")
        return found

    def _stale(self, command: NotifyCommand) -> bool:
        return (self._max_age is not None and command.occurred_at is not None
                and self._clock() - command.occurred_at > self._max_age)

    def _check_renders(self, command: NotifyCommand) -> None:
        """Bad parameters are the caller's error, told before anything is stored."""
        self._render(command, self._defaults.locale, self._defaults.time_zone, "")

    def _render(self, command: NotifyCommand, locale: str, time_zone: str, name: str) -> Rendered:
        try:
            params = {"name": name, **command.params, **command.params_by_locale.get(locale, {})}
            return self._renderer.render(command.template_id, locale, params, zone(time_zone))
        except MissingParameter as missing:
            raise InvalidArgument.on_field("parameters", f"the template {command.template_id!r} needs "
                                                         f"{missing.name!r}", "TEMPLATE_PARAMETER_MISSING") from None

    async def _notify(self, uow: UnitOfWork, command: NotifyCommand) -> str:
        now = self._clock()
        existing = await uow.notifications.by_source(command.source_key)
        if existing is not None:
            if command.request_hash and existing.request_hash != command.request_hash:
                raise InvalidArgument.on_field("idempotencyKey", "already used for another request",
                                               "IDEMPOTENCY_KEY_REUSED")
            if command.source_event is not None and await uow.deliveries.rearm_failed(existing.id, now):
                await uow.wake_dispatcher()  # a dead letter replayed: what had failed goes again
            return existing.id
        kind = kind_of(command.template_id)
        notification = Notification(str(uuid.uuid4()), command.source_key, command.request_hash,
                                    command.template_id, kind, now, command.source_event)
        users = list(dict.fromkeys(r.user_id for r in command.recipients if r.user_id))
        preferences = await uow.preferences.get_many(users)
        contacts = await uow.contacts.get_many(users)
        devices = await uow.devices.of_users(users) if "push" in command.channels else {}
        plan = _Plan(self, command, notification)
        for address in dict.fromkeys(r.email for r in command.recipients if r.email and not r.user_id):
            plan.to_address(address)
        for user_id in users:
            plan.to_user(user_id, preferences.get(user_id, Preferences()), contacts.get(user_id),
                         devices.get(user_id, []))
        await uow.notifications.add(notification, command.params)
        await uow.deliveries.add(plan.deliveries, now)
        await uow.inbox.add(plan.inbox)
        if plan.deliveries:
            await uow.wake_dispatcher()
        return notification.id


class _Plan:
    """The deliveries and inbox entries of one notification, rendering each language once."""

    def __init__(self, notifier: Notifier, command: NotifyCommand, notification: Notification) -> None:
        self._notifier = notifier
        self._command = command
        self._notification = notification
        self._data = {"notificationId": notification.id, "template": command.template_id, **command.data}
        self.deliveries: list[NewDelivery] = []
        self.inbox: list[InboxItem] = []

    def _render(self, locale: str, time_zone: str, name: str) -> Rendered:
        return self._notifier._render(self._command, locale, time_zone, name)

    def _mail(self, rendered: Rendered) -> MailContent:
        return MailContent(rendered.subject, rendered.text, rendered.html, tuple(self._command.qr_codes))

    def _push(self, rendered: Rendered) -> PushContent:
        return PushContent(rendered.push_title, rendered.push_body, dict(self._data),
                           collapse_key=self._command.template_id)

    def _delivery(self, channel: str, content: MailContent | PushContent, **where: str) -> None:
        self.deliveries.append(NewDelivery(str(uuid.uuid4()), self._notification.id, channel, content, **where))

    def to_address(self, address: str) -> None:
        if "email" in self._command.channels:
            defaults = self._notifier._defaults
            self._delivery("email", self._mail(self._render(defaults.locale, defaults.time_zone, "")),
                           address=address)

    def to_user(self, user_id: str, preferences: Preferences, contact: Contact | None,
                devices: Sequence[Device]) -> None:
        kind = self._notification.kind
        if not preferences.kind_on(kind):
            return  # not even in the inbox: the user said no to this kind
        defaults = self._notifier._defaults
        time_zone = preferences.time_zone or defaults.time_zone
        name = (contact.full_name or contact.login) if contact else ""
        locale = preferences.locale or next((d.locale for d in devices if d.locale), defaults.locale)
        rendered: dict[str, Rendered] = {locale: self._render(locale, time_zone, name)}
        first = rendered[locale]
        self.inbox.append(InboxItem(self._notification.id, user_id, self._command.template_id, kind,
                                    first.push_title, first.push_body, dict(self._data),
                                    self._notification.create_time))
        channels = self._command.channels
        if "email" in channels and preferences.channel_on("email"):
            self._delivery("email", self._mail(first), user_id=user_id)
        if "push" in channels and preferences.channel_on("push"):
            for device in devices:
                # A device speaks its own language unless the user chose one for all.
                device_locale = preferences.locale or device.locale or locale
                if device_locale not in rendered:
                    rendered[device_locale] = self._render(device_locale, time_zone, name)
                self._delivery("push", self._push(rendered[device_locale]), user_id=user_id,
                               device_token=device.token, platform=device.platform)
