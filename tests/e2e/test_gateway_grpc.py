"""gRPC and gRPC-Web through the gateway's public listeners (kgo/gateway_grpc.py): the
same access rules as REST, derived from the contracts' access options, and every
refusal a gRPC status a gRPC client can read (code, message, ErrorInfo in
grpc-status-details-bin), whether the service or Envoy itself refused."""

from __future__ import annotations

import base64
import dataclasses
import struct
import time
from collections.abc import Iterator

import grpc
import httpx
import jwt
import pytest
from auth_support import (
    GATEWAY_DOMAIN,
    Account,
    assert_refused_by_gateway,
    grpc_error_info,
    platform_signing_key,
    sign_eddsa,
    unverified_claims,
)
from catalog_support import event_body
from envoy_support import free_port, running_envoy
from google.protobuf import json_format
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from kgo import gateway, paths, topology
from kulturago.auth.v1 import auth_service_pb2 as auth_pb
from kulturago.auth.v1 import auth_service_pb2_grpc as auth_grpc
from kulturago.event.v1 import event_service_pb2 as event_pb
from kulturago.event.v1 import event_service_pb2_grpc as event_grpc
from kulturago.payment.v1 import payment_service_pb2 as payment_pb
from kulturago.payment.v1 import payment_service_pb2_grpc as payment_grpc
from kulturago.search.v1 import search_service_pb2 as search_pb
from kulturago.ticketing.v1 import ticketing_service_pb2 as ticketing_pb
from kulturago.ticketing.v1 import ticketing_service_pb2_grpc as ticketing_grpc

GATEWAY_H2C = f"127.0.0.1:{topology.GATEWAY_HTTP_PORT}"
GATEWAY = f"http://{GATEWAY_H2C}"
SEARCH = "/kulturago.search.v1.SearchService/Search"
GET_ME = "/kulturago.auth.v1.ProfileService/GetMe"


def _bearer(token: str) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {token}")]


@pytest.fixture(scope="module")
def h2c() -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(GATEWAY_H2C) as channel:
        yield channel


@pytest.fixture(scope="module")
def h2_tls() -> Iterator[grpc.Channel]:
    credentials = grpc.ssl_channel_credentials((paths.SECRETS / "gateway.crt").read_bytes())
    with grpc.secure_channel(f"127.0.0.1:{topology.GATEWAY_HTTPS_PORT}", credentials,
                             options=[("grpc.ssl_target_name_override", "localhost")]) as channel:
        yield channel


def _refusal(call: grpc.UnaryUnaryMultiCallable, request: object, **kwargs: object) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as error:
        call(request, timeout=10, **kwargs)
    return error.value


# --- access levels over gRPC ---------------------------------------------------------

@pytest.mark.parametrize("listener", ["h2c", "h2_tls"])
def test_a_public_method_needs_no_token(listener: str, request: pytest.FixtureRequest) -> None:
    channel: grpc.Channel = request.getfixturevalue(listener)
    reply = channel.unary_unary(SEARCH, request_serializer=search_pb.SearchRequest.SerializeToString,
                                response_deserializer=search_pb.SearchResponse.FromString)(
        search_pb.SearchRequest(q="джаз"), timeout=10)
    assert reply.hits, reply


@pytest.mark.parametrize("listener", ["h2c", "h2_tls"])
def test_a_user_method_without_a_token_is_unauthenticated_by_the_gateway(
        listener: str, request: pytest.FixtureRequest) -> None:
    stub = auth_grpc.ProfileServiceStub(request.getfixturevalue(listener))
    error = _refusal(stub.GetMe, auth_pb.GetMeRequest())
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    assert_refused_by_gateway(error, "TOKEN_MISSING")
    # The rich status is consistent with the plain one (grpcio's own check).
    status = rpc_status.from_call(error)
    assert status is not None and status.message == error.details() == "missing bearer token"


def test_a_user_method_with_a_token_is_served(h2c: grpc.Channel, account: Account) -> None:
    me = auth_grpc.ProfileServiceStub(h2c).GetMe(auth_pb.GetMeRequest(), metadata=_bearer(account.access_token),
                                                 timeout=10)
    assert (me.id, me.login) == (account.id, account.login)


