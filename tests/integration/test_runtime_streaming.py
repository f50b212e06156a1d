"""Streaming RPCs go through the same middleware as unary ones (services/runtime/rpc):
access policy, per-message validation, error mapping and telemetry.

A real grpc.aio server built by the runtime's own `create_server`, serving a probe
service of every streaming shape over loopback; tokens come from auth-service's real
issuer with a key made here."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import wrappers_pb2
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from kulturago.auth.v1.auth_service_pb2 import SignInRequest
from services.auth.adapters.signing_keys import SigningKey
from services.runtime import errors
from services.runtime.rpc import AccessPolicy, ServiceApp, create_server, current_principal
from services.runtime.rpc.observability import HANDLED
from services.runtime.settings import ServiceSettings

SERVICE = "kulturago.test.v1.StreamProbe"
ISSUER, AUDIENCE = "https://auth.test", "kulturago-test"
Reply = wrappers_pb2.StringValue


async def watch(request: SignInRequest, context: grpc.aio.ServicerContext) -> AsyncIterator[Reply]:
    """Server streaming: three replies naming the caller, or an error after the first."""
    for n in range(3):
        if request.login == "fail-midway" and n == 1:
            raise errors.NotFound("it went away", "GONE")
        yield Reply(value=f"{current_principal().user_id}:{request.login}:{n}")


async def chat(requests: AsyncIterator[SignInRequest], context: grpc.aio.ServicerContext) -> AsyncIterator[Reply]:
    """Bidirectional: echoes each login."""
    async for request in requests:
        yield Reply(value=request.login)


async def collect(requests: AsyncIterator[SignInRequest], context: grpc.aio.ServicerContext) -> Reply:
    """Client streaming: all logins joined."""
    return Reply(value=",".join([r.login async for r in requests]))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def signing_key(tmp_path_factory: pytest.TempPathFactory) -> SigningKey:
    path = tmp_path_factory.mktemp("key") / "key.pem"
    path.write_bytes(SigningKey.generate_pem())
    return SigningKey.load(path)


@pytest.fixture(scope="module")
def jwks_file(signing_key: SigningKey, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("jwks") / "jwks.json"
    path.write_text(json.dumps(signing_key.jwks()))
    return path


def token(signing_key: SigningKey, roles: list[str] | None = None) -> str:
    return signing_key.issue_access_token(user_id="user-1", session_id="session-1", roles=roles or [],
                                          issuer=ISSUER, audience=AUDIENCE, ttl=300)


@pytest.fixture
async def channel(jwks_file: Path) -> AsyncIterator[grpc.aio.Channel]:
    port = _free_port()
    settings = ServiceSettings(grpc_port=port, jwks_file=str(jwks_file), jwt_issuer=ISSUER, jwt_audience=AUDIENCE)

    def register(server: grpc.aio.Server) -> None:
        codec: dict[str, Any] = {"request_deserializer": SignInRequest.FromString,
                                 "response_serializer": Reply.SerializeToString}
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, {
            "Watch": grpc.unary_stream_rpc_method_handler(watch, **codec),
            "Chat": grpc.stream_stream_rpc_method_handler(chat, **codec),
            "Collect": grpc.stream_unary_rpc_method_handler(collect, **codec),
        }),))

    # Every probe method needs a user's token: nothing is public.
    app = ServiceApp(settings=settings, error_domain="test.kulturago.ru", service_names=[SERVICE],
                     register=register, policy=AccessPolicy())
    server, _ = create_server(app)
    await server.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as ch:
        yield ch
    await server.stop(0)


def _codec(method: str, channel: grpc.aio.Channel, kind: str) -> Any:
    factory = getattr(channel, kind)
    return factory(f"/{SERVICE}/{method}", request_serializer=SignInRequest.SerializeToString,
                   response_deserializer=Reply.FromString)


def auth(value: str) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {value}")]


async def requests_of(*logins: str) -> AsyncIterator[SignInRequest]:
    for login in logins:
        yield SignInRequest(login=login, password="pw")


def details(error: grpc.aio.AioRpcError) -> tuple[str, list[str]]:
    """(ErrorInfo reason, BadRequest fields) of a rich error status."""
    status = rpc_status.from_call(error)
    assert status is not None, "no google.rpc.Status in the trailers"
    reason, fields = "", []
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            reason = info.reason
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            fields = [v.field for v in bad.field_violations]
    return reason, fields


async def collect_all(call: Any) -> list[str]:
    return [reply.value async for reply in call]


async def test_server_streaming_needs_a_token(channel: grpc.aio.Channel) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await collect_all(_codec("Watch", channel, "unary_stream")(SignInRequest(login="a", password="pw")))
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert details(caught.value)[0] == "TOKEN_MISSING"


async def test_server_streaming_refuses_a_bad_token(channel: grpc.aio.Channel, signing_key: SigningKey) -> None:
    forged = token(signing_key)[:-4] + "AAAA"
    call = _codec("Watch", channel, "unary_stream")(SignInRequest(login="a", password="pw"), metadata=auth(forged))
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await collect_all(call)
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert details(caught.value)[0] == "TOKEN_INVALID"


async def test_server_streaming_validates_the_request(channel: grpc.aio.Channel, signing_key: SigningKey) -> None:
    call = _codec("Watch", channel, "unary_stream")(SignInRequest(login="", password=""),
                                                    metadata=auth(token(signing_key)))
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await collect_all(call)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert details(caught.value) == ("INVALID_ARGUMENT", ["login", "password"])


async def test_server_streaming_sees_the_caller_and_maps_errors_raised_midway(
        channel: grpc.aio.Channel, signing_key: SigningKey) -> None:
    method = f"/{SERVICE}/Watch"
    ok_before = HANDLED.labels(method, "OK")._value.get()
    watch_rpc = _codec("Watch", channel, "unary_stream")
    replies = await collect_all(watch_rpc(SignInRequest(login="anna", password="pw"),
                                          metadata=auth(token(signing_key))))
    assert replies == ["user-1:anna:0", "user-1:anna:1", "user-1:anna:2"]
    assert HANDLED.labels(method, "OK")._value.get() == ok_before + 1  # one sample per stream

    call = watch_rpc(SignInRequest(login="fail-midway", password="pw"), metadata=auth(token(signing_key)))
    seen = []
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for reply in call:
            seen.append(reply.value)
    assert seen == ["user-1:fail-midway:0"]
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    assert details(caught.value)[0] == "GONE"
    assert HANDLED.labels(method, "NOT_FOUND")._value.get() >= 1


async def test_bidirectional_streaming_validates_every_message(
        channel: grpc.aio.Channel, signing_key: SigningKey) -> None:
    chat_rpc = _codec("Chat", channel, "stream_stream")
    assert await collect_all(chat_rpc(requests_of("a", "b"), metadata=auth(token(signing_key)))) == ["a", "b"]

    seen = []
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for reply in chat_rpc(requests_of("a", ""), metadata=auth(token(signing_key))):
            seen.append(reply.value)
    assert seen == ["a"]  # the valid first message was answered, the invalid second refused
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert details(caught.value)[1] == ["login"]

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await collect_all(chat_rpc(requests_of("a")))
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_client_streaming_goes_through_the_pipeline(channel: grpc.aio.Channel, signing_key: SigningKey) -> None:
    collect_rpc = _codec("Collect", channel, "stream_unary")
    reply = await collect_rpc(requests_of("a", "b", "c"), metadata=auth(token(signing_key)))
    assert reply.value == "a,b,c"
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await collect_rpc(requests_of("a", ""), metadata=auth(token(signing_key)))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await collect_rpc(requests_of("a"))
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
