"""Helpers of the notification channels' tests: the sandboxes `kgo up` runs for SMTP, FCM
and APNs (their control APIs) and the settings the service gets for them. Imported as
`channels_support` (tests/ is on sys.path)."""

from __future__ import annotations

import ssl
import uuid
from typing import Any

import httpx

from kgo import paths, platform, topology


def sandbox_url(name: str) -> str:
    return topology.sandbox(name).url


def service_env(*providers: str) -> dict[str, str]:
    """What a service naming these providers gets from `kgo up` (base URLs, credentials, ports)."""
    svc = topology.Service("channels-test", 0, 0, providers=providers)
    return {k: v for k, v in platform.service_env(svc).items() if k.startswith(("KGO_SMTP_", "KGO_FCM_", "KGO_APNS_"))}


def control(base: str) -> httpx.Client:
    """A client of a sandbox's control API (APNs' is HTTPS with the dev certificate)."""
    return httpx.Client(base_url=base, timeout=10,
                        verify=ssl.create_default_context(cafile=str(paths.DEV_CERTIFICATE)))


def inject_fault(base: str, method: str, mode: str, **fields: Any) -> None:
    with control(base) as http:
        http.post("/sandbox/faults", json={"method": method, "mode": mode, **fields}).raise_for_status()


def address() -> str:
    """A recipient no other test writes to."""
    return f"anna-{uuid.uuid4().hex[:10]}@example.com"


def mailbox(to: str) -> list[dict[str, Any]]:
    """The sink's messages to `to`, parsed, newest first (the sink stores a message before it
    answers DATA, so what a sender was told is accepted is already here)."""
    with control(sandbox_url("smtp")) as http:
        listed = http.get("/messages", params={"to": to}).raise_for_status().json()["messages"]
        return [http.get(f"/messages/{m['id']}").raise_for_status().json() for m in listed]
