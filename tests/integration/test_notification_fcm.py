"""notification-service's FCM sender (services/notification/adapters/fcm.py) against the FCM
sandbox `kgo up` runs (sandboxes/fcm): the service-account JWT exchanged for an access
token (cached, renewed when refused), messages:send, and FCM's errors as the caller sees
them."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
from channels_support import control, inject_fault, sandbox_url, service_env

from services.notification.adapters.fcm import SCOPE, FcmPushSender, ServiceAccount
from services.notification.service_layer.channels import (
    OutgoingPush,
    ProviderUnavailable,
    Rejected,
    TokenGone,
)

ENV = service_env("fcm")
FCM = sandbox_url("fcm")


def account_info() -> dict[str, Any]:
    with open(ENV["KGO_FCM_SERVICE_ACCOUNT_FILE"]) as file:
        info: dict[str, Any] = json.load(file)
    return info


def account() -> ServiceAccount:
    return ServiceAccount(account_info())


@pytest.fixture
async def fcm() -> AsyncIterator[FcmPushSender]:
    sender = FcmPushSender(account(), base_url=ENV["KGO_FCM_BASE_URL"], timeout_seconds=2.0)
    yield sender
    await sender.close()


def device(prefix: str = "dev") -> str:
    return f"{prefix}-{uuid.uuid4().hex}:APA91b{uuid.uuid4().hex}"


def push(token: str, **overrides: Any) -> OutgoingPush:
    fields: dict[str, Any] = dict(platform="fcm", token=token, title="Джаз на крыше", body="Начало через час",
                                  data={"deeplink": "kulturago://events/jazz-na-kryshe"}, collapse_key="event-1",
                                  delivery_id=str(uuid.uuid4()))
    fields.update(overrides)
    return OutgoingPush(**fields)


def delivered(token: str) -> list[dict[str, Any]]:
    with control(FCM) as http:
        return list(http.get("/sandbox/messages", params={"token": token}).raise_for_status().json()["messages"])


async def test_a_push_is_delivered_with_its_notification_data_and_collapse_key(fcm: FcmPushSender) -> None:
    token = device()
    await fcm.send(push(token))
    [got] = delivered(token)
    assert got["name"].startswith("projects/kulturago-dev/messages/")
    assert got["message"] == {"token": token, "notification": {"title": "Джаз на крыше", "body": "Начало через час"},
                              "data": {"deeplink": "kulturago://events/jazz-na-kryshe"},
                              "android": {"priority": "HIGH", "collapse_key": "event-1"}}


async def test_the_access_token_is_fetched_once_and_renewed_when_fcm_refuses_it(fcm: FcmPushSender) -> None:
    exchanges: list[str] = []

    async def count(request: httpx.Request) -> None:
        if request.url.path == "/token":
            exchanges.append(request.url.path)

    fcm._http.event_hooks["request"].append(count)
    token = device()
    await fcm.send(push(token))
    await fcm.send(push(token))
    assert len(exchanges) == 1
    with control(FCM) as http:
        http.post("/sandbox/access-tokens/expire").raise_for_status()  # revoked at Google's end
    await fcm.send(push(token))  # 401, a fresh token, the same push again
    assert len(exchanges) == 2 and len(delivered(token)) == 3


async def test_an_uninstalled_app_is_token_gone(fcm: FcmPushSender) -> None:
    token = device()
    await fcm.send(push(token))
    with control(FCM) as http:
        http.post(f"/sandbox/tokens/{token}/unregister").raise_for_status()
    with pytest.raises(TokenGone, match="UNREGISTERED"):
        await fcm.send(push(token))
    with pytest.raises(TokenGone, match="UNREGISTERED"):
        await fcm.send(push(device("unregistered")))
    with pytest.raises(TokenGone, match="INVALID_ARGUMENT"):  # not a registration token at all
        await fcm.send(push(device("invalid")))


async def test_quota_exceeded_is_unavailable_with_the_retry_after_fcm_gave(fcm: FcmPushSender) -> None:
    token = device()
    inject_fault(FCM, "messages:send", "error", status=429, seconds=37, match={"token": token})
    with pytest.raises(ProviderUnavailable, match="QUOTA_EXCEEDED") as caught:
        await fcm.send(push(token))
    assert caught.value.retry_after == 37
    inject_fault(FCM, "messages:send", "error", status=503, match={"token": token})
    with pytest.raises(ProviderUnavailable, match="503") as caught:
        await fcm.send(push(token))
    assert caught.value.retry_after is None
    await fcm.send(push(token))
    assert len(delivered(token)) == 1


async def test_a_stalled_fcm_times_out(fcm: FcmPushSender) -> None:
    token = device()
    inject_fault(FCM, "messages:send", "stall", seconds=4, match={"token": token})
    with pytest.raises(ProviderUnavailable, match="Timeout"):
        await fcm.send(push(token))


async def test_a_message_fcm_refuses_is_rejected(fcm: FcmPushSender) -> None:
    with pytest.raises(Rejected, match="reserved"):
        await fcm.send(push(device(), data={"google.priority": "x"}))


async def test_a_wrong_project_or_key_is_our_configuration_not_the_pushs() -> None:
    info = account_info()
    other = FcmPushSender(ServiceAccount({**info, "project_id": "someone-else"}), base_url=FCM, timeout_seconds=2)
    with pytest.raises(ProviderUnavailable, match="403"):
        await other.send(push(device()))
    await other.close()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    stranger = rsa.generate_private_key(65537, 2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    forged = FcmPushSender(ServiceAccount({**info, "private_key": stranger}), base_url=FCM, timeout_seconds=2)
    with pytest.raises(ProviderUnavailable, match="invalid_grant"):
        await forged.send(push(device()))
    await forged.close()


def _exchange(claims: dict[str, Any], key: str | None = None, kid: str | None = None) -> httpx.Response:
    info = account_info()
    assertion = jwt.encode(claims, key or info["private_key"], algorithm="RS256",
                           headers={"kid": kid or info["private_key_id"]})
    return httpx.post(info["token_uri"], data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                                               "assertion": assertion})


def test_the_token_endpoint_checks_the_assertion_as_google_does() -> None:
    info = account_info()
    now = int(time.time())
    good = {"iss": info["client_email"], "scope": SCOPE, "aud": info["token_uri"], "iat": now, "exp": now + 3600}
    assert _exchange(good).json()["token_type"] == "Bearer"
    cases: list[tuple[dict[str, Any], str]] = [({"aud": "https://oauth2.googleapis.com/token"}, "invalid_grant"),
                       ({"iss": "intruder@example.iam.gserviceaccount.com"}, "invalid_grant"),
                       ({"iat": now - 7200, "exp": now - 3600}, "invalid_grant"),
                       ({"exp": now + 7200}, "invalid_grant"),  # longer than an hour
                       ({"scope": "https://www.googleapis.com/auth/cloud-platform.read-only"}, "invalid_scope")]
    for bad, error in cases:
        reply = _exchange({**good, **bad})
        assert (reply.status_code, reply.json()["error"]) == (400, error), bad
    assert _exchange(good, kid="0" * 40).json()["error"] == "invalid_grant"  # a key the account does not have
    reply = httpx.post(info["token_uri"], data={"grant_type": "client_credentials"})
    assert reply.json()["error"] == "unsupported_grant_type"


def test_send_needs_a_valid_bearer_token() -> None:
    reply = httpx.post(f"{FCM}/v1/projects/kulturago-dev/messages:send", json={"message": {"token": "x"}},
                       headers={"Authorization": "Bearer ya29.made-up"})
    assert reply.status_code == 401 and reply.json()["error"]["status"] == "UNAUTHENTICATED"
