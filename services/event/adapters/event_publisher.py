"""`event.published` (EventPublished protobuf) through the transactional outbox."""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection

from kulturago.event.v1 import events_pb2
from services.event.adapters.proto_mapping import to_proto, to_snapshot
from services.event.domain.model import Event
from services.runtime.messaging.outbox import add_event

TOPIC = "event.published"
SOURCE = "//event.kulturago/event-service"


async def publish(conn: AsyncConnection[Any], event: Event) -> str:
    # `event` (the REST resource) is deprecated; still written for consumers not yet on `snapshot`.
    message = events_pb2.EventPublished(event=to_proto(event), version=event.version, snapshot=to_snapshot(event))
    return await add_event(conn, TOPIC, event.slug, message, SOURCE)
