"""A service built on the runtime enforces the access levels its contract declares,
INTERNAL included: a real grpc.aio server from `create_server`, with the policy derived
from kulturago.bench.v1.EchoService (Echo is PUBLIC, EchoInternal INTERNAL)."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import grpc
import pytest
from auth_support import grpc_error_reason

from kgo import paths
from kulturago.bench.v1 import echo_service_pb2 as pb
from kulturago.bench.v1 import echo_service_pb2_grpc as pb_grpc
from services.runtime.rpc import ServiceApp, create_server
from services.runtime.rpc.access import CLIENT_IP_HEADER
from services.runtime.rpc.policy import policy_for
from services.runtime.settings import ServiceSettings


class Echo(pb_grpc.EchoServiceServicer):
    async def Echo(self, request: pb.EchoRequest, context: grpc.aio.ServicerContext) -> pb.EchoResponse:
        return pb.EchoResponse(message=request.message)

    async def EchoInternal(self, request: pb.EchoInternalRequest,
                           context: grpc.aio.ServicerContext) -> pb.EchoInternalResponse:
        return pb.EchoInternalResponse(message=request.message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


StartEcho = Callable[[list[str]], Awaitable[pb_grpc.EchoServiceStub]]


@pytest.fixture
async def echo_server() -> AsyncIterator[StartEcho]:
    """Starts echo servers on the runtime with the given internal networks."""
    servers: list[grpc.aio.Server] = []
    channels: list[grpc.aio.Channel] = []

    async def start(internal_cidrs: list[str]) -> pb_grpc.EchoServiceStub:
        settings = ServiceSettings(grpc_port=_free_port(), jwks_file=str(paths.SECRETS / "jwks.json"),
                                   internal_cidrs=internal_cidrs)
        service = pb.DESCRIPTOR.services_by_name["EchoService"]
        app = ServiceApp(settings=settings, error_domain="echo.test", service_names=[service.full_name],
                         register=lambda server: pb_grpc.add_EchoServiceServicer_to_server(Echo(), server),
                         policy=policy_for(service))
        server, _ = create_server(app)
        await server.start()
        servers.append(server)
        channel = grpc.aio.insecure_channel(f"127.0.0.1:{settings.grpc_port}")
        channels.append(channel)
        return pb_grpc.EchoServiceStub(channel)

    yield start
    for channel in channels:
        await channel.close()
    for server in servers:
        await server.stop(0)


async def test_internal_method_answers_a_service_on_an_internal_network(echo_server: StartEcho) -> None:
    stub = await echo_server(["127.0.0.0/8"])
    reply = await stub.EchoInternal(pb.EchoInternalRequest(message="hi"), timeout=5)
    assert reply.message == "hi"


async def test_internal_method_refuses_a_call_forwarded_by_the_gateway(echo_server: StartEcho) -> None:
    stub = await echo_server(["127.0.0.0/8"])
    # The gateway stamps every forwarded call with the client's address, loopback included.
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await stub.EchoInternal(pb.EchoInternalRequest(message="hi"), metadata=[(CLIENT_IP_HEADER, "127.0.0.1")],
                                timeout=5)
    assert error.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert grpc_error_reason(error.value) == "INTERNAL_ONLY"


async def test_internal_method_refuses_a_peer_outside_the_internal_networks(echo_server: StartEcho) -> None:
    stub = await echo_server(["10.255.255.0/24"])  # loopback is not internal to this server
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await stub.EchoInternal(pb.EchoInternalRequest(message="hi"), timeout=5)
    assert error.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert grpc_error_reason(error.value) == "INTERNAL_ONLY"
    # The PUBLIC method of the same server needs nothing.
    assert (await stub.Echo(pb.EchoRequest(message="hi"), timeout=5)).message == "hi"
