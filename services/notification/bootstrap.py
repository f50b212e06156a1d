"""Composition root of notification-service."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import grpc

from kulturago.notification.v1 import notification_service_pb2, notification_service_pb2_grpc
from services.notification.adapters.metrics import count_delivery
from services.notification.adapters.qr_codes import PngQrRenderer
from services.notification.adapters.templates import JinjaRenderer
from services.notification.adapters.unit_of_work import NotificationUnitOfWork
from services.notification.adapters.wakeup import PostgresWakeup
from services.notification.config import NotificationSettings
from services.notification.domain.delivery_rules import PushLimit, RetryPolicy
from services.notification.entrypoints.grpc_api import NotificationServicer
from services.notification.entrypoints.kafka_handlers import CONSUMER, TOPICS, handler
from services.notification.service_layer.channels import MailSender, PushSender
from services.notification.service_layer.dispatching import Dispatcher, DispatchSettings
from services.notification.service_layer.inbox import InboxReader
from services.notification.service_layer.notifying import Defaults, Notifier
from services.notification.service_layer.retention import sweep
from services.notification.service_layer.user_settings import UserSettings
from services.runtime.db import open_pool, require_schema
from services.runtime.logging import get_logger
from services.runtime.messaging.consumer import InboxConsumer
from services.runtime.messaging.outbox import OutboxRelay
from services.runtime.rpc import ServiceApp
from services.runtime.rpc.policy import policy_for
from services.runtime.supervision import Worker, worker_healthy

log = get_logger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
_SERVICE = notification_service_pb2.DESCRIPTOR.services_by_name["NotificationService"]

# Who may call what is declared on each RPC in the .proto (kulturago.options.v1.access).
POLICY = policy_for(_SERVICE)


class Readiness:
    """What gRPC health says of the service, for GET /healthz."""

    def __init__(self) -> None:
        self.serving = False

    def __call__(self) -> bool:
        return self.serving

    def set(self, serving: bool) -> None:
        self.serving = serving


def mail_sender(s: NotificationSettings) -> MailSender | None:
    if not s.smtp_host:
        log.warning("no SMTP server configured (KGO_SMTP_HOST): e-mail deliveries wait")
        return None
    from services.notification.adapters.smtp import SmtpMailSender

    return SmtpMailSender(host=s.smtp_host, port=s.smtp_port, sender=s.smtp_sender, username=s.smtp_username,
                          password=s.smtp_password, starttls=s.smtp_starttls, implicit_tls=s.smtp_implicit_tls,
                          ca_file=s.smtp_ca_file, timeout_seconds=s.smtp_timeout_seconds)


def push_senders(s: NotificationSettings) -> dict[str, PushSender]:
    senders: dict[str, PushSender] = {}
    if s.fcm_service_account_file:
        from services.notification.adapters.fcm import FcmPushSender, ServiceAccount

        senders["fcm"] = FcmPushSender(ServiceAccount.from_file(s.fcm_service_account_file),
                                       base_url=s.fcm_base_url, timeout_seconds=s.push_timeout_seconds)
    if s.apns_auth_key_file:
        from services.notification.adapters.apns import ApnsPushSender

        senders["apns"] = ApnsPushSender.from_key_file(
            s.apns_auth_key_file, key_id=s.apns_key_id, team_id=s.apns_team_id, topic=s.apns_topic,
            base_url=s.apns_base_url, ca_file=s.apns_ca_file, timeout_seconds=s.push_timeout_seconds)
    for platform in ("fcm", "apns"):
        if platform not in senders:
            log.warning("push platform not configured: its deliveries wait", platform=platform)
    return senders


async def build_app(settings: NotificationSettings | None = None) -> ServiceApp:
    s = settings or NotificationSettings()
    await require_schema(s.database_url, MIGRATIONS)
    pool = await open_pool(s.database_url, max_size=20)

    def unit_of_work() -> NotificationUnitOfWork:
        return NotificationUnitOfWork(pool)

    notifier = Notifier(unit_of_work, JinjaRenderer(), defaults=Defaults(s.default_locale, s.default_time_zone),
                        max_event_age=timedelta(hours=s.notify_max_event_age_hours))
    mail, push = mail_sender(s), push_senders(s)
    dispatcher = Dispatcher(unit_of_work, mail, push, PngQrRenderer(), settings=DispatchSettings(
        retry=RetryPolicy(s.retry_base_seconds, s.retry_max_seconds, s.delivery_max_attempts),
        push_limit=PushLimit(s.push_per_hour, timedelta(hours=1)),
        lease=timedelta(seconds=s.dispatch_lease_seconds), batch=s.dispatch_batch,
        concurrency=s.dispatch_concurrency, default_time_zone=s.default_time_zone), count=count_delivery)
    wakeup = PostgresWakeup(s.database_url)
    events = InboxConsumer(pool=pool, bootstrap=s.kafka_bootstrap, group_id=CONSUMER, topics=list(TOPICS),
                           handler=handler(notifier, lambda conn: NotificationUnitOfWork(pool).on_transaction(conn)))
    # Dead letters of deliveries that gave up go out through the outbox.
    relay = OutboxRelay(pool, s.database_url, s.kafka_bootstrap, "notification-outbox")
    readiness = Readiness()

    async def retention() -> None:
        while True:
            forgotten = await sweep(unit_of_work, timedelta(days=s.retention_days), timedelta(hours=1))
            if forgotten:
                log.info("old notifications swept", count=forgotten)
            worker_healthy()
            await asyncio.sleep(s.sweep_every_seconds)

    def register(server: grpc.aio.Server) -> None:
        notification_service_pb2_grpc.add_NotificationServiceServicer_to_server(NotificationServicer(
            notifier, UserSettings(unit_of_work), InboxReader(unit_of_work), readiness,
            default_locale=s.default_locale, default_time_zone=s.default_time_zone), server)

    async def close() -> None:
        await relay.close()
        await wakeup.close()
        for sender in [mail, *push.values()]:
            closing = getattr(sender, "close", None)
            if closing is not None:
                await closing()
        await pool.close()

    return ServiceApp(settings=s, error_domain="notification.kulturago.ru", service_names=[_SERVICE.full_name],
                      register=register, policy=POLICY, health_listeners=[readiness.set], workers=[
                          Worker("notification-events-consumer", events.run),
                          Worker("notification-dispatcher", lambda: dispatcher.run(wakeup, worker_healthy)),
                          Worker("notification-outbox-relay", relay.run),
                          Worker("notification-retention", retention, required=False)],
                      shutdown=[close])
