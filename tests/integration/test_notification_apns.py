"""notification-service's APNs sender (services/notification/adapters/apns.py) against the
APNs sandbox `kgo up` runs (sandboxes/apns): HTTP/2 over TLS with the dev certificate, the
ES256 provider token (reused, renewed when old or when APNs calls it expired), and Apple's
errors as the caller sees them."""

from __future__ import annotations

import secrets
import ssl
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import jwt
import pytest
from channels_support import control, inject_fault, sandbox_url, service_env

from services.notification.adapters.apns import ApnsPushSender
from services.notification.service_layer.channels import (
    OutgoingPush,
    ProviderUnavailable,
    Rejected,
    TokenGone,
)

ENV = service_env("apns")
APNS = sandbox_url("apns")


def make_sender(clock: Callable[[], float] = time.time, **overrides: Any) -> ApnsPushSender:
    settings: dict[str, Any] = dict(key_id=ENV["KGO_APNS_KEY_ID"], team_id=ENV["KGO_APNS_TEAM_ID"],
                                    topic=ENV["KGO_APNS_TOPIC"], base_url=ENV["KGO_APNS_BASE_URL"],
                                    ca_file=ENV["KGO_APNS_CA_FILE"], timeout_seconds=2.0, clock=clock)
    settings.update(overrides)
    return ApnsPushSender.from_key_file(ENV["KGO_APNS_AUTH_KEY_FILE"], **settings)


@pytest.fixture
async def apns() -> AsyncIterator[ApnsPushSender]:
    sender = make_sender()
    yield sender
    await sender.close()


def device(prefix: str = "") -> str:
    return (prefix + secrets.token_hex(32))[:64]


def push(token: str, **overrides: Any) -> OutgoingPush:
    fields: dict[str, Any] = dict(platform="apns", token=token, title="Джаз на крыше", body="Начало через час",
                                  data={"deeplink": "kulturago://events/jazz-na-kryshe"}, collapse_key="event-1",
                                  delivery_id=str(uuid.uuid4()))
    fields.update(overrides)
    return OutgoingPush(**fields)


def delivered(token: str) -> list[dict[str, Any]]:
    with control(APNS) as http:
        return list(http.get("/sandbox/messages", params={"token": token}).raise_for_status().json()["messages"])


async def test_a_push_goes_over_http2_with_apples_headers_and_payload(apns: ApnsPushSender) -> None:
    token = device()
    sent = push(token)
    await apns.send(sent)
    [got] = delivered(token)
    assert got["httpVersion"] == "2" and got["apnsId"] == sent.delivery_id
    assert (got["topic"], got["pushType"], got["collapseId"], got["priority"]) == (
        ENV["KGO_APNS_TOPIC"], "alert", "event-1", 10)
    assert got["payload"] == {"deeplink": "kulturago://events/jazz-na-kryshe",
                              "aps": {"alert": {"title": "Джаз на крыше", "body": "Начало через час"},
                                      "sound": "default"}}


def test_the_sandbox_speaks_http2_only_and_checks_the_provider_token() -> None:
    token = device()
    with control(APNS) as http:  # HTTP/1.1
        assert http.post(f"/3/device/{token}", json={"aps": {}}).status_code == 505
    trust = ssl.create_default_context(cafile=ENV["KGO_APNS_CA_FILE"])
    with httpx.Client(http2=True, base_url=APNS, verify=trust) as h2:
        assert h2.post(f"/3/device/{token}", json={"aps": {}}).json() == {"reason": "MissingProviderToken"}
        with open(ENV["KGO_APNS_AUTH_KEY_FILE"]) as file:
            key = file.read()
        claims = {"iss": ENV["KGO_APNS_TEAM_ID"], "iat": int(time.time())}
        topic = {"apns-topic": ENV["KGO_APNS_TOPIC"]}

        def answer(provider_token: str) -> str:
            reply = h2.post(f"/3/device/{token}", json={"aps": {}},
                            headers={**topic, "authorization": f"bearer {provider_token}"})
            return reply.text if reply.status_code == 200 else str(reply.json()["reason"])

        assert answer(jwt.encode(claims, key, algorithm="ES256", headers={"kid": ENV["KGO_APNS_KEY_ID"]})) == ""
        assert answer(jwt.encode(claims, key, algorithm="ES256", headers={"kid": "ABCDEFGHIJ"})) == (
            "InvalidProviderToken")
        assert answer(jwt.encode({**claims, "iss": "SOMEONEELS"}, key, algorithm="ES256",
                                 headers={"kid": ENV["KGO_APNS_KEY_ID"]})) == "InvalidProviderToken"
        assert answer(jwt.encode({**claims, "iat": claims["iat"] - 3700}, key, algorithm="ES256",
                                 headers={"kid": ENV["KGO_APNS_KEY_ID"]})) == "ExpiredProviderToken"
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        stranger = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        assert answer(jwt.encode(claims, stranger, algorithm="ES256", headers={"kid": ENV["KGO_APNS_KEY_ID"]})) == (
            "InvalidProviderToken")


