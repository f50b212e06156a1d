"""The gateway's access rules, derived from the access option on each RPC, hold on the
gRPC path whatever form the request takes: a REST path spelled another way, or raw
gRPC sent to the public port (Envoy routes /package.Service/ prefixes as they are)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
import httpx
import pytest
from auth_support import ERROR_INFO, Account, assert_refused_by_gateway, assert_unauthenticated
from catalog_support import event_body
from google.protobuf import json_format

from kgo import topology
from kulturago.bench.v1 import echo_service_pb2 as echo_pb
from kulturago.bench.v1 import echo_service_pb2_grpc as echo_grpc
from kulturago.event.v1 import event_service_pb2 as pb
from kulturago.event.v1 import event_service_pb2_grpc as pb_grpc

GATEWAY_GRPC = f"127.0.0.1:{topology.GATEWAY_HTTP_PORT}"


def _is_gateway_reply(body: dict[str, Any]) -> bool:
    # Envoy's own replies carry no ErrorInfo; the services' always do.
    return not [d for d in body.get("details", []) if d.get("@type") == ERROR_INFO]


@pytest.mark.parametrize("path", ["/api/v1/me/", "/api/v1/profile/", "/api/v1/avatar/presign/", "/api/v1//me"])
def test_rest_path_variants_need_a_token_at_the_gateway(http: httpx.Client, path: str) -> None:
    reply = http.get(path)
    assert_unauthenticated(reply)
    assert reply.headers["content-type"] == "application/json"
    assert _is_gateway_reply(reply.json()), reply.text


def test_rest_path_variant_with_a_token_reaches_the_method(http: httpx.Client, account: Account) -> None:
    # Control: the variant is the same method (so the 401 above is the gateway's rule on it).
    reply = http.get("/api/v1/me/", headers=account.headers)
    assert reply.status_code == 200, reply.text
    assert reply.json()["id"] == account.id


@pytest.fixture
async def channel() -> AsyncIterator[grpc.aio.Channel]:
    async with grpc.aio.insecure_channel(GATEWAY_GRPC) as ch:
        yield ch


def _publish_request() -> pb.PublishEventRequest:
    return pb.PublishEventRequest(event=json_format.ParseDict(event_body(), pb.Event()))


def _bearer(account: Account) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {account.access_token}")]


async def test_raw_grpc_admin_method_without_token_is_refused(channel: grpc.aio.Channel) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await pb_grpc.EventServiceStub(channel).PublishEvent(_publish_request(), timeout=10)
    assert error.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_raw_grpc_admin_method_as_user_is_refused_by_the_gateway(
        channel: grpc.aio.Channel, ahttp: httpx.AsyncClient, account: Account) -> None:
    request = _publish_request()
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await pb_grpc.EventServiceStub(channel).PublishEvent(request, metadata=_bearer(account), timeout=10)
    assert error.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert_refused_by_gateway(error.value, "ADMIN_REQUIRED")  # Envoy's deny, not event-service's
    assert (await ahttp.get(f"/api/v1/events/{request.event.slug}")).status_code == 404


async def test_raw_grpc_admin_method_as_admin_from_loopback_passes(channel: grpc.aio.Channel,
                                                                   admin: Account) -> None:
    # Control: locally, loopback is an internal network, so the deny above is about the role.
    request = _publish_request()
    event = await pb_grpc.EventServiceStub(channel).PublishEvent(request, metadata=_bearer(admin), timeout=10)
    assert event.slug == request.event.slug


@pytest.mark.parametrize("who", ["anonymous", "user", "admin"])
async def test_raw_grpc_internal_method_is_never_reachable_through_the_gateway(
        channel: grpc.aio.Channel, who: str, request: pytest.FixtureRequest) -> None:
    metadata = [] if who == "anonymous" else _bearer(request.getfixturevalue("account" if who == "user" else "admin"))
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await echo_grpc.EchoServiceStub(channel).EchoInternal(
            echo_pb.EchoInternalRequest(message="hello"), metadata=metadata, timeout=10)
    assert error.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert_refused_by_gateway(error.value, "INTERNAL_ONLY")


async def test_internal_method_answers_its_internal_callers() -> None:
    # Control: the method works when reached directly, so the refusals above are the gateway's.
    async with grpc.aio.insecure_channel(f"127.0.0.1:{topology.service('echo').grpc_port}") as direct:
        reply = await echo_grpc.EchoServiceStub(direct).EchoInternal(
            echo_pb.EchoInternalRequest(message="hello"), timeout=10)
    assert reply.message == "hello"
