"""The sandbox's HTTP server (aiohttp): Google's OAuth2 token endpoint, FCM's messages:send
and a control API. See the package docstring for the routes."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives import serialization

from sandboxes.faults import install, take
from sandboxes.fcm.settings import SandboxSettings
from sandboxes.fcm.store import Store

log = logging.getLogger("sandbox.fcm")

SETTINGS = web.AppKey("settings", SandboxSettings)
STORE = web.AppKey("store", Store)
ACCOUNT: web.AppKey[dict[str, Any]] = web.AppKey("account")
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"
_STATUS_NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}
_FCM_CODES = {400: "INVALID_ARGUMENT", 404: "UNREGISTERED", 429: "QUOTA_EXCEEDED",
              500: "INTERNAL", 503: "UNAVAILABLE"}


def fcm_error(status: int, message: str, *, error_code: str | None = None, field: str | None = None,
              headers: dict[str, str] | None = None) -> web.Response:
    """An error as FCM answers it: google.rpc.Status JSON with an FcmError (and BadRequest) detail."""
    details: list[dict[str, Any]] = []
    code = error_code or _FCM_CODES.get(status)
    if code and status != 401:
        details.append({"@type": FCM_ERROR, "errorCode": code})
    if field:
        details.append({"@type": BAD_REQUEST, "fieldViolations": [{"field": field, "description": message}]})
    body = {"error": {"code": status, "message": message, "status": _STATUS_NAMES.get(status, "UNKNOWN"),
                      "details": details}}
    return web.json_response(body, status=status, headers=headers)


def _oauth_error(error: str, description: str, status: int = 400) -> web.Response:
    return web.json_response({"error": error, "error_description": description}, status=status)


async def _fault(request: web.Request, method: str, params: dict[str, Any]) -> web.Response | None:
    fault = take(request.app, method, params)
    if fault is None:
        return None
    if fault.mode == "stall":
        await asyncio.sleep(fault.seconds)
        return None
    headers = {"Retry-After": str(int(fault.seconds))} if fault.seconds > 0 else None
    if method == "token":
        return web.json_response({"error": "internal_failure", "error_description": fault.message},
                                 status=fault.status, headers=headers)
    return fcm_error(fault.status, fault.message, headers=headers)


# --- OAuth2 ---

async def token(request: web.Request) -> web.Response:
    form = await request.post()
    if (refusal := await _fault(request, "token", dict(form))) is not None:
        return refusal
    if form.get("grant_type") != JWT_BEARER:
        return _oauth_error("unsupported_grant_type", "Invalid grant_type: " + str(form.get("grant_type", "")))
    assertion = str(form.get("assertion", ""))
    account = request.app[ACCOUNT]
    try:
        header = jwt.get_unverified_header(assertion)
        if header.get("kid") not in (None, account["private_key_id"]):
            return _oauth_error("invalid_grant", "Invalid JWT Signature.")  # Google: a key it does not know
        claims = jwt.decode(assertion, account["public_key"], algorithms=["RS256"], audience=account["token_uri"],
                            issuer=account["client_email"], options={"require": ["iss", "aud", "iat", "exp"]},
                            leeway=5)
    except jwt.ExpiredSignatureError:
        return _oauth_error("invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in "
                                             "a reasonable timeframe. Check your iat and exp values in the JWT claim.")
    except (jwt.InvalidAudienceError, jwt.InvalidIssuerError, jwt.MissingRequiredClaimError) as exc:
        return _oauth_error("invalid_grant", f"Invalid JWT: {exc}")
    except jwt.InvalidTokenError:
        return _oauth_error("invalid_grant", "Invalid JWT Signature.")
    if int(claims["exp"]) - int(claims["iat"]) > 3600 or int(claims["iat"]) > time.time() + 60:
        return _oauth_error("invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
                                             "reasonable timeframe. Check your iat and exp values in the JWT claim.")
    if SCOPE not in str(claims.get("scope", "")).split():
        return _oauth_error("invalid_scope", f"The scope must include {SCOPE}")
    access = "ya29.sandbox-" + secrets.token_urlsafe(32)
    seconds = request.app[SETTINGS].access_token_seconds
    request.app[STORE].issue(access, time.time() + seconds)
    return web.json_response({"access_token": access, "expires_in": seconds, "token_type": "Bearer"})


# --- FCM HTTP v1 ---

def _validate(message: Any) -> tuple[str, str] | None:
    """(field, problem) of the first thing FCM would refuse in `message`, or None."""
    if not isinstance(message, dict):
        return "message", "message must be an object"
    targets = [k for k in ("token", "topic", "condition") if message.get(k)]
    if targets != ["token"]:
        return "message", "exactly one of token, topic, condition is required (the sandbox sends to tokens)"
    if not isinstance(message["token"], str) or message["token"].startswith("invalid-") or any(
            c.isspace() for c in message["token"]):
        return "message.token", "The registration token is not a valid FCM registration token"
    notification = message.get("notification", {})
    if not isinstance(notification, dict) or any(
            not isinstance(notification.get(k, ""), str) for k in ("title", "body", "image")):
        return "message.notification", "title, body and image are strings"
    data = message.get("data", {})
    if not isinstance(data, dict):
        return "message.data", "data is a map of strings"
    for key, value in data.items():
        if not isinstance(value, str):
            return f"message.data[{key}]", "Invalid value: data values must be strings"
        if key in ("from", "notification", "message_type") or key.startswith(("google", "gcm")):
            return f"message.data[{key}]", "Invalid data payload key: reserved"
    android = message.get("android", {})
    if not isinstance(android, dict) or not isinstance(android.get("collapse_key", ""), str) or android.get(
            "priority", "normal").lower() not in ("normal", "high"):
        return "message.android", "collapse_key is a string, priority NORMAL or HIGH"
    if len(json.dumps({"notification": notification, "data": data})) > 4096:
        return "message", "Message payload exceeds 4096 bytes"
    return None


async def send(request: web.Request) -> web.Response:
    store, account = request.app[STORE], request.app[ACCOUNT]
    scheme, _, access = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not store.token_valid(access.strip(), time.time()):
        return fcm_error(401, "Request had invalid authentication credentials. Expected OAuth 2 access token, "
                              "login cookie or other valid authentication credential.")
    project = request.match_info["project"]
    if project != account["project_id"]:
        return fcm_error(403, f"Permission 'cloudmessaging.messages.create' denied on resource "
                              f"'//cloudresourcemanager.googleapis.com/projects/{project}'")
    try:
        body = await request.json()
    except (ValueError, json.JSONDecodeError):
        return fcm_error(400, "Invalid JSON payload received.")
    message = body.get("message") if isinstance(body, dict) else None
    device = str(message.get("token", "")) if isinstance(message, dict) else ""
    if (refusal := await _fault(request, "messages:send", {"token": device})) is not None:
        return refusal
    if (problem := _validate(message)) is not None:
        return fcm_error(400, problem[1], field=problem[0])
    assert isinstance(message, dict)
    if device.startswith("unregistered-") or store.is_unregistered(device):
        return fcm_error(404, "Requested entity was not found.", error_code="UNREGISTERED")
    number = store.add_message(project, device, message)
    log.info("message %d to %s…: %r", number, device[:12], message.get("notification", {}).get("title", ""))
    return web.json_response({"name": f"projects/{project}/messages/{number}"})


# --- control API ---

async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def messages(request: web.Request) -> web.Response:
    return web.json_response({"messages": request.app[STORE].messages(request.query.get("token", ""))})


async def unregister(request: web.Request) -> web.Response:
    request.app[STORE].unregister(request.match_info["token"])
    return web.json_response({"unregistered": request.match_info["token"]})


async def expire_access_tokens(request: web.Request) -> web.Response:
    request.app[STORE].expire_tokens()
    return web.json_response({"expired": True})


def _load_account(path: str) -> dict[str, Any]:
    if not path:
        raise SystemExit("sandbox: KGO_FCM_SERVICE_ACCOUNT_FILE must name the service account file")
    with open(path) as file:
        account: dict[str, Any] = json.load(file)
    key = serialization.load_pem_private_key(account["private_key"].encode(), password=None)
    account["public_key"] = key.public_key()
    return account


def build(settings: SandboxSettings) -> web.Application:
    app = web.Application()
    app[SETTINGS] = settings
    app[ACCOUNT] = _load_account(settings.service_account_file)
    app[STORE] = Store(settings.state_file)
    app.router.add_post("/token", token)
    app.router.add_post("/v1/projects/{project}/messages:send", send)
    app.router.add_get("/sandbox/health", health)
    app.router.add_get("/sandbox/messages", messages)
    app.router.add_post("/sandbox/tokens/{token}/unregister", unregister)
    app.router.add_post("/sandbox/access-tokens/expire", expire_access_tokens)
    install(app, ("messages:send", "token"), ("error", "stall"), default_seconds={"stall": 30.0})

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        yield
        app[STORE].close()

    app.cleanup_ctx.append(lifecycle)
    return app
