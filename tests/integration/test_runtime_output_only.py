"""The runtime clears output-only fields before the handler: a real grpc.aio server from
`create_server` (the default middleware chain) whose EventService handler answers with
the event exactly as it received it."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import grpc
import pytest
from google.protobuf import json_format

from kgo import paths
from kulturago.event.v1 import event_service_pb2 as pb
from kulturago.event.v1 import event_service_pb2_grpc as pb_grpc
from services.runtime.rpc import AccessPolicy, ServiceApp, create_server
from services.runtime.settings import ServiceSettings

PUBLISH = "/kulturago.event.v1.EventService/PublishEvent"


class AsReceived(pb_grpc.EventServiceServicer):
    async def PublishEvent(self, request: pb.PublishEventRequest, context: grpc.aio.ServicerContext) -> pb.Event:
        return request.event


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def stub() -> AsyncIterator[pb_grpc.EventServiceStub]:
    settings = ServiceSettings(grpc_port=_free_port(), jwks_file=str(paths.SECRETS / "jwks.json"))
    app = ServiceApp(settings=settings, error_domain="event.test", service_names=["kulturago.event.v1.EventService"],
                     register=lambda server: pb_grpc.add_EventServiceServicer_to_server(AsReceived(), server),
                     # Public here: access is not what this test is about.
                     policy=AccessPolicy(public=frozenset({PUBLISH})))
    server, _ = create_server(app)
    await server.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{settings.grpc_port}") as channel:
        yield pb_grpc.EventServiceStub(channel)
    await server.stop(0)


async def test_the_handler_never_sees_output_only_fields(stub: pb_grpc.EventServiceStub) -> None:
    event = json_format.ParseDict({
        "slug": "dzhaz", "title": "Джаз", "category": "concert", "city": "moscow", "place": {"name": "Клуб"},
        "isFree": True, "price": {"min": 0, "max": 0},  # valid under the contract's price rules
        "sessions": [{"startTime": "2026-12-05T17:00:00Z", "endTime": "2026-12-05T19:00:00Z"}],
        "version": 999, "createTime": "2001-01-01T00:00:00Z", "updateTime": "2001-01-01T00:00:00Z",
        "nextStartTime": "2001-01-01T00:00:00Z", "rating": {"average": 5, "count": 1000},
    }, pb.Event())
    seen = await stub.PublishEvent(pb.PublishEventRequest(event=event), timeout=5)
    assert seen.version == 0
    assert not any(seen.HasField(f) for f in ("create_time", "update_time", "next_start_time", "rating"))
    assert (seen.slug, seen.title, seen.place.name, len(seen.sessions)) == ("dzhaz", "Джаз", "Клуб", 1)
