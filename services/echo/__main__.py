"""No interceptors, no telemetry, no I/O: only what any gRPC service pays (plus health,
which Envoy needs to route to it)."""

from __future__ import annotations

import asyncio
import os
import signal

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from kulturago.bench.v1 import echo_service_pb2 as pb
from kulturago.bench.v1 import echo_service_pb2_grpc as pb_grpc


class Echo(pb_grpc.EchoServiceServicer):
    async def Echo(self, request: pb.EchoRequest, context: grpc.aio.ServicerContext) -> pb.EchoResponse:
        return pb.EchoResponse(message=request.message)

    async def EchoInternal(self, request: pb.EchoInternalRequest,
                           context: grpc.aio.ServicerContext) -> pb.EchoInternalResponse:
        # Answers anyone who reaches it: the gateway's deny of its path is what is tested.
        return pb.EchoInternalResponse(message=request.message)


async def main() -> None:
    server = grpc.aio.server()
    pb_grpc.add_EchoServiceServicer_to_server(Echo(), server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    server.add_insecure_port(f"127.0.0.1:{os.environ.get('KGO_GRPC_PORT', '17090')}")
    await server.start()
    for name in ("", "kulturago.bench.v1.EchoService"):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.stop(2)


asyncio.run(main())
