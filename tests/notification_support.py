"""Helpers of notification-service's tests against the running platform: its gRPC port
(Notify and GetNotification answer only there), the SMTP sink's and the FCM sandbox's
HTTP APIs (what reached the outside world), devices and preferences over REST, and the
service's own database where a test must look at the delivery log.
Imported as `notification_support` (tests/ is on sys.path)."""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import grpc
import httpx
import psycopg
from auth_support import Account

from kgo import paths, provision, topology
from kulturago.notification.v1 import notification_service_pb2 as pb
from kulturago.notification.v1 import notification_service_pb2_grpc as pb_grpc

NOTIFICATION_GRPC = f"127.0.0.1:{topology.service('notification').grpc_port}"
NOTIFICATION_DB = topology.database_url("notification", provision.postgres_password())
SMTP_SINK = topology.sandbox("smtp").url
FCM = topology.sandbox("fcm").url
T = TypeVar("T")


def eventually(probe: Callable[[], T | None], what: str, timeout: float = 30.0, every: float = 0.1) -> T:
    """The first truthy answer of `probe`, or a failure naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(every)


def kgo(*args: str) -> None:
    done = subprocess.run([str(paths.VENV / "bin" / "kgo"), *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"kgo {' '.join(args)}: {done.stdout}{done.stderr}"


# --- the SMTP sink ---------------------------------------------------------------

def mails(to: str) -> list[dict[str, Any]]:
    """Messages the sink received for `to`, newest first (summaries)."""
    reply = httpx.get(f"{SMTP_SINK}/messages", params={"to": to, "limit": 50}, timeout=10)
    reply.raise_for_status()
    found: list[dict[str, Any]] = reply.json()["messages"]
    return found


def mail(message_id: int) -> dict[str, Any]:
    reply = httpx.get(f"{SMTP_SINK}/messages/{message_id}", timeout=10)
    reply.raise_for_status()
    found: dict[str, Any] = reply.json()
    return found


def attachment(message_id: int, index: int) -> bytes:
    reply = httpx.get(f"{SMTP_SINK}/messages/{message_id}/attachments/{index}", timeout=10)
    reply.raise_for_status()
    return reply.content


def wait_mail(to: str, subject_has: str = "", timeout: float = 30.0) -> dict[str, Any]:
    """The newest message to `to` whose subject contains `subject_has`, parsed."""
    found = eventually(lambda: [m for m in mails(to) if subject_has in m["subject"]], f"a mail to {to}", timeout)
    return mail(found[0]["id"])


def smtp_fault(**fault: Any) -> None:
    httpx.post(f"{SMTP_SINK}/sandbox/faults", json=fault, timeout=10).raise_for_status()


# --- the FCM sandbox ---------------------------------------------------------------

def pushes(token: str) -> list[dict[str, Any]]:
    reply = httpx.get(f"{FCM}/sandbox/messages", params={"token": token}, timeout=10)
    reply.raise_for_status()
    found: list[dict[str, Any]] = reply.json()["messages"]
    return found


def fcm_token(prefix: str = "e2e") -> str:
    """A registration token no one else uses (the sandbox accepts any that is not
    `unregistered-`/`invalid-`)."""
    return f"{prefix}-{uuid.uuid4().hex}:APA91b{uuid.uuid4().hex}"


# --- REST: devices, preferences ----------------------------------------------------

def register_device(http: httpx.Client, who: Account, token: str, platform: str = "fcm",
                    locale: str = "") -> httpx.Response:
    return http.post("/api/v1/devices", json={"token": token, "platform": platform, "locale": locale},
                     headers=who.headers)


def set_preferences(http: httpx.Client, who: Account, **body: Any) -> dict[str, Any]:
    reply = http.put("/api/v1/notifications/preferences", json=body, headers=who.headers)
    assert reply.status_code == 200, reply.text
    found: dict[str, Any] = reply.json()
    return found


def inbox(http: httpx.Client, who: Account, **params: Any) -> dict[str, Any]:
    reply = http.get("/api/v1/notifications", params=params, headers=who.headers)
    assert reply.status_code == 200, reply.text
    found: dict[str, Any] = reply.json()
    return found


# --- gRPC: what other services call --------------------------------------------------

@contextmanager
def notifications() -> Iterator[pb_grpc.NotificationServiceStub]:
    with grpc.insecure_channel(NOTIFICATION_GRPC) as channel:
        yield pb_grpc.NotificationServiceStub(channel)


def notify(stub: pb_grpc.NotificationServiceStub, *, users: tuple[str, ...] = (), emails: tuple[str, ...] = (),
           channels: tuple[str, ...] = ("email", "push"), title: str = "Проверка", body: str = "Текст",
           key: str | None = None) -> str:
    recipients = [pb.Recipient(user_id=u) for u in users] + [pb.Recipient(email=e) for e in emails]
    reply = stub.Notify(pb.NotifyRequest(recipients=recipients, channels=list(channels), template_id="message",
                                         parameters={"title": title, "body": body},
                                         idempotency_key=key or f"test:{uuid.uuid4()}"), timeout=10)
    return str(reply.notification_id)


def deliveries(stub: pb_grpc.NotificationServiceStub, notification_id: str) -> list[pb.Delivery]:
    return list(stub.GetNotification(pb.GetNotificationRequest(id=notification_id), timeout=10).deliveries)


def settled(stub: pb_grpc.NotificationServiceStub, notification_id: str, channel: str, state: int,
            timeout: float = 30.0) -> pb.Delivery:
    """The notification's first delivery on `channel` once it is in `state`."""
    def probe() -> pb.Delivery | None:
        return next((d for d in deliveries(stub, notification_id) if d.channel == channel and d.state == state), None)

    return eventually(probe, f"a {channel} delivery in state {pb.DeliveryState.Name(state)}", timeout)


# --- the service's own records -----------------------------------------------------------

def notifications_of(source_key_like: str) -> int:
    with psycopg.connect(NOTIFICATION_DB) as conn:
        row = conn.execute("SELECT count(*) FROM notifications WHERE source_key LIKE %s", (source_key_like,)).fetchone()
    return int(row[0]) if row else 0
