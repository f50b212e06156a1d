"""The channels as notification-service builds them from its environment
(services/notification/adapters/channel_settings.py): what `kgo up` gives a service naming
the providers "smtp", "fcm" and "apns" is enough to send through each sandbox."""

from __future__ import annotations

import secrets
import uuid

import pytest
from channels_support import control, mailbox, sandbox_url, service_env

from services.notification.adapters.channel_settings import ChannelSettings, build_channels
from services.notification.service_layer.channels import OutgoingMail, OutgoingPush


async def test_the_environment_kgo_gives_builds_working_senders(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in service_env("smtp", "fcm", "apns").items():
        monkeypatch.setenv(name, value)
    mail, push = channels = build_channels(ChannelSettings())
    assert set(push) == {"fcm", "apns"}
    to = f"boris-{uuid.uuid4().hex[:8]}@example.com"
    await mail.send(OutgoingMail(to=to, subject="Добро пожаловать", text="Привет!", delivery_id=str(uuid.uuid4())))
    android, iphone = f"dev-{uuid.uuid4().hex}", secrets.token_hex(32)
    await push["fcm"].send(OutgoingPush("fcm", android, "Привет", "Это FCM"))
    await push["apns"].send(OutgoingPush("apns", iphone, "Привет", "Это APNs"))
    await channels.aclose()
    assert [m["subject"] for m in mailbox(to)] == ["Добро пожаловать"]
    for box, token in (("fcm", android), ("apns", iphone)):
        with control(sandbox_url(box)) as http:
            assert len(http.get("/sandbox/messages", params={"token": token}).json()["messages"]) == 1


def test_push_platforms_without_credentials_are_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in service_env("smtp").items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("KGO_FCM_SERVICE_ACCOUNT_FILE", "")
    monkeypatch.setenv("KGO_APNS_AUTH_KEY_FILE", "")
    assert build_channels(ChannelSettings()).push == {}
    monkeypatch.setenv("KGO_SMTP_HOST", "")
    with pytest.raises(ValueError, match="SMTP"):
        build_channels(ChannelSettings())
