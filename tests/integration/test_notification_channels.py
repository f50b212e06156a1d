"""What `kgo up` gives a service naming the providers "smtp", "fcm" and "apns" fills every
channel setting of notification-service (services/notification/config.py) with the
sandboxes' endpoints and credentials: the names kgo passes and the names the service reads
are one list. (The adapters' own tests prove those values send.)"""

from __future__ import annotations

import pytest
from channels_support import sandbox_url, service_env

from services.notification.config import NotificationSettings


def test_kgo_sets_every_channel_setting_of_the_service(monkeypatch: pytest.MonkeyPatch) -> None:
    env = service_env("smtp", "fcm", "apns")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    s = NotificationSettings()
    assert (s.smtp_host, s.smtp_port) == ("127.0.0.1", int(env["KGO_SMTP_PORT"]))
    assert s.smtp_username and s.smtp_password and s.smtp_ca_file.endswith(".crt") and s.smtp_starttls
    assert s.fcm_base_url == sandbox_url("fcm") and s.fcm_service_account_file.endswith("fcm-service-account.json")
    assert s.apns_base_url == sandbox_url("apns") and s.apns_base_url.startswith("https://")  # TLS only
    assert s.apns_ca_file.endswith(".crt")
    assert s.apns_auth_key_file.endswith(".p8") and len(s.apns_key_id) == len(s.apns_team_id) == 10
    assert s.apns_topic == "ru.kulturago.app"
    unread = {k for k in env if k.lower().removeprefix("kgo_") not in NotificationSettings.model_fields}
    # Only the sink's HTTP API (for kgo mail and tests) is passed without being read.
    assert unread == {"KGO_SMTP_BASE_URL"}
