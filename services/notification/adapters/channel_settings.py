"""Settings of the delivery channels (environment, prefix KGO_) and the factory that builds
them. Locally `kgo up` sets every one from the sandboxes (kgo/topology.py: providers
"smtp", "fcm", "apns"); in a cluster they come from the Deployment and its secrets.

NotificationSettings may inherit these fields (class NotificationSettings(ServiceSettings,
ChannelSettings)) or the composition root may read ChannelSettings() on its own.
"""

from __future__ import annotations

from typing import NamedTuple

from pydantic_settings import BaseSettings, SettingsConfigDict

from services.notification.adapters.apns import ApnsPushSender
from services.notification.adapters.fcm import FcmPushSender, ServiceAccount
from services.notification.adapters.smtp import SmtpMailSender
from services.notification.service_layer.channels import MailSender, PushPlatform, PushSender
from services.runtime.logging import get_logger

log = get_logger(__name__)


class ChannelSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KGO_", extra="ignore")

    # E-mail: a submission server (587 with STARTTLS, or 465 with implicit TLS).
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""  # empty: no AUTH
    smtp_password: str = ""
    smtp_starttls: bool = True
    smtp_implicit_tls: bool = False
    smtp_ca_file: str = ""  # a private CA to trust (the dev certificate locally); empty: the system's
    smtp_sender: str = "KulturaGo <no-reply@kulturago.ru>"
    smtp_message_id_domain: str = "kulturago.ru"
    smtp_timeout_seconds: float = 15.0

    # FCM HTTP v1: the Firebase project's service account key (JSON); its token_uri is used.
    fcm_base_url: str = "https://fcm.googleapis.com"
    fcm_service_account_file: str = ""  # empty: no Android push
    fcm_timeout_seconds: float = 10.0

    # APNs: token-based auth with an auth key (.p8) of the team; topic = the app's bundle id.
    # https://api.sandbox.push.apple.com for development builds of the app.
    apns_base_url: str = "https://api.push.apple.com"
    apns_auth_key_file: str = ""  # empty: no iOS push
    apns_key_id: str = ""
    apns_team_id: str = ""
    apns_topic: str = "ru.kulturago.app"
    apns_ca_file: str = ""
    apns_timeout_seconds: float = 10.0


class Channels(NamedTuple):
    """Unpacks as (mail, push): the mail sender and the push sender of each configured platform."""

    mail: MailSender
    push: dict[PushPlatform, PushSender]

    async def aclose(self) -> None:
        for sender in self.push.values():
            if isinstance(sender, FcmPushSender | ApnsPushSender):
                await sender.close()


def build_channels(settings: ChannelSettings) -> Channels:
    """The senders. SMTP must be configured (ValueError otherwise); a push platform without
    credentials is left out, with a warning, so that a deployment without, say, an Apple
    key still sends e-mail and Android pushes (a push to a platform not in the dict is the
    caller's to refuse)."""
    mail = SmtpMailSender(
        host=settings.smtp_host, port=settings.smtp_port, sender=settings.smtp_sender,
        username=settings.smtp_username, password=settings.smtp_password, starttls=settings.smtp_starttls,
        implicit_tls=settings.smtp_implicit_tls, ca_file=settings.smtp_ca_file,
        timeout_seconds=settings.smtp_timeout_seconds, message_id_domain=settings.smtp_message_id_domain)
    push: dict[PushPlatform, PushSender] = {}
    if settings.fcm_service_account_file:
        push["fcm"] = FcmPushSender(ServiceAccount.from_file(settings.fcm_service_account_file),
                                    base_url=settings.fcm_base_url, timeout_seconds=settings.fcm_timeout_seconds)
    else:
        log.warning("FCM is not configured (KGO_FCM_SERVICE_ACCOUNT_FILE): no Android push")
    if settings.apns_auth_key_file:
        push["apns"] = ApnsPushSender.from_key_file(
            settings.apns_auth_key_file, key_id=settings.apns_key_id, team_id=settings.apns_team_id,
            topic=settings.apns_topic, base_url=settings.apns_base_url, ca_file=settings.apns_ca_file,
            timeout_seconds=settings.apns_timeout_seconds)
    else:
        log.warning("APNs is not configured (KGO_APNS_AUTH_KEY_FILE): no iOS push")
    return Channels(mail, push)
