"""Push to Android (and web) through Firebase Cloud Messaging's HTTP v1 API.

Auth is Google's service-account flow: a JWT (RS256, signed with the account's private
key; iss = client_email, aud = token_uri, scope firebase.messaging) is exchanged at
token_uri (grant_type jwt-bearer) for an access token, which is cached until a minute
before it expires and then fetched again (one fetch at a time).

What an answer means for the caller:
- 200 -> accepted;
- UNREGISTERED (404), INVALID_ARGUMENT about message.token (400), SENDER_ID_MISMATCH
  (403: the token belongs to another Firebase project) -> TokenGone: delete the token;
- 429 QUOTA_EXCEEDED, 500, 503, timeouts, refused connections -> ProviderUnavailable, with
  Retry-After when FCM gave one;
- 401 -> our access token is stale: fetched anew and the send retried once; a second 401,
  or a token endpoint that refuses us, -> ProviderUnavailable (configuration, not this push);
- any other 4xx -> Rejected (this message can never be sent).
"""

from __future__ import annotations

import asyncio
import json
import time
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

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"
_TOKEN_GONE_CODES = frozenset({"UNREGISTERED", "SENDER_ID_MISMATCH"})
_REFRESH_MARGIN_SECONDS = 60.0


class ServiceAccount:
    """The fields of a Google service-account JSON key that the flow needs."""

    def __init__(self, info: dict[str, Any]) -> None:
        try:
            self.client_email = str(info["client_email"])
            self.private_key = str(info["private_key"])
            self.token_uri = str(info["token_uri"])
            self.project_id = str(info["project_id"])
        except KeyError as exc:
            raise ValueError(f"the service account lacks {exc.args[0]}") from exc
        self.private_key_id = str(info.get("private_key_id", ""))

    @classmethod
    def from_file(cls, path: str) -> ServiceAccount:
        if not path:
            raise ValueError("the FCM service account file is not configured")
        with open(path) as file:
            return cls(json.load(file))


class FcmPushSender:
    def __init__(self, account: ServiceAccount, *, base_url: str = "https://fcm.googleapis.com",
                 timeout_seconds: float = 10.0, transport: httpx.AsyncBaseTransport | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self._account = account
        self._send_url = f"{base_url.rstrip('/')}/v1/projects/{account.project_id}/messages:send"
        self._http = httpx.AsyncClient(timeout=httpx.Timeout(timeout_seconds, connect=min(timeout_seconds, 3.0)),
                                       transport=transport)
        self._clock = clock
        self._access_token = ""
        self._expires_at = 0.0
        self._refreshing = asyncio.Lock()

    async def close(self) -> None:
        await self._http.aclose()

    # --- OAuth2 ---

    def _assertion(self) -> str:
        now = int(self._clock())
        claims = {"iss": self._account.client_email, "scope": SCOPE, "aud": self._account.token_uri,
                  "iat": now, "exp": now + 3600}
        headers = {"kid": self._account.private_key_id} if self._account.private_key_id else None
        return jwt.encode(claims, self._account.private_key, algorithm="RS256", headers=headers)

    async def _token(self, *, stale: str = "") -> str:
        """A valid access token; `stale`: the one FCM just refused, which is not reused."""
        async with self._refreshing:  # one exchange at a time; the others wait for its result
            if self._access_token and self._access_token != stale and (
                    self._clock() < self._expires_at - _REFRESH_MARGIN_SECONDS):
                return self._access_token
            try:
                reply = await self._http.post(self._account.token_uri,
                                              data={"grant_type": JWT_BEARER, "assertion": self._assertion()})
            except httpx.HTTPError as exc:
                raise ProviderUnavailable(f"FCM token endpoint: {type(exc).__name__}: {exc}".rstrip(": ")) from exc
            if reply.status_code != 200:
                # invalid_grant and friends are our configuration: no push can go, none is given up.
                raise ProviderUnavailable(f"FCM token endpoint refused: HTTP {reply.status_code} {reply.text[:300]}",
                                          retry_after_seconds(reply.headers.get("Retry-After")))
            try:
                body = reply.json()
                self._access_token = str(body["access_token"])
                self._expires_at = self._clock() + float(body.get("expires_in", 3600))
            except (ValueError, KeyError, TypeError) as exc:
                raise ProviderUnavailable("FCM token endpoint: a reply without access_token") from exc
            return self._access_token

    # --- messages:send ---

    @staticmethod
    def payload(push: OutgoingPush) -> dict[str, Any]:
        message: dict[str, Any] = {"token": push.token, "notification": {"title": push.title, "body": push.body}}
        if push.data:
            message["data"] = dict(push.data)
        android: dict[str, Any] = {"priority": "HIGH"}
        if push.collapse_key:
            android["collapse_key"] = push.collapse_key
        message["android"] = android
        return {"message": message}

    async def send(self, push: OutgoingPush) -> None:
        body = self.payload(push)
        access = await self._token()
        reply = await self._post(body, access)
        if reply.status_code == 401:  # revoked or expired early: a fresh token, once
            log.info("FCM refused our access token; fetching a new one")
            reply = await self._post(body, await self._token(stale=access))
            if reply.status_code == 401:
                raise ProviderUnavailable("FCM refused a fresh access token (HTTP 401): check the service account")
        if reply.status_code == 200:
            log.info("push sent", platform="fcm", delivery_id=push.delivery_id, name=_name(reply))
            return
        raise self._error(reply)

    async def _post(self, body: dict[str, Any], access: str) -> httpx.Response:
        try:
            return await self._http.post(self._send_url, json=body, headers={"Authorization": f"Bearer {access}"})
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"FCM: {type(exc).__name__}: {exc}".rstrip(": ")) from exc

    @staticmethod
    def _error(reply: httpx.Response) -> Exception:
        status = reply.status_code
        error: dict[str, Any] = {}
        try:
            parsed = reply.json()
            if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict):
                error = parsed["error"]
        except ValueError:
            pass
        details = [d for d in error.get("details", []) if isinstance(d, dict)]
        code = next((str(d.get("errorCode")) for d in details if d.get("@type") == FCM_ERROR), "")
        fields = {str(v.get("field", "")) for d in details if d.get("@type") == BAD_REQUEST
                  for v in d.get("fieldViolations", []) if isinstance(v, dict)}
        detail = f"FCM HTTP {status} {code or error.get('status', '')}: {error.get('message', reply.text[:300])}"
        if code in _TOKEN_GONE_CODES or (status == 400 and "message.token" in fields):
            return TokenGone(detail)
        if status == 429 or status >= 500:
            return ProviderUnavailable(detail, retry_after_seconds(reply.headers.get("Retry-After")))
        if status == 403:  # PERMISSION_DENIED on the project: our configuration
            return ProviderUnavailable(detail)
        return Rejected(detail)


def _name(reply: httpx.Response) -> str:
    try:
        return str(reply.json().get("name", ""))
    except ValueError:
        return ""
