"""`event.published` (EventPublished protobuf) for the transactional outbox."""

from __future__ import annotations

from google.protobuf.message import Message

from kulturago.event.v1 import events_pb2
from services.event.adapters.proto_mapping import to_proto, to_snapshot
from services.event.domain.events import EventPublished

TOPIC = "event.published"
SOURCE = "//event.kulturago/event-service"


def outbox_message(published: EventPublished) -> tuple[str, str, Message]:
    """(topic, key, message): the key is the slug, so an event's versions stay in order."""
    event = published.event
    # `event` (the REST resource) is deprecated; still written for consumers not yet on `snapshot`.
    message = events_pb2.EventPublished(event=to_proto(event), version=event.version, snapshot=to_snapshot(event))
    return TOPIC, event.slug, message