def test_an_expired_token_is_told_apart_from_a_bad_one(h2c: grpc.Channel, account: Account) -> None:
    # The real signing key, so only the expiry is wrong: a client knows to refresh.
    claims = unverified_claims(account.access_token) | {"exp": int(time.time()) - 60}
    kid = jwt.get_unverified_header(account.access_token)["kid"]
    expired = sign_eddsa(claims, platform_signing_key(), kid)
    stub = auth_grpc.ProfileServiceStub(h2c)
    error = _refusal(stub.GetMe, auth_pb.GetMeRequest(), metadata=_bearer(expired))
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    assert_refused_by_gateway(error, "TOKEN_EXPIRED")
    # (Envoy looks at the expiry before the signature: only an unexpired token can be "invalid".)
    forged = _refusal(stub.GetMe, auth_pb.GetMeRequest(), metadata=_bearer(account.access_token[:-4] + "AAAA"))
    assert_refused_by_gateway(forged, "TOKEN_INVALID")


@pytest.mark.parametrize("method", ["GetPayment", "HandlePaymentResult"])
@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_internal_methods_never_reach_their_service(h2c: grpc.Channel, method: str, who: str,
                                                    request: pytest.FixtureRequest) -> None:
    metadata = _bearer(request.getfixturevalue("admin").access_token) if who == "admin" else []
    if method == "GetPayment":
        error = _refusal(payment_grpc.PaymentServiceStub(h2c).GetPayment,
                         payment_pb.GetPaymentRequest(order_id="x"), metadata=metadata)
    else:
        error = _refusal(ticketing_grpc.TicketingServiceStub(h2c).HandlePaymentResult,
                         ticketing_pb.HandlePaymentResultRequest(), metadata=metadata)
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    assert_refused_by_gateway(error, "INTERNAL_ONLY")  # Envoy's status: the service never saw it


def test_a_services_own_error_arrives_as_a_rich_grpc_status(h2c: grpc.Channel) -> None:
    error = _refusal(auth_grpc.AuthServiceStub(h2c).SignUp,
                     auth_pb.SignUpRequest(email="nope", login="ok_login", password="long-enough-pw"))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    info = grpc_error_info(error)
    assert info.domain == "auth.kulturago.ru" and info.reason == "INVALID_ARGUMENT"
    status = rpc_status.from_call(error)
    assert status is not None
    bad = error_details_pb2.BadRequest()
    assert any(detail.Unpack(bad) for detail in status.details)
    assert [v.field for v in bad.field_violations] == ["email"]


# --- a gateway of its own: a public address, a small rate-limit budget ---------------

@dataclasses.dataclass(frozen=True)
class OutsideGateway:
    address: str  # host:port; loopback is not an internal network for it


@pytest.fixture(scope="module")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OutsideGateway]:
    """The local gateway's config with loopback outside its internal networks (so we
    are a caller from a public address) and a small AuthService budget (so a flood
    spends this Envoy's buckets only, not the shared gateway's)."""
    tmp = tmp_path_factory.mktemp("grpc-envoy")
    opts = dataclasses.replace(gateway.GatewayOptions(), http_port=free_port(), https_port=None,
                               admin_port=free_port(), internal_cidrs=("10.0.0.0/8",),
                               auth_burst=5, auth_per_second=1, access_log=str(tmp / "access.log"))
    config = gateway.render(opts, jwks_file=str(paths.SECRETS / "jwks.json"), tls=None)
    address = f"127.0.0.1:{opts.http_port}"
    with running_envoy(config, tmp, f"http://{address}/api/v1/events?pageSize=1"):
        yield OutsideGateway(address)


def test_an_admin_method_from_a_public_address_is_denied(outside: OutsideGateway, admin: Account,
                                                          http: httpx.Client) -> None:
    request = event_pb.PublishEventRequest(event=json_format.ParseDict(event_body(), event_pb.Event()))
    with grpc.insecure_channel(outside.address) as channel:
        error = _refusal(event_grpc.EventServiceStub(channel).PublishEvent, request,
                         metadata=_bearer(admin.access_token))
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    assert_refused_by_gateway(error, "ADMIN_REQUIRED")
    assert http.get(f"/api/v1/events/{request.event.slug}").status_code == 404  # nothing written


