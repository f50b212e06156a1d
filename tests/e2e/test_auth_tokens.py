"""Access-token checks at the gateway (Envoy jwt_authn) and again in auth-service
itself (no trust in whoever reaches its gRPC port)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import grpc
import httpx
import pytest
from auth_support import (
    Account,
    access_claims,
    assert_unauthenticated,
    b64url_decode,
    error_reason,
    grpc_error_reason,
    hs256_token,
    platform_signing_key,
    sign_eddsa,
    unsigned_token,
    unverified_claims,
)
from cryptography.hazmat.primitives.asymmetric import ed25519

from kgo import topology
from kulturago.auth.v1 import auth_service_pb2 as pb
from kulturago.auth.v1 import auth_service_pb2_grpc as pb_grpc
from services.runtime.settings import ServiceSettings

SETTINGS = ServiceSettings()  # the issuer and audience every service is configured with
AUTH_GRPC = f"127.0.0.1:{topology.service('auth').grpc_port}"


@pytest.fixture(scope="module")
def jwk(http: httpx.Client) -> dict[str, Any]:
    return dict(http.get("/.well-known/jwks.json").json()["keys"][0])


# A forger gets the account's own, valid claims and the published JWK, and returns a token.
Forger = Callable[[Account, dict[str, Any]], str]


def claims_of(account: Account, **overrides: Any) -> dict[str, Any]:
    """The account's real session, so a forged token fails only for the defect under test."""
    real = unverified_claims(account.access_token)
    return access_claims(user_id=real["sub"], session_id=real["sid"], issuer=SETTINGS.jwt_issuer,
                         audience=SETTINGS.jwt_audience, **overrides)


def signed(account: Account, jwk: dict[str, Any], *, typ: str = "at+jwt", **overrides: Any) -> str:
    return sign_eddsa(claims_of(account, **overrides), platform_signing_key(), jwk["kid"], typ=typ)


def _expired() -> dict[str, int]:
    now = int(time.time())
    return {"iat": now - 7200, "exp": now - 3600}


FORGERIES: dict[str, Forger] = {
    "alg-none": lambda a, jwk: unsigned_token(claims_of(a), jwk["kid"]),
    "hs256-keyed-with-jwks-public-key": lambda a, jwk: hs256_token(claims_of(a), jwk["kid"], b64url_decode(jwk["x"])),
    "wrong-aud": lambda a, jwk: signed(a, jwk, aud="some-other-api"),
    "wrong-iss": lambda a, jwk: signed(a, jwk, iss="https://evil.example"),
    "expired": lambda a, jwk: signed(a, jwk, **_expired()),
    "unknown-kid": lambda a, jwk: sign_eddsa(claims_of(a), ed25519.Ed25519PrivateKey.generate(), "unknown-kid"),
    "foreign-key-real-kid": lambda a, jwk: sign_eddsa(claims_of(a), ed25519.Ed25519PrivateKey.generate(),
                                                      jwk["kid"]),
    "refresh-token-as-access": lambda a, jwk: a.refresh_token,
    "garbage": lambda a, jwk: "garbage",
    # Valid for Envoy (which does not look at typ), refused by the service's own check.
    "typ-not-at+jwt": lambda a, jwk: signed(a, jwk, typ="JWT"),
}


def test_forging_helpers_make_valid_tokens(http: httpx.Client, account: Account, jwk: dict[str, Any]) -> None:
    # Control: the same machinery without a defect is accepted, so every rejection
    # below is caused by its defect alone.
    reply = http.get("/api/v1/me", headers={"Authorization": f"Bearer {signed(account, jwk)}"})
    assert reply.status_code == 200, reply.text
    assert reply.json()["id"] == account.id


@pytest.mark.parametrize("forgery", [pytest.param(forger, id=name) for name, forger in FORGERIES.items()])
@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/profile"])
def test_gateway_refuses_bad_tokens(http: httpx.Client, account: Account, jwk: dict[str, Any],
                                    forgery: Forger, path: str) -> None:
    reply = http.get(path, headers={"Authorization": f"Bearer {forgery(account, jwk)}"})
    assert_unauthenticated(reply)
    assert reply.headers["content-type"].startswith("application/json")


