"""Helpers for the auth tests: reading google.rpc error bodies, forging JWTs.

Imported by test modules as `auth_support` (tests/ is on sys.path, see kafka_support).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import grpc
import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from google.rpc import error_details_pb2, status_pb2

from kgo import paths

ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"
BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"
ACCESS_TYPE = "at+jwt"


# --- accounts --------------------------------------------------------------------

@dataclass
class Account:
    id: str
    email: str
    login: str
    password: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


def sign_up_and_in(http: httpx.Client, *, full_name: str = "Тест Тестович") -> Account:
    suffix = uuid.uuid4().hex[:10]
    email, login, password = f"user-{suffix}@example.com", f"user_{suffix}", f"pw-{suffix}-long"
    reply = http.post("/api/v1/auth/signup",
                      json={"email": email, "login": login, "password": password, "fullName": full_name})
    assert reply.status_code == 200, reply.text
    user_id = reply.json()["id"]
    tokens = http.post("/api/v1/auth/signin", json={"login": login, "password": password})
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    return Account(user_id, email, login, password, body["accessToken"], body["refreshToken"])


# --- error bodies (JSON rendered by Envoy from google.rpc.Status) -----------------

def _details(body: dict[str, Any], type_url: str) -> list[dict[str, Any]]:
    return [d for d in body.get("details", []) if d.get("@type") == type_url]


def error_reason(reply: httpx.Response) -> str:
    infos = _details(reply.json(), ERROR_INFO)
    assert len(infos) == 1, f"expected one ErrorInfo: {reply.text}"
    return str(infos[0]["reason"])


def violated_fields(reply: httpx.Response) -> list[str]:
    return [v["field"] for bad in _details(reply.json(), BAD_REQUEST) for v in bad.get("fieldViolations", [])]


def assert_bad_request(reply: httpx.Response, field: str) -> None:
    """400 with a google.rpc.BadRequest naming `field` (its JSON name)."""
    assert reply.status_code == 400, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    assert reply.json()["code"] == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert field in violated_fields(reply), reply.text


def assert_unauthenticated(reply: httpx.Response) -> None:
    assert reply.status_code == 401, reply.text
    assert reply.json()["code"] == grpc.StatusCode.UNAUTHENTICATED.value[0], reply.text


def grpc_error_info(error: grpc.RpcError) -> error_details_pb2.ErrorInfo:
    """The ErrorInfo of the rich status in the trailers (grpc-status-details-bin)."""
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            status = status_pb2.Status.FromString(value)
            for detail in status.details:
                info = error_details_pb2.ErrorInfo()
                if detail.Unpack(info):
                    return info
    raise AssertionError(f"no ErrorInfo in {error!r}")


def grpc_error_reason(error: grpc.RpcError) -> str:
    return str(grpc_error_info(error).reason)


GATEWAY_DOMAIN = "gateway.kulturago.ru"  # ErrorInfo.domain of the gateway's own refusals


def assert_refused_by_gateway(error: grpc.RpcError, reason: str) -> None:
    """The gateway's own refusal (kgo/gateway_grpc.py), not the service's."""
    info = grpc_error_info(error)
    assert (info.domain, info.reason) == (GATEWAY_DOMAIN, reason), (error, info)


# --- JWT forging -----------------------------------------------------------------

def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def compact_jws(header: dict[str, Any], claims: dict[str, Any], sign: Callable[[bytes], bytes]) -> str:
    """A JWS built by hand, so that tests can produce what pyjwt refuses to
    (alg=none, HS256 keyed with a public key)."""
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    return f"{signing_input}.{b64url(sign(signing_input.encode()))}"


def unsigned_token(claims: dict[str, Any], kid: str) -> str:
    return compact_jws({"alg": "none", "typ": ACCESS_TYPE, "kid": kid}, claims, lambda _: b"")


def hs256_token(claims: dict[str, Any], kid: str, secret: bytes) -> str:
    return compact_jws({"alg": "HS256", "typ": ACCESS_TYPE, "kid": kid}, claims,
                       lambda data: hmac.new(secret, data, hashlib.sha256).digest())


def access_claims(*, user_id: str, session_id: str, issuer: str, audience: str, ttl: int = 900,
                  **overrides: Any) -> dict[str, Any]:
    """The claims auth-service puts in an access token, with `overrides` applied."""
    now = int(time.time())
    claims = {"iss": issuer, "aud": audience, "sub": user_id, "sid": session_id, "jti": str(uuid.uuid4()),
              "iat": now, "exp": now + ttl, "roles": ["user"]}
    claims.update(overrides)
    return claims


def sign_eddsa(claims: dict[str, Any], key: ed25519.Ed25519PrivateKey, kid: str, *, typ: str = ACCESS_TYPE) -> str:
    return jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": kid, "typ": typ})


def platform_signing_key() -> ed25519.Ed25519PrivateKey:
    """The dev platform's real JWT signing key: forged tokens signed with it are
    cryptographically valid, so only the defect under test can make them fail."""
    key = serialization.load_pem_private_key((paths.SECRETS / "jwt-signing-key.pem").read_bytes(), password=None)
    assert isinstance(key, ed25519.Ed25519PrivateKey)
    return key


def unverified_claims(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))