def test_auth_writes_are_rate_limited_over_grpc_too(outside: OutsideGateway) -> None:
    with grpc.insecure_channel(outside.address) as channel:
        stub = auth_grpc.AuthServiceStub(channel)
        # Cheap for auth-service (fails validation), so 20 calls outrun a refill of 1/s.
        futures = [stub.SignIn.future(auth_pb.SignInRequest(), timeout=10) for _ in range(20)]
        codes = [f.code() for f in futures]
        limited = [f for f in futures if f.code() == grpc.StatusCode.RESOURCE_EXHAUSTED]
        jwks = stub.GetJwks(auth_pb.GetJwksRequest(), timeout=10)  # reads are never limited
    assert set(codes) == {grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.RESOURCE_EXHAUSTED}, codes
    assert len(limited) <= 15  # the burst of 5 went through
    error = limited[0].exception()
    assert isinstance(error, grpc.RpcError)
    assert_refused_by_gateway(error, "RATE_LIMITED")
    status = rpc_status.from_call(error)
    assert status is not None
    retry = error_details_pb2.RetryInfo()
    assert any(detail.Unpack(retry) for detail in status.details)
    assert retry.retry_delay.seconds >= 1
    assert jwks.data


# --- gRPC-Web: HTTP/1.1 POSTs as a browser sends them --------------------------------

def _frames(body: bytes) -> list[tuple[int, bytes]]:
    frames = []
    while body:
        flags, length = struct.unpack(">BI", body[:5])
        frames.append((flags, body[5:5 + length]))
        body = body[5 + length:]
    return frames


def _grpc_web(path: str, message: bytes, **headers: str) -> httpx.Response:
    with httpx.Client(http2=False, timeout=10) as client:  # HTTP/1.1, as browsers may
        return client.post(f"{GATEWAY}{path}", content=struct.pack(">BI", 0, len(message)) + message,
                           headers={"content-type": "application/grpc-web+proto", "x-grpc-web": "1",
                                    "accept": "application/grpc-web+proto", **headers})


def test_grpc_web_calls_a_public_method() -> None:
    reply = _grpc_web(SEARCH, search_pb.SearchRequest(q="джаз").SerializeToString())
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/grpc-web+proto"
    (data_flags, data), (trailer_flags, trailers) = _frames(reply.content)
    assert (data_flags, trailer_flags) == (0, 0x80)  # a message, then the trailers frame
    assert search_pb.SearchResponse.FromString(data).hits
    assert b"grpc-status:0" in trailers


def test_grpc_web_refusal_is_a_trailers_only_status() -> None:
    reply = _grpc_web(GET_ME, b"", origin="http://localhost:5173")
    assert reply.status_code == 200 and reply.content == b""
    assert reply.headers["grpc-status"] == str(grpc.StatusCode.UNAUTHENTICATED.value[0])
    assert reply.headers["grpc-message"] == "missing bearer token"
    details = reply.headers["grpc-status-details-bin"]
    status = status_pb2.Status.FromString(base64.b64decode(details + "=" * (-len(details) % 4)))
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info) and (info.domain, info.reason) == (GATEWAY_DOMAIN, "TOKEN_MISSING")
    # A page's script can read it (CORS).
    assert reply.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "grpc-status-details-bin" in reply.headers["access-control-expose-headers"]


def test_grpc_web_with_a_token_reaches_a_user_method(account: Account) -> None:
    reply = _grpc_web(GET_ME, b"", authorization=f"Bearer {account.access_token}")
    (_, data), (_, trailers) = _frames(reply.content)
    assert auth_pb.GetMeResponse.FromString(data).id == account.id
    assert b"grpc-status:0" in trailers


def test_cors_preflight_for_an_allowed_origin_only(http: httpx.Client) -> None:
    asked = {"access-control-request-method": "POST",
             "access-control-request-headers": "content-type,x-grpc-web,authorization"}
    allowed = http.options(GET_ME, headers={"origin": "http://localhost:5173", **asked})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "authorization" in allowed.headers["access-control-allow-headers"]
    foreign = http.options(GET_ME, headers={"origin": "https://evil.example", **asked})
    assert "access-control-allow-origin" not in foreign.headers


def test_rest_errors_stay_json(http: httpx.Client) -> None:
    # Control: the gRPC mapping does not touch REST, which the transcoder also makes gRPC.
    reply = http.get("/api/v1/me")
    assert reply.status_code == 401
    assert reply.headers["content-type"] == "application/json"
    assert reply.json()["code"] == 16
