"""notification-service's API: GET /healthz; devices, preferences and the inbox over REST
(bad input is a 400 naming the field; someone else's notification is a 404); Notify and
GetNotification answer other services on the service's own port only, never through the
gateway; Notify is idempotent per key and refuses a template's missing parameter."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import grpc
import httpx
import pytest
from auth_support import Account, assert_bad_request, assert_unauthenticated
from notification_support import (
    eventually,
    fcm_token,
    inbox,
    notifications,
    notify,
    register_device,
    set_preferences,
)

from kgo import topology
from kulturago.notification.v1 import notification_service_pb2 as pb
from kulturago.notification.v1 import notification_service_pb2_grpc as pb_grpc
from services.runtime.rpc.access import CLIENT_IP_HEADER


def test_healthz_answers_through_the_gateway(http: httpx.Client) -> None:
    ready = http.get("/healthz")
    assert ready.status_code == 200 and ready.json() == {"status": "SERVING"}
    assert http.get("/healthz", params={"probe": "liveness"}).json() == {"status": "SERVING"}
    assert_bad_request(http.get("/healthz", params={"probe": "sometimes"}), "probe")


def test_devices_are_registered_moved_and_removed(http: httpx.Client, new_account: Callable[[], Account]) -> None:
    anna, boris = new_account(), new_account()
    token = fcm_token()
    first = register_device(http, anna, token, locale="en")
    assert first.status_code == 200, first.text
    assert first.json()["token"] == token and first.json()["platform"] == "fcm" and first.json()["locale"] == "en"
    assert register_device(http, anna, token, locale="ru").json()["locale"] == "ru"  # again: updated
    apns = "ab" * 32
    assert register_device(http, anna, apns, platform="apns").status_code == 200
    assert register_device(http, boris, token).status_code == 200  # the phone changed hands
    assert http.delete(f"/api/v1/devices/{token}", headers=anna.headers).status_code == 404
    assert http.delete(f"/api/v1/devices/{token}", headers=boris.headers).status_code == 200
    assert http.delete(f"/api/v1/devices/{apns}", headers=anna.headers).status_code == 200
    assert http.delete(f"/api/v1/devices/{apns}", headers=anna.headers).status_code == 404
    assert_unauthenticated(http.post("/api/v1/devices", json={"token": token, "platform": "fcm"}))


@pytest.mark.parametrize(("body", "field"), [
    ({"token": "abcdefgh1234", "platform": "sms"}, "platform"),
    ({"platform": "fcm"}, "token"),
    ({"token": "short", "platform": "fcm"}, "token"),
    ({"token": "has spaces in it", "platform": "fcm"}, "token"),
    ({"token": "not-hex-at-all-but-long-enough", "platform": "apns"}, "token"),
    ({"token": "abcdefgh1234", "platform": "fcm", "locale": "de"}, "locale"),
])
def test_bad_devices_are_refused_naming_the_field(http: httpx.Client, account: Account, body: dict[str, Any],
                                                  field: str) -> None:
    assert_bad_request(http.post("/api/v1/devices", json=body, headers=account.headers), field)


def test_preferences_default_and_change_by_parts(http: httpx.Client, account: Account) -> None:
    defaults = http.get("/api/v1/notifications/preferences", headers=account.headers).json()
    assert defaults["channels"] == {"email": True, "push": True}
    assert defaults["kinds"]["tickets"] is True and defaults["kinds"]["campaigns"] is False  # opt-in
    assert defaults["timeZone"] == "Europe/Moscow" and defaults["locale"] == "ru" and "quietHours" not in defaults
    changed = set_preferences(http, account, channels={"push": False}, kinds={"campaigns": True},
                              quietHours={"start": "23:00", "end": "07:30"}, timeZone="Asia/Novosibirsk",
                              locale="en")
    assert changed["channels"] == {"email": True, "push": False} and changed["kinds"]["campaigns"] is True
    assert changed["quietHours"] == {"start": "23:00", "end": "07:30"} and changed["timeZone"] == "Asia/Novosibirsk"
    again = set_preferences(http, account, channels={"email": False})  # the rest stays
    assert again["channels"] == {"email": False, "push": False} and again["locale"] == "en"
    assert again["quietHours"] == {"start": "23:00", "end": "07:30"}
    off = set_preferences(http, account, quietHours={})
    assert "quietHours" not in off
    assert http.get("/api/v1/notifications/preferences", headers=account.headers).json() == off


@pytest.mark.parametrize(("body", "field"), [
    ({"timeZone": "Mars/Olympus_Mons"}, "timeZone"),
    ({"locale": "fr"}, "locale"),
    ({"channels": {"sms": True}}, "channels"),
    ({"kinds": {"spam": True}}, "kinds"),
    ({"quietHours": {"start": "22:00"}}, "quietHours"),
    ({"quietHours": {"start": "25:00", "end": "07:00"}}, "quietHours.start"),
    ({"quietHours": {"start": "08:00", "end": "08:00"}}, "quietHours"),
])
def test_bad_preferences_are_refused_naming_the_field(http: httpx.Client, account: Account, body: dict[str, Any],
                                                      field: str) -> None:
    assert_bad_request(http.put("/api/v1/notifications/preferences", json=body, headers=account.headers), field)


def test_the_inbox_pages_marks_read_and_is_its_owners(http: httpx.Client, account: Account,
                                                     new_account: Callable[[], Account]) -> None:
    with notifications() as stub:
        ids = [notify(stub, users=(account.id,), channels=("email",), title=f"Новость {n}") for n in range(3)]
    eventually(lambda: inbox(http, account)["unreadCount"] == 3, "three unread")
    seen, token = [], ""
    while True:
        page = inbox(http, account, pageSize=2, **({"pageToken": token} if token else {}))
        seen += [(n["id"], n["title"]) for n in page["notifications"]]
        token = page["nextPageToken"]
        if not token:
            break
    assert seen == [(i, f"Новость {n}") for n, i in reversed(list(enumerate(ids)))]
    read = http.post(f"/api/v1/notifications/{ids[0]}:read", json={}, headers=account.headers)
    assert read.status_code == 200 and read.json()["readTime"]
    assert inbox(http, account)["unreadCount"] == 2
    other = new_account()
    assert http.post(f"/api/v1/notifications/{ids[1]}:read", json={}, headers=other.headers).status_code == 404
    assert http.post(f"/api/v1/notifications/{uuid.uuid4()}:read", json={},
                     headers=account.headers).status_code == 404
    assert_bad_request(http.post("/api/v1/notifications/not-a-uuid:read", json={}, headers=account.headers), "id")
    assert_bad_request(http.get("/api/v1/notifications", params={"pageToken": "garbage"},
                                headers=account.headers), "pageToken")
    stolen = inbox(http, account, pageSize=1)["nextPageToken"]
    assert_bad_request(http.get("/api/v1/notifications", params={"pageToken": stolen}, headers=other.headers),
                       "pageToken")
    assert_bad_request(http.get("/api/v1/notifications", params={"pageSize": 1000}, headers=account.headers),
                       "pageSize")
    assert_unauthenticated(http.get("/api/v1/notifications"))


def test_notify_is_idempotent_per_key_and_names_a_missing_parameter(account: Account) -> None:
    key = f"test:{uuid.uuid4()}"
    with notifications() as stub:
        first = notify(stub, users=(account.id,), channels=("email",), key=key)
        assert notify(stub, users=(account.id,), channels=("email",), key=key) == first
        with pytest.raises(grpc.RpcError) as reused:
            notify(stub, users=(account.id,), channels=("email",), key=key, title="другое")
        assert reused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        with pytest.raises(grpc.RpcError) as missing:
            stub.Notify(pb.NotifyRequest(recipients=[pb.Recipient(user_id=account.id)], channels=["email"],
                                         template_id="message", parameters={"body": "без заголовка"},
                                         idempotency_key=f"test:{uuid.uuid4()}"), timeout=10)
        assert missing.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "title" in (missing.value.details() or "")
        with pytest.raises(grpc.RpcError) as unknown:
            stub.GetNotification(pb.GetNotificationRequest(id=str(uuid.uuid4())), timeout=10)
        assert unknown.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize("method", ["Notify", "GetNotification"])
def test_internal_methods_are_unreachable_through_the_gateway(method: str, account: Account) -> None:
    request: Any = (pb.NotifyRequest(recipients=[pb.Recipient(email="x@example.com")], channels=["email"],
                                     template_id="message", parameters={"title": "t", "body": "b"},
                                     idempotency_key="intruder")
                    if method == "Notify" else pb.GetNotificationRequest(id=str(uuid.uuid4())))
    with grpc.insecure_channel(f"127.0.0.1:{topology.GATEWAY_HTTP_PORT}") as channel, \
            pytest.raises(grpc.RpcError) as denied:
        getattr(pb_grpc.NotificationServiceStub(channel), method)(
            request, metadata=[("authorization", f"Bearer {account.access_token}")], timeout=10)
    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_no_rest_path_reaches_notify(http: httpx.Client, account: Account) -> None:
    for path in ("/api/v1/notify", "/api/v1/notifications", "/kulturago.notification.v1.NotificationService/Notify"):
        reply = http.post(path, json={"templateId": "message"}, headers=account.headers)
        assert reply.status_code in (403, 404, 405), (path, reply.text)


def test_the_service_refuses_a_notify_the_gateway_forwarded() -> None:
    with notifications() as stub, pytest.raises(grpc.RpcError) as refused:
        stub.GetNotification(pb.GetNotificationRequest(id=str(uuid.uuid4())),
                             metadata=[(CLIENT_IP_HEADER, "127.0.0.1")], timeout=10)
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