async def test_the_provider_token_is_reused_then_renewed_after_50_minutes() -> None:
    now = [time.time() - 52 * 60]  # a token made 52 minutes ago is still valid at Apple (an hour)
    sender = make_sender(clock=lambda: now[0])
    token = device()
    await sender.send(push(token))
    now[0] += 60
    await sender.send(push(token))
    now[0] += 50 * 60  # past 50 minutes: a new one
    await sender.send(push(token))
    await sender.close()
    third, second, first = (d["providerTokenIat"] for d in delivered(token))
    assert first == second < third


async def test_an_expired_provider_token_is_renewed_and_the_push_retried_once() -> None:
    token = device()
    sender = make_sender()
    inject_fault(APNS, "push", "error", status=403, message="ExpiredProviderToken", match={"token": token})
    await sender.send(push(token))
    assert len(delivered(token)) == 1
    stale = make_sender(clock=lambda: time.time() - 2 * 3600)  # its every token is two hours old
    with pytest.raises(ProviderUnavailable, match="ExpiredProviderToken"):
        await stale.send(push(token))
    await sender.close()
    await stale.close()


async def test_gone_devices_are_token_gone(apns: ApnsPushSender) -> None:
    token = device()
    await apns.send(push(token))
    with control(APNS) as http:
        http.post(f"/sandbox/tokens/{token}/unregister").raise_for_status()
    with pytest.raises(TokenGone, match="410 Unregistered"):
        await apns.send(push(token))
    with pytest.raises(TokenGone, match="410 Unregistered"):
        await apns.send(push(device("dead")))
    with pytest.raises(TokenGone, match="BadDeviceToken"):
        await apns.send(push("not-a-device-token"))


@pytest.mark.parametrize(("status", "reason"), [(429, "TooManyRequests"), (500, "InternalServerError"),
                                                 (503, "ServiceUnavailable")])
async def test_busy_or_failing_apns_is_unavailable(apns: ApnsPushSender, status: int, reason: str) -> None:
    token = device()
    inject_fault(APNS, "push", "error", status=status, seconds=20, match={"token": token})
    with pytest.raises(ProviderUnavailable, match=reason) as caught:
        await apns.send(push(token))
    assert caught.value.retry_after == 20
    await apns.send(push(token))
    assert len(delivered(token)) == 1


async def test_a_stalled_apns_times_out(apns: ApnsPushSender) -> None:
    token = device()
    inject_fault(APNS, "push", "stall", seconds=4, match={"token": token})
    with pytest.raises(ProviderUnavailable, match="Timeout"):
        await apns.send(push(token))


async def test_a_push_apns_cannot_take_is_rejected(apns: ApnsPushSender) -> None:
    with pytest.raises(Rejected, match="413 PayloadTooLarge"):
        await apns.send(push(device(), body="x" * 5000))
    with pytest.raises(Rejected, match="BadCollapseId"):
        await apns.send(push(device(), collapse_key="c" * 65))


async def test_a_wrong_topic_or_an_untrusted_certificate_is_our_configuration() -> None:
    other = make_sender(topic="ru.someone.else")
    with pytest.raises(ProviderUnavailable, match="TopicDisallowed"):
        await other.send(push(device()))
    await other.close()
    untrusting = make_sender(ca_file="")  # APNs is TLS only; the dev certificate is not a public CA's
    with pytest.raises(ProviderUnavailable, match="ConnectError"):
        await untrusting.send(push(device()))
    await untrusting.close()
