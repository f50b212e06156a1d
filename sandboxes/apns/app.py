"""The sandbox as an ASGI application (served by hypercorn for HTTP/2): APNs' provider API
and the control API. See the package docstring for the routes."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import string
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey

from sandboxes.apns.settings import SandboxSettings
from sandboxes.apns.store import Store
from sandboxes.faults import FaultQueues

log = logging.getLogger("sandbox.apns")

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
PUSH_TYPES = ("alert", "background", "location", "voip", "complication", "fileprovider", "mdm", "liveactivity",
              "pushtotalk")
PROVIDER_TOKEN_SECONDS = 3600
MAX_PAYLOAD = 4096
_FAULT_REASONS = {403: "ExpiredProviderToken", 429: "TooManyRequests", 500: "InternalServerError",
                  503: "ServiceUnavailable"}
_DEVICE = re.compile(r"/3/device/([^/]+)")
_UNREGISTER = re.compile(r"/sandbox/tokens/([^/]+)/unregister")


@dataclass
class Reply:
    status: int
    body: dict[str, Any] | None = None
    headers: dict[str, str] | None = None


def _error(status: int, reason: str, **extra: Any) -> Reply:
    return Reply(status, {"reason": reason, **extra})


class Apns:
    def __init__(self, settings: SandboxSettings) -> None:
        if not (settings.auth_key_file and settings.key_id and settings.team_id):
            raise SystemExit("sandbox: KGO_APNS_AUTH_KEY_FILE, KGO_APNS_KEY_ID and KGO_APNS_TEAM_ID must be set")
        self._settings = settings
        with open(settings.auth_key_file, "rb") as file:
            key = serialization.load_pem_private_key(file.read(), password=None)
        public = key.public_key()
        assert isinstance(public, EllipticCurvePublicKey)
        self._public_key = public
        self._store: Store | None = None
        self.faults = FaultQueues(("push",), ("error", "stall"), default_seconds={"stall": 30.0})

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self._settings.state_file)
        return self._store

    # --- ASGI ---

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        body = b""
        while True:
            event = await receive()
            body += event.get("body", b"")
            if not event.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        reply = await self._route(scope, headers, body)
        out = [(b"content-type", b"application/json")] if reply.body is not None else []
        out += [(k.encode(), v.encode()) for k, v in (reply.headers or {}).items()]
        payload = json.dumps(reply.body).encode() if reply.body is not None else b""
        await send({"type": "http.response.start", "status": reply.status,
                    "headers": [*out, (b"content-length", str(len(payload)).encode())]})
        await send({"type": "http.response.body", "body": payload})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            event = await receive()
            if event["type"] == "lifespan.startup":
                _ = self.store
                await send({"type": "lifespan.startup.complete"})
            elif event["type"] == "lifespan.shutdown":
                if self._store is not None:
                    self._store.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _route(self, scope: dict[str, Any], headers: dict[str, str], body: bytes) -> Reply:
        method, path = scope["method"], scope["path"]
        query = {k: v[0] for k, v in parse_qs(scope.get("query_string", b"").decode()).items()}
        if method == "POST" and (match := _DEVICE.fullmatch(path)):
            if scope.get("http_version") != "2":
                return _error(505, "HTTP/2 is required")  # APNs speaks nothing else
            return await self.push(unquote(match[1]), headers, body)
        if method == "GET" and path == "/sandbox/health":
            return Reply(200, {"status": "ok"})
        if method == "GET" and path == "/sandbox/messages":
            return Reply(200, {"messages": self.store.deliveries(query.get("token", ""))})
        if method == "POST" and (match := _UNREGISTER.fullmatch(path)):
            self.store.unregister(unquote(match[1]), time.time())
            return Reply(200, {"unregistered": unquote(match[1])})
        if path == "/sandbox/faults" and method in ("POST", "DELETE"):
            if method == "DELETE":
                self.faults.clear()
                return Reply(200, {"cleared": True})
            try:
                status, reply = self.faults.add(json.loads(body or b"{}"))
            except ValueError:
                status, reply = 400, {"error": "the body is not JSON"}
            return Reply(status, reply)
        return _error(404 if method in ("GET", "POST", "DELETE") else 405, "BadPath")

    # --- the provider API ---

    def _provider_token(self, headers: dict[str, str]) -> Reply | int:
        """The provider token's iat, or the refusal Apple would send."""
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _error(403, "MissingProviderToken")
        try:
            header = jwt.get_unverified_header(token.strip())
            if header.get("alg") != "ES256" or header.get("kid") != self._settings.key_id:
                return _error(403, "InvalidProviderToken")
            claims = jwt.decode(token.strip(), self._public_key, algorithms=["ES256"], issuer=self._settings.team_id,
                                options={"require": ["iss", "iat"], "verify_iat": False})
            iat = int(claims["iat"])
        except (jwt.InvalidTokenError, TypeError, ValueError):
            return _error(403, "InvalidProviderToken")
        now = time.time()
        if iat > now + 60:
            return _error(403, "InvalidProviderToken")
        if now - iat > PROVIDER_TOKEN_SECONDS:
            return _error(403, "ExpiredProviderToken")
        return iat

    async def push(self, device: str, headers: dict[str, str], body: bytes) -> Reply:
        iat = self._provider_token(headers)
        if isinstance(iat, Reply):
            return iat
        if (fault := self.faults.take("push", {"token": device})) is not None:
            if fault.mode == "stall":
                await asyncio.sleep(fault.seconds)
            else:
                reason = fault.message if fault.message.isalpha() else _FAULT_REASONS.get(fault.status, "BadPath")
                extra = {"Retry-After": str(int(fault.seconds))} if fault.seconds > 0 else None
                return Reply(fault.status, {"reason": reason}, extra)
        topic = headers.get("apns-topic", "")
        if not topic:
            return _error(400, "MissingTopic")
        if topic != self._settings.topic:
            return _error(400, "TopicDisallowed")
        push_type = headers.get("apns-push-type", "alert")
        if push_type not in PUSH_TYPES:
            return _error(400, "InvalidPushType")
        apns_id = headers.get("apns-id") or str(uuid.uuid4())
        try:
            uuid.UUID(apns_id)
        except ValueError:
            return _error(400, "BadMessageId")
        collapse_id = headers.get("apns-collapse-id")
        if collapse_id is not None and len(collapse_id.encode()) > 64:
            return _error(400, "BadCollapseId")
        priority = headers.get("apns-priority", "10")
        if priority not in ("1", "5", "10"):
            return _error(400, "BadPriority")
        if not (64 <= len(device) <= 200 and all(c in string.hexdigits for c in device)):
            return _error(400, "BadDeviceToken")
        if not body:
            return _error(400, "PayloadEmpty")
        if len(body) > MAX_PAYLOAD:
            return _error(413, "PayloadTooLarge")
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        if not isinstance(payload, dict) or not isinstance(payload.get("aps"), dict):
            return _error(400, "BadPayload")
        since = self.store.unregistered_since(device)
        if since is None and device.lower().startswith("dead"):
            since = time.time()
        if since is not None:
            return _error(410, "Unregistered", timestamp=int(since * 1000))
        self.store.add(device, {"token": device, "apnsId": apns_id, "topic": topic, "pushType": push_type,
                                "collapseId": collapse_id, "priority": int(priority), "payload": payload,
                                "providerTokenIat": iat, "httpVersion": "2"})
        log.info("push %s to %s…: %r", apns_id, device[:12], payload["aps"].get("alert"))
        return Reply(200, None, {"apns-id": apns_id, "apns-unique-id": str(uuid.uuid4())})
