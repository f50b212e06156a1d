"""notification-service settings (environment, prefix KGO_)."""

from __future__ import annotations

from services.runtime.settings import ServiceSettings


class NotificationSettings(ServiceSettings):
    service_name: str = "notification"
    # The dispatcher: how many due deliveries it takes at once, how many it sends at once,
    # and how long a taken one is its own (a replica that dies mid-send leaves it to
    # another after this lease; the channel's message carries our delivery id).
    dispatch_batch: int = 100
    dispatch_concurrency: int = 32
    dispatch_lease_seconds: float = 60.0
    # Retries of a delivery whose provider is unavailable: exponential backoff with full
    # jitter, base * 2^(attempt-1) capped at max, this many attempts in all (then the
    # delivery is failed and its source event goes to <topic>.dlq).
    retry_base_seconds: float = 1.0
    retry_max_seconds: float = 300.0
    delivery_max_attempts: int = 12
    # No more than this many pushes to one user per rolling hour; the rest wait their turn.
    push_per_hour: int = 20
    # Events older than this make no notification (a first start reads the topics' whole
    # history; a long outage leaves old news behind): contacts are still taken from them.
    notify_max_event_age_hours: float = 24.0
    # Notifications (their deliveries, which hold what was sent, and inbox entries) are kept
    # this long, then swept every sweep_every_seconds.
    retention_days: float = 90.0
    sweep_every_seconds: float = 600.0
    # Used until a user says otherwise (PUT /api/v1/notifications/preferences).
    default_locale: str = "ru"
    default_time_zone: str = "Europe/Moscow"

    # Channels (services/notification/adapters/{smtp,fcm,apns}.py): endpoints and
    # credentials of each provider (the sandboxes' locally: `kgo up` sets them from
    # .dev/secrets). A channel left unconfigured keeps its deliveries waiting.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_sender: str = "KulturaGo <no-reply@kulturago.ru>"
    smtp_starttls: bool = True
    smtp_implicit_tls: bool = False
    smtp_ca_file: str = ""  # a private CA to trust (the dev certificate locally); "" = the system's
    smtp_timeout_seconds: float = 15.0
    fcm_base_url: str = "https://fcm.googleapis.com"
    fcm_service_account_file: str = ""  # the Firebase project's service-account JSON key
    apns_base_url: str = "https://api.push.apple.com"
    apns_auth_key_file: str = ""  # the .p8 provider key
    apns_key_id: str = ""
    apns_team_id: str = ""
    apns_topic: str = ""  # the app's bundle id
    apns_ca_file: str = ""
    push_timeout_seconds: float = 10.0