def test_bearer_scheme_is_required(http: httpx.Client, account: Account) -> None:
    for header in (account.access_token, f"Basic {account.access_token}", "Bearer"):
        assert_unauthenticated(http.get("/api/v1/me", headers={"Authorization": header}))


def test_wrong_typ_is_caught_by_the_service_not_the_gateway(http: httpx.Client, account: Account,
                                                            jwk: dict[str, Any]) -> None:
    reply = http.get("/api/v1/me", headers={"Authorization": f"Bearer {signed(account, jwk, typ='JWT')}"})
    assert_unauthenticated(reply)
    assert error_reason(reply) == "TOKEN_INVALID"  # the service's ErrorInfo, not an Envoy local reply


def test_unknown_path_is_a_json_404(http: httpx.Client) -> None:
    for method, path in (("GET", "/api/v1/nothing-here"), ("POST", "/api/v1/auth/nothing"), ("GET", "/")):
        reply = http.request(method, path)
        assert reply.status_code == 404, (method, path, reply.text)
        assert reply.headers["content-type"].startswith("application/json")
        assert reply.json()["code"] == 5  # NOT_FOUND


# --- auth-service's own gRPC port, behind the gateway's back ---------------------

@pytest.fixture
async def profile_stub() -> AsyncIterator[pb_grpc.ProfileServiceStub]:
    async with grpc.aio.insecure_channel(AUTH_GRPC) as channel:
        yield pb_grpc.ProfileServiceStub(channel)


async def get_me(stub: pb_grpc.ProfileServiceStub, token: str | None) -> pb.GetMeResponse:
    metadata = [("authorization", f"Bearer {token}")] if token is not None else []
    return await stub.GetMe(pb.GetMeRequest(), metadata=metadata, timeout=10)


async def test_service_accepts_a_valid_token(profile_stub: pb_grpc.ProfileServiceStub, account: Account) -> None:
    reply = await get_me(profile_stub, account.access_token)
    assert (reply.id, reply.login) == (account.id, account.login)


async def test_service_refuses_a_call_without_token(profile_stub: pb_grpc.ProfileServiceStub) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as exc:
        await get_me(profile_stub, None)
    assert exc.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert grpc_error_reason(exc.value) == "TOKEN_MISSING"


@pytest.mark.parametrize("forgery", [pytest.param(FORGERIES[name], id=name) for name in (
    "alg-none", "hs256-keyed-with-jwks-public-key", "wrong-aud", "wrong-iss", "expired", "foreign-key-real-kid",
    "refresh-token-as-access", "typ-not-at+jwt")])
async def test_service_refuses_bad_tokens(profile_stub: pb_grpc.ProfileServiceStub, account: Account,
                                          jwk: dict[str, Any], forgery: Forger) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as exc:
        await get_me(profile_stub, forgery(account, jwk))
    assert exc.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert grpc_error_reason(exc.value) == "TOKEN_INVALID"


async def test_service_refuses_a_revoked_session(ahttp: httpx.AsyncClient,
                                                 profile_stub: pb_grpc.ProfileServiceStub, account: Account) -> None:
    assert (await ahttp.post("/api/v1/auth/logout", json={}, headers=account.headers)).status_code == 200
    with pytest.raises(grpc.aio.AioRpcError) as exc:
        await get_me(profile_stub, account.access_token)
    assert exc.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert grpc_error_reason(exc.value) == "SESSION_REVOKED"


def test_token_replies_are_not_stored_by_browsers_or_proxies(http: httpx.Client, account: Account) -> None:
    signed_in = http.post("/api/v1/auth/signin", json={"login": account.login, "password": account.password})
    refreshed = http.post("/api/v1/auth/refresh", json={"refreshToken": signed_in.json()["refreshToken"]})
    for reply in (signed_in, refreshed):
        assert reply.status_code == 200, reply.text
        assert reply.headers["cache-control"] == "no-store"
        assert reply.headers["pragma"] == "no-cache"
