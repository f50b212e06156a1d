"""The event.published consumer: EventPublished (protobuf) -> Document -> index.

Runs inside the inbox transaction of services.runtime.messaging.consumer, so the
ce_id dedupe and the upsert commit together."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from typing import Any

from google.protobuf.message import DecodeError
from psycopg import AsyncConnection

from kulturago.event.v1 import event_service_pb2, events_pb2
from services.runtime.messaging.consumer import EventHandler, PoisonMessage, ReceivedEvent
from services.search.domain.model import Document, GeoPoint, Session, make_document
from services.search.service_layer.indexing import index_document
from services.search.service_layer.ports import SearchIndex

TOPIC = "event.published"
CE_TYPE = events_pb2.EventPublished.DESCRIPTOR.full_name


def _location(lat: float, lon: float) -> GeoPoint | None:
    # proto3 has no "unset" for doubles: (0, 0) is an event without coordinates.
    return GeoPoint(lat, lon) if (lat, lon) != (0.0, 0.0) else None


def document_from_snapshot(event: events_pb2.EventPublished.Snapshot, version: int) -> Document:
    """The topic's own schema (EventPublished.snapshot), written since it was added."""
    return make_document(
        slug=event.slug, version=version, title=event.title, description=event.description,
        category=event.category, tags=tuple(event.tags), city=event.city, place_name=event.place_name,
        place_address=event.place_address, location=_location(event.lat, event.lon),
        sessions=tuple(Session(s.start_time.ToDatetime(tzinfo=UTC), s.end_time.ToDatetime(tzinfo=UTC))
                       for s in event.sessions),
        is_free=event.is_free, kids=event.kids, price_min=event.price_min, price_max=event.price_max,
        age_restriction=event.age_restriction, image=event.images[0] if event.images else "",
    )


def document_from_proto(event: event_service_pb2.Event, version: int) -> Document:
    """The deprecated EventPublished.event (the REST resource), all that messages written
    before `snapshot` existed carry; they may still be on the topic or replayed from a DLQ."""
    place = event.place
    return make_document(
        slug=event.slug, version=version, title=event.title, description=event.description,
        category=event.category, tags=tuple(event.tags), city=event.city, place_name=place.name,
        place_address=place.address, location=_location(place.lat, place.lon),
        sessions=tuple(Session(s.start_time.ToDatetime(tzinfo=UTC), s.end_time.ToDatetime(tzinfo=UTC))
                       for s in event.sessions),
        is_free=event.is_free, kids=event.kids, price_min=event.price.min, price_max=event.price.max,
        age_restriction=event.age_restriction, image=event.images[0] if event.images else "",
    )


def decode(received: ReceivedEvent) -> Document:
    """The document in a message, or PoisonMessage (to the DLQ) when it can never be one."""
    ce_type = received.headers.get("ce_type", CE_TYPE)
    if ce_type != CE_TYPE:
        raise PoisonMessage(f"unexpected ce_type {ce_type!r} on {received.topic}")
    try:
        message = events_pb2.EventPublished.FromString(received.payload)
    except DecodeError as exc:
        raise PoisonMessage(f"undecodable EventPublished: {exc}") from exc
    # The snapshot when there is one; the old shape for messages written before it.
    if message.HasField("snapshot"):
        document = document_from_snapshot(message.snapshot, message.version)
    else:
        document = document_from_proto(message.event, message.version)
    if not document.slug or not document.title or document.version <= 0:
        raise PoisonMessage("EventPublished without a slug, a title or a positive version")
    return document


def event_handler(index_in: Callable[[AsyncConnection[Any]], SearchIndex]) -> EventHandler:
    """`index_in(conn)`: the index inside the inbox transaction."""
    async def handle(received: ReceivedEvent, conn: AsyncConnection[Any]) -> None:
        await index_document(index_in(conn), decode(received))
    return handle
