"""gRPC servicer of NotificationService: protobuf <-> use cases."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import grpc

from kulturago.notification.v1 import notification_service_pb2 as pb
from kulturago.notification.v1 import notification_service_pb2_grpc as pb_grpc
from services.notification.domain.model import (
    DeliveryState,
    Device,
    InboxItem,
    NotificationStatus,
    Recipient,
)
from services.notification.domain.preferences import Preferences, PreferencesChange
from services.notification.service_layer.inbox import InboxReader
from services.notification.service_layer.notifying import Notifier, NotifyCommand
from services.notification.service_layer.user_settings import UserSettings
from services.runtime.errors import Unavailable
from services.runtime.rpc import current_principal
from services.runtime.timestamps import optional_timestamp, to_timestamp

DEFAULT_PAGE_SIZE = 20
_STATES = {DeliveryState.PENDING: pb.DELIVERY_STATE_PENDING, DeliveryState.SENT: pb.DELIVERY_STATE_SENT,
           DeliveryState.FAILED: pb.DELIVERY_STATE_FAILED, DeliveryState.DEFERRED: pb.DELIVERY_STATE_DEFERRED}


def notify_command(request: pb.NotifyRequest) -> NotifyCommand:
    recipients = tuple(Recipient(user_id=r.user_id) if r.WhichOneof("recipient") == "user_id"
                       else Recipient(email=r.email) for r in request.recipients)
    digest = hashlib.sha256(request.SerializeToString(deterministic=True)).hexdigest()
    return NotifyCommand(source_key=f"notify:{request.idempotency_key}", template_id=request.template_id,
                         recipients=recipients, channels=frozenset(request.channels),
                         params=dict(request.parameters), request_hash=digest)


def status_to_proto(status: NotificationStatus) -> pb.Notification:
    n = status.notification
    return pb.Notification(id=n.id, template_id=n.template_id, kind=n.kind, create_time=to_timestamp(n.create_time),
                           deliveries=[pb.Delivery(
                               channel=d.channel, user_id=d.user_id, target=d.target, state=_STATES[d.state],
                               attempts=d.attempts, next_attempt_time=optional_timestamp(d.next_attempt_time),
                               last_error=d.last_error, sent_time=optional_timestamp(d.sent_time))
                               for d in status.deliveries])


def device_to_proto(device: Device) -> pb.Device:
    return pb.Device(token=device.token, platform=device.platform, locale=device.locale,
                     create_time=to_timestamp(device.create_time))


def preferences_to_proto(p: Preferences, default_locale: str, default_zone: str) -> pb.Preferences:
    message = pb.Preferences(channels=p.all_channels(), kinds=p.all_kinds(), time_zone=p.time_zone or default_zone,
                             locale=p.locale or default_locale, update_time=optional_timestamp(p.update_time))
    if p.quiet_hours is not None:
        start, end = p.quiet_hours.text()
        message.quiet_hours.CopyFrom(pb.QuietHours(start=start, end=end))
    return message


def preferences_change(request: pb.UpdatePreferencesRequest) -> PreferencesChange:
    quiet = (request.quiet_hours.start, request.quiet_hours.end) if request.HasField("quiet_hours") else None
    return PreferencesChange(channels=dict(request.channels), kinds=dict(request.kinds), quiet_hours=quiet,
                             time_zone=request.time_zone.strip(), locale=request.locale)


def inbox_to_proto(item: InboxItem) -> pb.InboxNotification:
    return pb.InboxNotification(id=item.notification_id, template_id=item.template_id, kind=item.kind,
                                title=item.title, body=item.body, data=item.data,
                                create_time=to_timestamp(item.create_time),
                                read_time=optional_timestamp(item.read_time))


class NotificationServicer(pb_grpc.NotificationServiceServicer):
    def __init__(self, notifier: Notifier, user_settings: UserSettings, inbox: InboxReader,
                 ready: Callable[[], bool], *, default_locale: str, default_time_zone: str) -> None:
        self._notifier = notifier
        self._settings = user_settings
        self._inbox = inbox
        self._ready = ready
        self._locale = default_locale
        self._zone = default_time_zone

    async def Notify(self, request: pb.NotifyRequest, context: grpc.aio.ServicerContext) -> pb.NotifyResponse:
        return pb.NotifyResponse(notification_id=await self._notifier.notify(notify_command(request)))

    async def GetNotification(self, request: pb.GetNotificationRequest,
                              context: grpc.aio.ServicerContext) -> pb.Notification:
        return status_to_proto(await self._notifier.status(request.id))

    async def GetHealth(self, request: pb.GetHealthRequest, context: grpc.aio.ServicerContext) -> pb.Health:
        if request.probe != "liveness" and not self._ready():
            raise Unavailable("not ready: a background worker it needs is down (see its log)", "NOT_SERVING")
        await context.send_initial_metadata((("cache-control", "no-store"),))
        return pb.Health(status="SERVING")

    async def RegisterDevice(self, request: pb.RegisterDeviceRequest, context: grpc.aio.ServicerContext) -> pb.Device:
        device = await self._settings.register_device(current_principal().user_id, request.token, request.platform,
                                                      request.locale)
        return device_to_proto(device)

    async def UnregisterDevice(self, request: pb.UnregisterDeviceRequest,
                               context: grpc.aio.ServicerContext) -> pb.UnregisterDeviceResponse:
        await self._settings.unregister_device(current_principal().user_id, request.token)
        return pb.UnregisterDeviceResponse()

    async def GetPreferences(self, request: pb.GetPreferencesRequest,
                             context: grpc.aio.ServicerContext) -> pb.Preferences:
        found = await self._settings.preferences(current_principal().user_id)
        return preferences_to_proto(found, self._locale, self._zone)

    async def UpdatePreferences(self, request: pb.UpdatePreferencesRequest,
                                context: grpc.aio.ServicerContext) -> pb.Preferences:
        updated = await self._settings.update_preferences(current_principal().user_id, preferences_change(request))
        return preferences_to_proto(updated, self._locale, self._zone)

    async def ListNotifications(self, request: pb.ListNotificationsRequest,
                                context: grpc.aio.ServicerContext) -> pb.ListNotificationsResponse:
        page = await self._inbox.page(current_principal().user_id, request.page_size or DEFAULT_PAGE_SIZE,
                                      request.page_token)
        return pb.ListNotificationsResponse(notifications=[inbox_to_proto(i) for i in page.items],
                                            next_page_token=page.next_page_token, unread_count=page.unread)

    async def MarkNotificationRead(self, request: pb.MarkNotificationReadRequest,
                                   context: grpc.aio.ServicerContext) -> pb.InboxNotification:
        return inbox_to_proto(await self._inbox.mark_read(current_principal().user_id, request.id))
