"""Push to iOS through Apple Push Notification service's provider API: HTTP/2 only, over
TLS, token-based auth.

The provider token is an ES256 JWT (header kid = the auth key's id, claims iss = team id,
iat) signed with the .p8 auth key. Apple wants it reused: a new one at most every 20
minutes, and it expires after an hour, so one is made every 50 minutes (and at once when
APNs answers ExpiredProviderToken, then the push is retried once).

What an answer means for the caller:
- 200 -> accepted;
- 410 Unregistered, 400 BadDeviceToken or DeviceTokenNotForTopic -> TokenGone;
- 429, 500, 503, timeouts, refused or reset connections -> ProviderUnavailable (with
  Retry-After when given);
- a refusal of our credentials or configuration (403 InvalidProviderToken, a second
  ExpiredProviderToken, MissingTopic, TopicDisallowed, ...) -> ProviderUnavailable too:
  every push would fail alike, so none is given up on;
- any other 4xx (PayloadTooLarge, BadCollapseId, ...) -> Rejected.
"""

from __future__ import annotations

import asyncio
import ssl
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import jwt

from services.notification.adapters.retry_after import retry_after_seconds
from services.notification.service_layer.channels import (
    OutgoingPush,
    ProviderUnavailable,
    Rejected,
    TokenGone,
)
from services.runtime.logging import get_logger

log = get_logger(__name__)

_TOKEN_GONE = frozenset({"Unregistered", "BadDeviceToken", "DeviceTokenNotForTopic"})
_CONFIGURATION = frozenset({"InvalidProviderToken", "MissingProviderToken", "ExpiredProviderToken", "BadCertificate",
                            "BadCertificateEnvironment", "Forbidden", "MissingTopic", "TopicDisallowed", "BadTopic",
                            "TooManyProviderTokenUpdates", "BadPath", "MethodNotAllowed"})


class ApnsPushSender:
    def __init__(self, *, auth_key: str, key_id: str, team_id: str, topic: str,
                 base_url: str = "https://api.push.apple.com", ca_file: str = "", timeout_seconds: float = 10.0,
                 token_max_age_seconds: float = 50 * 60, clock: Callable[[], float] = time.time,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        """`auth_key`: the .p8 key's PEM text (see `from_key_file`)."""
        if not (auth_key and key_id and team_id and topic):
            raise ValueError("APNs auth key, key id, team id and topic must all be configured")
        self._key, self._key_id, self._team_id, self._topic = auth_key, key_id, team_id, topic
        self._base = base_url.rstrip("/")
        verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=ca_file) if ca_file else True
        self._http = httpx.AsyncClient(http2=True, verify=verify, transport=transport,
                                       timeout=httpx.Timeout(timeout_seconds, connect=min(timeout_seconds, 3.0)))
        self._max_age = token_max_age_seconds
        self._clock = clock
        self._token = ""
        self._token_made = 0.0
        self._lock = asyncio.Lock()

    @classmethod
    def from_key_file(cls, auth_key_file: str, **kwargs: Any) -> ApnsPushSender:
        if not auth_key_file:
            raise ValueError("the APNs auth key file (.p8) is not configured")
        with open(auth_key_file) as file:
            return cls(auth_key=file.read(), **kwargs)

    async def close(self) -> None:
        await self._http.aclose()

    async def _provider_token(self, *, stale: str = "") -> str:
        async with self._lock:
            now = self._clock()
            if self._token and self._token != stale and now - self._token_made < self._max_age:
                return self._token
            self._token = jwt.encode({"iss": self._team_id, "iat": int(now)}, self._key, algorithm="ES256",
                                     headers={"kid": self._key_id})
            self._token_made = now
            return self._token

    @staticmethod
    def payload(push: OutgoingPush) -> dict[str, Any]:
        # Custom keys sit beside "aps" (Apple's layout); "aps" itself is ours.
        return {**push.data, "aps": {"alert": {"title": push.title, "body": push.body}, "sound": "default"}}

    def _headers(self, push: OutgoingPush, token: str) -> dict[str, str]:
        headers = {"authorization": f"bearer {token}", "apns-topic": self._topic, "apns-push-type": "alert",
                   "apns-priority": "10", "apns-id": _apns_id(push.delivery_id)}
        if push.collapse_key:
            headers["apns-collapse-id"] = push.collapse_key
        return headers

    async def send(self, push: OutgoingPush) -> None:
        body = self.payload(push)
        token = await self._provider_token()
        reply = await self._post(push, body, token)
        if reply.status_code == 403 and _reason(reply) == "ExpiredProviderToken":
            log.info("APNs says our provider token expired; signing a new one")
            reply = await self._post(push, body, await self._provider_token(stale=token))
        if reply.status_code == 200:
            log.info("push sent", platform="apns", delivery_id=push.delivery_id, apns_id=reply.headers.get("apns-id"))
            return
        raise _error(reply)

    async def _post(self, push: OutgoingPush, body: dict[str, Any], token: str) -> httpx.Response:
        try:
            return await self._http.post(f"{self._base}/3/device/{push.token}", json=body,
                                         headers=self._headers(push, token))
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"APNs: {type(exc).__name__}: {exc}".rstrip(": ")) from exc


def _apns_id(delivery_id: str) -> str:
    """APNs wants a UUID: ours when the delivery id is one (so Apple's logs name our delivery)."""
    try:
        return str(uuid.UUID(delivery_id))
    except ValueError:
        return str(uuid.uuid4())


def _reason(reply: httpx.Response) -> str:
    try:
        return str(reply.json().get("reason", ""))
    except (ValueError, AttributeError):
        return ""


def _error(reply: httpx.Response) -> Exception:
    status, reason = reply.status_code, _reason(reply)
    detail = f"APNs HTTP {status} {reason}".strip()
    if status == 410 or reason in _TOKEN_GONE:
        return TokenGone(detail)
    if status == 429 or status >= 500 or reason in _CONFIGURATION or status == 403:
        return ProviderUnavailable(detail, retry_after_seconds(reply.headers.get("Retry-After")))
    return Rejected(detail)
